"""What the alerts cost, and the e-mail address check: plain text the window shows before the
engine (boto3) is loaded. wizard/aws/alerts.py makes the alerts."""

from __future__ import annotations

from wizard.errors import bad_input

# aws.amazon.com/cloudwatch/pricing (standard alarm; 10 free a month) and aws.amazon.com/sns/pricing
# (e-mail notifications; 1,000 free a month).
COST = (
    "Cost: one CloudWatch alarm (US$0.10 a month; the first 10 alarms of an account are free) and "
    "a few e-mails through Amazon SNS (the first 1,000 e-mails a month are free)."
)


def validate_email(text: str) -> str:
    """An e-mail address as SNS takes it: one '@', a dot in the domain, no spaces."""
    email = (text or "").strip()
    local, _, domain = email.partition("@")
    if not local or "." not in domain.strip(".") or " " in email or "@" in domain:
        raise bad_input(
            f"'{email}' is not an e-mail address",
            "Give the address the alerts should go to, e.g. dba@example.com.",
        )
    return email
