"""Help in place: each page's AWS documentation link, and the glossary's words one click away
(the Help menu and a link in every "What is this?" box). The dialog is glossary_dialog.py; this
module has no Qt, so the first page can use it without loading the dialog's classes."""

from __future__ import annotations

from wizard.ui.rich_text import escape

GLOSSARY_LINK = "glossary:"

# (term, plain-words definition), in the order a DBA meets them.
GLOSSARY: tuple[tuple[str, str], ...] = (
    (
        "PrivateLink",
        "An AWS feature that lets another AWS account reach one service in your network over "
        "AWS's private network, without a VPN, peering or anything on the internet. Traffic can "
        "only start on the platform's side and only reaches what you put behind the load "
        "balancer.",
    ),
    (
        "Provider",
        "You: the AWS account that owns the database and publishes it as an endpoint service.",
    ),
    (
        "Consumer",
        "The data platform (Rivery by default): the AWS account that connects to your endpoint "
        "service from its own network.",
    ),
    (
        "Network Load Balancer (NLB)",
        "An AWS load balancer that passes TCP connections through unchanged. Internal means it "
        "has only private addresses. PrivateLink needs one in front of the database.",
    ),
    (
        "Listener",
        "The port the load balancer accepts connections on; it forwards them to a target group.",
    ),
    (
        "Target group",
        "The list of places the load balancer sends connections to (the database's private IP "
        "addresses, or an EC2 server), with health checks that say whether each one answers.",
    ),
    (
        "Security group",
        "AWS's firewall around a database or server. It must let the load balancer's addresses "
        "in on the database port.",
    ),
    (
        "Endpoint service",
        "Your load balancer, published for PrivateLink. It has a service name "
        "(com.amazonaws.vpce.<region>.vpce-svc-…) that you send to the platform.",
    ),
    (
        "Principal",
        "Who may connect to the endpoint service, written as an ARN, e.g. "
        "arn:aws:iam::012922587834:root for a whole AWS account. Anyone not on the allow-list "
        "gets 'service not found'.",
    ),
    (
        "Connection request",
        "What appears on your endpoint service when the platform creates its endpoint. It waits "
        "in 'pendingAcceptance' until you accept it; only then does traffic flow.",
    ),
    (
        "Interface endpoint",
        "The platform's side of the link: network interfaces in its own network with a DNS name "
        "(…vpce.amazonaws.com) that it connects to.",
    ),
    (
        "Availability zone ID",
        "A zone's real identity, e.g. use1-az1. Zone names such as us-east-1a are shuffled per "
        "account, so two accounts compare zones by ID. The platform can only connect in zones "
        "both sides have.",
    ),
    (
        "RDS Proxy",
        "An AWS connection pooler in front of an RDS database. It works behind PrivateLink, but "
        "it does not carry PostgreSQL logical replication (CDC).",
    ),
    (
        "Presenter mode",
        "A View-menu switch that hides account ids (•••• 7834) and secrets on screen, in the log "
        "and in reports, for screen sharing. It changes nothing the wizard does.",
    ),
)

# AWS documentation per page (by page class): the page's subject, on docs.aws.amazon.com.
HELP_URLS: dict[str, tuple[str, str]] = {
    "CredentialsPage": (
        "https://docs.aws.amazon.com/cli/latest/userguide/cli-configure-files.html",
        "AWS profiles and credentials",
    ),
    "SourcePage": (
        "https://docs.aws.amazon.com/vpc/latest/privatelink/concepts.html",
        "AWS PrivateLink concepts",
    ),
    "NlbPage": (
        "https://docs.aws.amazon.com/elasticloadbalancing/latest/network/create-network-load-balancer.html",
        "Create a Network Load Balancer",
    ),
    "TargetGroupPage": (
        "https://docs.aws.amazon.com/elasticloadbalancing/latest/network/load-balancer-target-groups.html",
        "Target groups for Network Load Balancers",
    ),
    "EndpointServicePage": (
        "https://docs.aws.amazon.com/vpc/latest/privatelink/create-endpoint-service.html",
        "Create an endpoint service",
    ),
    "AllowlistPage": (
        "https://docs.aws.amazon.com/vpc/latest/privatelink/configure-endpoint-service.html"
        "#add-remove-permissions",
        "Manage permissions (allowed principals)",
    ),
    "ServiceNamePage": (
        "https://docs.aws.amazon.com/ram/latest/userguide/working-with-az-ids.html",
        "Availability zone IDs",
    ),
    "AcceptPage": (
        "https://docs.aws.amazon.com/vpc/latest/privatelink/configure-endpoint-service.html"
        "#accept-reject-connection-requests",
        "Accept or reject connection requests",
    ),
    "DonePage": (
        "https://docs.aws.amazon.com/vpc/latest/privatelink/what-is-privatelink.html",
        "What is AWS PrivateLink?",
    ),
}
RDS_PROXY_URL = "https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/rds-proxy.html"


def help_url(page_class: str) -> tuple[str, str] | None:
    return HELP_URLS.get(page_class)


def help_links_html(page_class: str) -> str:
    """The links that end a page's "What is this?" box: its AWS doc page and the glossary."""
    links = []
    found = help_url(page_class)
    if found:
        url, title = found
        links.append(f'<a href="{escape(url)}">AWS docs: {escape(title)}</a>')
    links.append(f'<a href="{GLOSSARY_LINK}">Glossary</a>')
    return "<br>" + " · ".join(links)


def glossary_html() -> str:
    items = "".join(
        f'<dt><a name="{escape(term)}"></a><b>{escape(term)}</b></dt><dd>{escape(text)}</dd>'
        for term, text in GLOSSARY
    )
    return (
        "<p>The words the wizard uses, in plain terms.</p>"
        f"<dl>{items}</dl>"
        f'<p>More: <a href="{HELP_URLS["DonePage"][0]}">What is AWS PrivateLink?</a> · '
        f'<a href="{RDS_PROXY_URL}">Amazon RDS Proxy</a></p>'
    )
