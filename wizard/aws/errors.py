"""The one place AWS and input failures become plain-language UserErrors (never a traceback)."""

from __future__ import annotations

import contextlib
import re
from collections.abc import Iterator

from botocore.exceptions import (
    BotoCoreError,
    ClientError,
    ConfigParseError,
    ConnectTimeoutError,
    EndpointConnectionError,
    NoCredentialsError,
    NoRegionError,
    PartialCredentialsError,
    ProfileNotFound,
    ReadTimeoutError,
    WaiterError,
)
from botocore.parsers import ResponseParserError

from wizard.aws import deadline
from wizard.aws.deadline import CallDeadlineExceeded
from wizard.errors import EXIT_AWS, EXIT_BAD_INPUT, EXIT_TIMEOUT, UserError, bad_input, file_error

_CREDENTIAL_CODES = {
    "InvalidClientTokenId": (
        "AWS does not recognise the access key",
        "The access key id is mistyped, was deleted, or belongs to another partition.",
        "Check the access key id in the IAM console (Security credentials) or pick another profile.",
    ),
    "SignatureDoesNotMatch": (
        "AWS rejected the secret access key",
        "The secret key does not match the access key id (often a copy-paste slip).",
        "Paste the secret access key again, or create a new key pair in IAM.",
    ),
    "ExpiredToken": (
        "The temporary credentials have expired",
        "Session tokens are only valid for a limited time.",
        "Get fresh credentials (for SSO: run `aws sso login --profile <name>`) and try again.",
    ),
    "ExpiredTokenException": (
        "The temporary credentials have expired",
        "Session tokens are only valid for a limited time.",
        "Get fresh credentials (for SSO: run `aws sso login --profile <name>`) and try again.",
    ),
    "UnrecognizedClientException": (
        "AWS does not recognise these credentials",
        "The access key or session token is invalid.",
        "Check the access key, secret and session token, or pick another profile.",
    ),
}

# AWS's ways of saying "slow down"; retry.py retries these too.
THROTTLE_CODES = frozenset(
    {
        "Throttling",
        "ThrottlingException",
        "RequestLimitExceeded",
        "TooManyRequests",
        "TooManyRequestsException",
        "RequestThrottled",
        "SlowDown",
    }
)

# AWS calls it on the caller's behalf for the account's first load balancer or target group.
SERVICE_LINKED_ROLE_ACTION = "iam:CreateServiceLinkedRole"

_DENIED_ACTION = re.compile(r"not authorized to perform:? ([a-z0-9-]+:[A-Za-z0-9]+)")


def _raised_parsing(exc: BaseException) -> bool:
    """A KeyError or the like from botocore's response parser: the reply was not AWS's shape."""
    tb = exc.__traceback__
    while tb is not None:
        if tb.tb_frame.f_globals.get("__name__") == "botocore.parsers":
            return True
        tb = tb.tb_next
    return False


def translate(exc: BaseException, step: str = "", action: str = "") -> UserError:
    """Turn any botocore/boto3 failure into a UserError. `action` is the IAM action attempted."""
    if isinstance(exc, UserError):
        if step and not exc.step:
            exc.step = step
        return exc
    if isinstance(exc, ClientError):
        return _from_client_error(exc, step, action)
    if isinstance(exc, NoCredentialsError | PartialCredentialsError):
        return UserError(
            what="No AWS credentials were found",
            why="No profile was chosen and no access key is set in the environment.",
            fix="Choose a profile, enter an access key and secret, or run `aws configure`.",
            step=step,
            exit_code=EXIT_BAD_INPUT,
        )
    if isinstance(exc, ProfileNotFound):
        return UserError(
            what=f"The AWS profile was not found ({exc})",
            why="It is not in ~/.aws/config or ~/.aws/credentials.",
            fix="Pick a profile from the list, or create it with `aws configure --profile NAME`.",
            step=step,
            exit_code=EXIT_BAD_INPUT,
        )
    if isinstance(exc, NoRegionError):
        return bad_input("No AWS region was chosen", "Choose the region your database is in.")
    if type(exc).__name__ in {
        "SSOTokenLoadError",
        "UnauthorizedSSOTokenError",
        "TokenRetrievalError",
    }:
        return UserError(
            what="The AWS SSO login has expired or was never done",
            why="SSO profiles need a fresh browser login every few hours.",
            fix="Sign in again: `privatelink-wizard login --profile <name>` (or the AWS CLI's "
            "`aws sso login --profile <name>`), or 'Sign in again' in the window; then try again.",
            step=step,
            exit_code=EXIT_BAD_INPUT,
            code="SSOLogin",
        )
    if isinstance(exc, ConfigParseError):
        path = exc.kwargs.get("path", "your AWS config file")
        return UserError(
            what=f"The AWS settings file {path} could not be read",
            why="A line in it is not in the form AWS tools expect (for example a [section] "
            "heading without its closing bracket, or a line that is not 'name = value').",
            fix=f"Correct {path} (the AWS CLI's `aws configure list` shows the same error) or "
            "move it away, then try again.",
            step=step,
            exit_code=EXIT_BAD_INPUT,
        )
    if isinstance(exc, EndpointConnectionError):
        return UserError(
            what=f"Could not reach AWS at {getattr(exc, 'kwargs', {}).get('endpoint_url', 'its endpoint')}",
            why="The network is down, a proxy or firewall blocks it, or the endpoint URL is wrong.",
            fix="Check your internet connection or the --endpoint-url value, then try again.",
            step=step,
        )
    if isinstance(exc, CallDeadlineExceeded | ReadTimeoutError | ConnectTimeoutError):
        return UserError(
            what=f"AWS did not answer within {deadline.CALL_DEADLINE:g} seconds",
            why="The endpoint took the connection but sent no reply: a proxy or firewall may be "
            "holding it, or the endpoint URL points at a server that is not AWS.",
            fix="Check your network, proxy and --endpoint-url (AWS_ENDPOINT_URL), then run the "
            "same command again; it is safe to repeat.",
            step=step,
            exit_code=EXIT_TIMEOUT,
        )
    if isinstance(exc, ResponseParserError) or _raised_parsing(exc):
        return UserError(
            what="The AWS endpoint sent an answer that is not from AWS",
            why="It replied with something else (for example a web page or a server error page): "
            "the endpoint URL points at another kind of server, or, for the sandbox, at a region "
            "it does not serve.",
            fix="Check --endpoint-url (AWS_ENDPOINT_URL) and --region, or leave the endpoint out "
            "to use AWS itself.",
            step=step,
        )
    if isinstance(exc, WaiterError):
        return UserError(
            what="Timed out waiting for AWS to finish",
            why=str(exc.last_response.get("Error", {}).get("Message", "")) if exc.last_response else "",
            fix="Nothing is lost: run the same step again and it continues where it stopped.",
            step=step,
            exit_code=EXIT_TIMEOUT,
        )
    if isinstance(exc, BotoCoreError):
        return UserError(
            what=str(exc), fix="Try again; if it persists, export a diagnostics report.", step=step
        )
    if isinstance(exc, OSError):
        return file_error(exc, "read or write a file")
    if isinstance(exc, NotImplementedError):
        return UserError(
            what="This AWS endpoint does not support an operation the wizard needs",
            why=str(exc) or "The endpoint is an emulator or an older API.",
            step=step,
        )
    return UserError(
        what=f"Unexpected error: {exc}", fix="Export a diagnostics report for support.", step=step
    )


def _from_client_error(exc: ClientError, step: str, action: str) -> UserError:
    err = exc.response.get("Error", {})
    code = str(err.get("Code", "Unknown"))
    message = str(err.get("Message", "")).strip()
    status = exc.response.get("ResponseMetadata", {}).get("HTTPStatusCode")
    op = exc.operation_name
    if code in _CREDENTIAL_CODES:
        what, why, fix = _CREDENTIAL_CODES[code]
        return UserError(what, why, fix, step=step, exit_code=EXIT_BAD_INPUT, code=code)
    if code in {"AccessDenied", "AccessDeniedException", "UnauthorizedOperation", "AuthFailure"}:
        denied = action
        m = _DENIED_ACTION.search(message)
        if m:
            denied = m.group(1)
        denied = denied or f"(the permission for {op})"
        if denied == SERVICE_LINKED_ROLE_ACTION:
            return _service_linked_role_refused(step, code)
        return UserError(
            what=f"AWS refused the request: your identity may not call {denied}",
            why="The IAM user or role you signed in with lacks this permission.",
            fix=(
                f"Ask your AWS administrator to allow {denied} (run `privatelink-wizard policy` "
                "for the complete least-privilege policy), then run the step again."
            ),
            permission=denied,
            step=step,
            code=code,
        )
    if code in THROTTLE_CODES or status == 503:
        return UserError(
            what="AWS is asking us to slow down (throttling)",
            why="Too many requests in a short time, even after automatic retries.",
            fix="Wait a minute and run the step again; nothing was lost.",
            step=step,
            code=code,
        )
    if code.endswith("NotFound") or code.endswith("NotFoundFault") or ".NotFound" in code:
        return UserError(
            what=f"AWS could not find a resource ({message or code})",
            why="It was deleted, is in another region, or the id is mistyped.",
            fix="Check the region and the id, or run `privatelink-wizard status` to see what exists.",
            step=step,
            code=code,
            exit_code=EXIT_BAD_INPUT if code.startswith("Invalid") else EXIT_AWS,
        )
    if code in {
        "ValidationError",
        "InvalidParameterValue",
        "InvalidParameterCombination",
        "InvalidParameter",
        "InvalidConfigurationRequest",
    }:
        return UserError(
            what=f"AWS rejected a value: {message or code}",
            why="One of the settings is not valid for this resource.",
            fix="Correct the value shown and try again.",
            step=step,
            code=code,
            exit_code=EXIT_BAD_INPUT,
        )
    if "LimitExceeded" in code or "Quota" in code or code == "TooManyLoadBalancers":
        return UserError(
            what=f"An AWS account limit was reached ({message or code})",
            why="The account already has as many of these resources as its quota allows.",
            fix="Delete unused ones, or request a higher quota in the Service Quotas console.",
            step=step,
            code=code,
        )
    return UserError(
        what=f"AWS returned an error for {op}: {message or code}",
        why=f"AWS error code {code}.",
        fix="Try again; if it persists, export a diagnostics report for support.",
        step=step,
        code=code,
    )


def _service_linked_role_refused(step: str, code: str) -> UserError:
    # AWS creates Elastic Load Balancing's service-linked role with the caller's permissions when
    # the account's first load balancer or target group is created (ELB user guide).
    return UserError(
        what=f"AWS refused the request: your identity may not call {SERVICE_LINKED_ROLE_ACTION}",
        why=(
            "This AWS account has no load balancer service role (AWSServiceRoleForElasticLoadBalancing) "
            "yet. AWS creates it, with your permissions, along with the account's first load balancer "
            f"or target group, and your IAM user or role lacks {SERVICE_LINKED_ROLE_ACTION}."
        ),
        fix=(
            f"Ask your AWS administrator either to allow {SERVICE_LINKED_ROLE_ACTION} for "
            "elasticloadbalancing.amazonaws.com (it is in the policy `privatelink-wizard policy` "
            "prints), or to create the role once with `aws iam create-service-linked-role "
            "--aws-service-name elasticloadbalancing.amazonaws.com`; then run the step again."
        ),
        permission=SERVICE_LINKED_ROLE_ACTION,
        step=step,
        code=code,
    )


@contextlib.contextmanager
def aws_step(step: str, action: str = "") -> Iterator[None]:
    """Run a block and re-raise any failure as a UserError naming the step (and IAM action)."""
    try:
        yield
    except UserError as exc:
        raise translate(exc, step) from None
    except (ClientError, BotoCoreError, NotImplementedError) as exc:
        raise translate(exc, step, action) from exc
