from __future__ import annotations

import pytest
from botocore.exceptions import ClientError, EndpointConnectionError, NoCredentialsError

from wizard.aws.errors import aws_step, translate
from wizard.errors import EXIT_BAD_INPUT, UserError, bad_input


def client_error(
    code: str, message: str = "", op: str = "CreateLoadBalancer", status: int = 400
) -> ClientError:
    return ClientError(
        {"Error": {"Code": code, "Message": message}, "ResponseMetadata": {"HTTPStatusCode": status}}, op
    )


def test_access_denied_names_the_iam_action() -> None:
    exc = client_error(
        "AccessDenied",
        "User: arn:aws:iam::123456789012:user/dba is not authorized to perform: "
        "elasticloadbalancing:CreateLoadBalancer on resource: *",
    )
    err = translate(exc, step="Creating the load balancer")
    assert err.permission == "elasticloadbalancing:CreateLoadBalancer"
    text = err.paragraph()
    assert text.startswith("Creating the load balancer:")
    assert "privatelink-wizard policy" in text


@pytest.mark.parametrize(
    ("code", "fragment"),
    [
        ("InvalidClientTokenId", "access key"),
        ("SignatureDoesNotMatch", "secret access key"),
        ("ExpiredToken", "expired"),
    ],
)
def test_credential_errors_each_have_their_own_message(code: str, fragment: str) -> None:
    err = translate(client_error(code, op="GetCallerIdentity"))
    assert fragment in err.what
    assert err.exit_code == EXIT_BAD_INPUT


def test_no_credentials_and_unreachable_endpoint() -> None:
    assert "No AWS credentials" in translate(NoCredentialsError()).what
    err = translate(EndpointConnectionError(endpoint_url="http://127.0.0.1:1"))
    assert "http://127.0.0.1:1" in err.what and "endpoint URL" in err.why


def test_throttling_after_retries_says_wait() -> None:
    assert "slow down" in translate(client_error("Throttling", status=400)).what
    assert "slow down" in translate(client_error("ServiceUnavailable", status=503)).what


def test_aws_step_wraps_botocore_errors_only() -> None:
    with pytest.raises(UserError) as info, aws_step("Creating the endpoint service", "ec2:X"):
        raise client_error("UnauthorizedOperation", "You are not authorized")
    assert info.value.permission == "ec2:X"
    with pytest.raises(KeyError), aws_step("anything"):
        raise KeyError("programming errors are not disguised")


def test_user_errors_are_hashable_and_equal_only_to_themselves() -> None:
    first = bad_input("The port is not a number", "Enter 1-65535.")
    second = bad_input("The port is not a number", "Enter 1-65535.")
    assert first == first
    assert first != second  # two occurrences, not one value
    assert len({first, second}) == 2  # hashable: usable in sets and as keys
