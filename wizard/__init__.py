"""PrivateLink Wizard: expose an AWS-hosted database to a SaaS data platform over AWS PrivateLink."""

import logging as _logging

__version__ = "0.1.0"
APP_NAME = "PrivateLink Wizard"
APP_ID = "privatelink-wizard"

# Nothing the app logs may reach the terminal through Python's last-resort handler (it would print
# tracebacks); the CLI and GUI attach their own redacting file handler.
_logging.getLogger("wizard").addHandler(_logging.NullHandler())
