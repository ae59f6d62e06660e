"""PrivateLink Wizard: expose an AWS-hosted database to a SaaS data platform over AWS PrivateLink."""

__version__ = "0.1.0"
APP_NAME = "PrivateLink Wizard"
APP_ID = "privatelink-wizard"
