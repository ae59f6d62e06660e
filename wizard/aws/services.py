"""The AWS services whose models ship in the installers (constants only: packaging reads this file).

botocore carries a model for each of ~450 AWS services (28 MB); the bundle keeps only these.
tests/test_bundle_contents.py checks that every client the code makes is listed here, and
`--self-test` creates a client for each one, so a model missing from a bundle fails its build.
"""

# Clients the wizard and its sandbox make (the IAM policy's actions name the same services;
# elasticloadbalancing is elbv2).
APP_SERVICES = ("sts", "ec2", "elbv2", "rds", "iam")

# Clients botocore itself makes to sign in: assume-role (sts), IAM Identity Center profiles
# (sso, and sso-oidc to refresh the token), and `aws login` sessions (signin).
SIGN_IN_SERVICES = ("sts", "sso", "sso-oidc", "signin")

# moto's services in the bundle's sandbox (packaging spec, MOTO_KEEP) read their own model
# to parse requests and list endpoint services.
SANDBOX_SERVICES = (
    "ec2",
    "elbv2",
    "rds",
    "sts",
    "iam",
    "elb",
    "kms",
    "s3",
    "secretsmanager",
    "events",
    "cloudwatch",
)

# Planned features' clients (health checks, alarms, cost estimates): small models, kept so a
# feature merged later works in the bundle without a packaging change.
PLANNED_SERVICES = ("lambda", "events", "sns", "cloudwatch", "logs", "pricing")

BUNDLED_SERVICES: tuple[str, ...] = tuple(
    sorted({*APP_SERVICES, *SIGN_IN_SERVICES, *SANDBOX_SERVICES, *PLANNED_SERVICES})
)
