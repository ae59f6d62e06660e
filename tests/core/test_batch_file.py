"""Issue 20 (4): a batch file read without AWS: each row's problems at the right line (header,
key, inline table), through comments and multi-line strings; did-you-mean for unknown keys;
duplicate link names and a database asked twice."""

from __future__ import annotations

from wizard.batch.lines import locate
from wizard.batch.rows import Defaults, parse_batch

DEFAULTS = Defaults(region="us-east-1")


def problems(text: str) -> list[tuple[int, str]]:
    return [(p.line, p.text) for p in parse_batch(text, DEFAULTS).problems]


def test_lines_of_headers_keys_and_inline_tables_through_comments_and_strings() -> None:
    text = '''# [[link]] in a comment is no table
[[link]]   # the first
name = "a"
note = """several lines
[[link]]
"""
source = 'x'

[[ "link" . database ]]
source = "b"

[[link]]
source = "d"
database = [ { source = "e" },
  {source="f", listener_port = 1} ]

[[database]]
link = "a"
source = "g"
'''
    root = locate(text)
    first, second = root.tables("link")
    assert (first.line, first.keys) == (2, {"name": 3, "note": 4, "source": 7})
    assert [(t.line, t.keys) for t in first.tables("database")] == [(9, {"source": 10})]
    assert second.line == 12 and second.line_of("database") == 14
    assert [(t.line, t.keys) for t in second.tables("database")] == [
        (14, {"source": 14}),
        (15, {"source": 15, "listener_port": 15}),
    ]
    assert [(t.line, t.keys) for t in root.tables("database")] == [(17, {"link": 18, "source": 19})]


def test_a_good_file_gives_rows_with_defaults_and_databases() -> None:
    batch = parse_batch(
        """
[[link]]
source = "orders-mysql"
subnets = ["subnet-0abc1234", "subnet-0def5678"]
[[link.database]]
source = "orders-pg"
listener_port = 5433

[[link]]
name = "reports"
source = "reports-aurora"
region = "eu-west-1"
sync = false

[[database]]
link = "legacy-link"
source = "billing-db"
""",
        DEFAULTS,
    )
    assert batch.problems == []
    first, second = batch.links
    assert (first.line, first.name, first.region, first.port) == (2, "plw-orders-mysql", "us-east-1", None)
    assert first.subnets == ("subnet-0abc1234", "subnet-0def5678") and first.sync is True
    assert first.principal == first.consumer.principal
    assert (second.name, second.region, second.sync) == ("reports", "eu-west-1", False)
    nested, alone = batch.databases
    assert (nested.line, nested.link, nested.source, nested.listener_port, nested.in_file) == (
        5,
        "plw-orders-mysql",
        "orders-pg",
        5433,
        True,
    )
    assert (alone.line, alone.link, alone.in_file) == (15, "legacy-link", False)


def test_every_bad_value_is_reported_at_its_key_line() -> None:
    found = problems(
        """[[link]]
source = "orders-mysql"
prot = 3306
port = "a lot"
subnets = "vpc-123"
sync = "yes"
notify = "nobody"
principal = "arn:aws:iam::123:root"

[[link]]
name = "Bad_Name"

[[link.database]]
source = "x"
link = "other"
"""
    )
    lines = [line for line, _ in found]
    assert lines == [3, 4, 5, 6, 7, 8, 10, 11, 15]
    texts = dict(found)
    assert texts[3] == ("'prot' is not a key the wizard knows in a [[link]] table. Did you mean 'port'?")
    assert texts[4].startswith("port: 'a lot' is not a port number")
    assert texts[6].startswith("sync: 'yes' is not true or false")
    assert texts[10] == 'This row has no source = "…": it is required.'
    assert texts[11].startswith("name: The link name 'Bad_Name' has characters AWS does not accept")
    assert "'link' is not a key the wizard knows in a [[link.database]] table" in texts[15]


def test_duplicate_names_and_a_database_asked_twice() -> None:
    found = problems(
        """[[link]]
source = "orders-mysql"

[[link]]
source = "orders-mysql"
name = "second"

[[link]]
source = "analytics-pg"
name = "second"
port = 5432
[[link.database]]
source = "ORDERS-MYSQL"
listener_port = 5432
"""
    )
    assert [line for line, _ in found] == [5, 10, 13, 14]
    texts = dict(found)
    assert "The database orders-mysql is asked for already on line 1" in texts[5]
    assert "The link name 'second' is used already on line 4" in texts[10]
    assert "The database ORDERS-MYSQL is asked for already on line 1" in texts[13]
    assert "Listener port 5432 of the link 'second' is taken already by line 8" in texts[14]


def test_not_toml_no_rows_and_unknown_tables() -> None:
    assert problems('[[link]]\nsource = "x\n')[0][0] == 2
    assert problems("# nothing\n") == [(1, "There are no rows: add a [[link]] table for each link to build.")]
    found = problems('[[links]]\nsource = "x"\n')
    assert found == [(1, "'links' is not a key the wizard knows at the top. Did you mean 'link'?")]
    assert problems('link = "x"\n') == [(1, "'link' must be a list of tables: write each as [[link]].")]


def test_inline_link_tables_and_consumer_regions() -> None:
    batch = parse_batch(
        """link = [
  { source = "orders-mysql", consumer_regions = ["us-west-2"] },   # line 2
  # an inline table stays on one line (TOML 1.0)
  { source = "analytics-pg", consumer_regions = "us-east-1" },     # the link's own region
]
""",
        Defaults(region="us-east-1", consumer_regions=("eu-west-1",)),
    )
    assert [(row.line, row.consumer_regions) for row in batch.links] == [(2, ("us-west-2",))]
    assert [(p.line, p.text.split(".")[0]) for p in batch.problems] == [
        (4, "consumer_regions: us-east-1 is the link's own region")
    ]
    # Without its own, a row takes the command line's --consumer-region.
    (row,) = parse_batch(
        '[[link]]\nsource = "x"\n', Defaults("us-east-1", consumer_regions=("eu-west-1",))
    ).links
    assert row.consumer_regions == ("eu-west-1",)


def test_a_row_with_problems_still_counts_for_the_checks_across_rows() -> None:
    found = problems(
        """[[link]]
source = "orders-mysql"
prot = 3306

[[link]]
name = "orders"
source = "orders-mysql"
"""
    )
    assert [line for line, _ in found] == [3, 7]
    assert "The database orders-mysql is asked for already on line 1" in dict(found)[7]
