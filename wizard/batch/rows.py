"""A batch file read and checked without AWS: every row's keys, types and values (the same
validators as the single `setup`), duplicate link names and databases asked twice, each problem
with its line. See the README's "Setting up several links from a file (batch)" for the format."""

from __future__ import annotations

import dataclasses
import difflib
import tomllib
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from wizard.alert_words import validate_email
from wizard.batch.lines import Table, locate
from wizard.consumer_regions import validate_consumer_regions
from wizard.consumers import Consumer, load_consumer
from wizard.errors import UserError, bad_input, file_error
from wizard.validators import (
    default_link_name,
    validate_link_name,
    validate_port,
    validate_principal,
    validate_region,
    validate_source_id,
    validate_subnet_ids,
)

LINK_KEYS = (
    "name",
    "source",
    "region",
    "port",
    "subnets",
    "consumer",
    "principal",
    "notify",
    "sync",
    "cross_zone",
    "consumer_regions",
    "database",
)
NESTED_DATABASE_KEYS = ("source", "port", "listener_port")
DATABASE_KEYS = ("link", "source", "region", "port", "listener_port")
TOP_KEYS = ("link", "database")
_LISTS = ("subnets", "consumer_regions")  # the keys whose value may be a list


@dataclass(frozen=True)
class Problem:
    line: int
    text: str

    def line_text(self, file_name: str) -> str:
        return f"{file_name}, line {self.line}: {self.text}"


@dataclass(frozen=True)
class Defaults:
    """What the command line gives every row that does not say otherwise."""

    region: str
    consumer: str = "rivery"
    principal: str = ""
    notify: str = ""
    sync: bool = True
    cross_zone: bool = True
    consumer_regions: tuple[str, ...] = ()


@dataclass(frozen=True)
class LinkRow:
    line: int
    name: str
    source: str
    region: str
    port: int | None
    subnets: tuple[str, ...] | None
    consumer: Consumer
    principal: str
    notify: str
    sync: bool
    cross_zone: bool
    consumer_regions: tuple[str, ...]  # other regions the platform connects from
    keys: dict[str, int] = field(default_factory=dict, compare=False)  # key -> its line

    def line_of(self, key: str) -> int:
        return self.keys.get(key, self.line)


@dataclass(frozen=True)
class DatabaseRow:
    """A database to add to a link: one of this file's (`in_file`) or one that exists already."""

    line: int
    link: str
    region: str
    source: str
    port: int | None  # the database's own port: needed for an EC2 server
    listener_port: int | None
    in_file: bool
    keys: dict[str, int] = field(default_factory=dict, compare=False)

    def line_of(self, key: str) -> int:
        return self.keys.get(key, self.line)


@dataclass
class BatchFile:
    links: list[LinkRow] = field(default_factory=list)
    databases: list[DatabaseRow] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    claims: list[_Claim] = field(default_factory=list)  # every row's ask, for the checks across rows


def read_batch(path: Path, defaults: Defaults) -> BatchFile:
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise file_error(exc, "read the batch file") from None
    except UnicodeDecodeError:
        raise UserError(
            f"{path} is not a text file",
            fix="Save it as UTF-8 text (a .toml file), then run again.",
            exit_code=2,
        ) from None
    return parse_batch(text, defaults)


def parse_batch(text: str, defaults: Defaults) -> BatchFile:
    """Every row checked fully without AWS; the problems sorted by line."""
    batch = BatchFile()
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        line = getattr(exc, "lineno", 0) or _line_in_message(str(exc))
        batch.problems.append(Problem(line, f"This is not valid TOML: {exc}."))
        return batch
    where = locate(text)
    for key in data:
        if key not in TOP_KEYS:
            batch.problems.append(Problem(_key_line(where, key), _unknown(key, TOP_KEYS, "at the top")))
    links = _tables(data, "link", where, batch.problems)
    databases = _tables(data, "database", where, batch.problems)
    if not links and not databases and not batch.problems:
        batch.problems.append(Problem(1, "There are no rows: add a [[link]] table for each link to build."))
    for values, table in links:
        _link_row(values, table, defaults, batch)
    for values, table in databases:
        _database_row(values, table, None, defaults, batch)
    _duplicates(batch)
    batch.problems.sort(key=lambda p: p.line)
    return batch


def _tables(
    data: dict[str, Any], key: str, where: Table, problems: list[Problem]
) -> list[tuple[dict[str, Any], Table]]:
    """The array of tables under `key`, each with where it is; anything else there is a problem."""
    if key not in data:
        return []
    values = data[key]
    located = where.tables(key)
    if not isinstance(values, list) or not all(isinstance(v, dict) for v in values):
        problems.append(
            Problem(where.line_of(key), f"'{key}' must be a list of tables: write each as [[{key}]].")
        )
        return []
    if len(located) != len(values):  # cannot happen for a document tomllib accepted; be safe
        located = [Table(where.line_of(key))] * len(values)
    return list(zip(values, located, strict=True))


def _link_row(values: dict[str, Any], table: Table, defaults: Defaults, batch: BatchFile) -> None:
    problems: list[Problem] = []
    check = _Checker(values, table, problems)
    check.unknown_keys(LINK_KEYS, "in a [[link]] table")
    source = check.required("source", validate_source_id)
    region = check.optional("region", validate_region, defaults.region)
    port = check.optional("port", _port, None)
    name = check.optional("name", validate_link_name, None)
    subnets = check.optional("subnets", _subnets, None)
    consumer = check.optional("consumer", _consumer, None)
    principal = check.optional("principal", validate_principal, "")
    notify = check.optional("notify", validate_email, defaults.notify)
    sync = check.optional("sync", _flag, defaults.sync)
    cross_zone = check.optional("cross_zone", _flag, defaults.cross_zone)
    home = region or defaults.region
    consumer_regions = check.value(
        "consumer_regions",
        values.get("consumer_regions", list(defaults.consumer_regions)),
        lambda v: _regions(v, home),
    )
    if consumer is None and "consumer" not in values:
        consumer = check.value("consumer", defaults.consumer, _consumer)
    if not principal and consumer is not None:
        principal = check.value("principal", defaults.principal or consumer.principal, validate_principal)
    link_name = name or (default_link_name(source) if source else "")
    nested = values.get("database", [])
    if not isinstance(nested, list) or not all(isinstance(v, dict) for v in nested):
        problems.append(
            Problem(
                table.line_of("database"),
                "'database' must be a list of tables: write each as [[link.database]].",
            )
        )
        nested = []
    batch.problems.extend(problems)
    if source is not None:
        batch.claims.append(_Claim(table.line, home, link_name, source, dict(table.keys), True, port))
    if not problems and source is not None and consumer is not None:
        batch.links.append(
            LinkRow(
                table.line,
                link_name,
                source,
                home,
                port,
                subnets,
                consumer,
                principal or "",
                notify or "",
                bool(sync),
                bool(cross_zone),
                consumer_regions or (),
                dict(table.keys),
            )
        )
    # Its databases are checked even when the link's own row has problems: each is reported.
    located = table.tables("database")
    for i, sub_values in enumerate(nested):
        sub_table = located[i] if i < len(located) else Table(table.line_of("database"))
        _database_row(sub_values, sub_table, link_name or "?", defaults, batch, home)


def _database_row(
    values: dict[str, Any],
    table: Table,
    link: str | None,
    defaults: Defaults,
    batch: BatchFile,
    region: str = "",
) -> None:
    """A database row: nested in a link (`link` given) or on its own, naming its link."""
    problems: list[Problem] = []
    check = _Checker(values, table, problems)
    if link is None:
        check.unknown_keys(DATABASE_KEYS, "in a [[database]] table")
        link = check.required("link", validate_link_name)
        region = check.optional("region", validate_region, defaults.region) or defaults.region
    else:
        check.unknown_keys(
            NESTED_DATABASE_KEYS, "in a [[link.database]] table (its link and region are the link's)"
        )
    source = check.required("source", validate_source_id)
    port = check.optional("port", _port, None)
    listener_port = check.optional("listener_port", _port, None)
    batch.problems.extend(problems)
    if source is not None and link is not None:
        batch.claims.append(_Claim(table.line, region, link, source, dict(table.keys), False, listener_port))
    if problems or source is None or link is None:
        return
    batch.databases.append(
        DatabaseRow(table.line, link, region, source, port, listener_port, False, dict(table.keys))
    )


def _duplicates(batch: BatchFile) -> None:
    """One row per link name and one per database (in a region); listener ports apart on a link.
    Rows with problems of their own count too: every clash is reported at once."""
    names: dict[tuple[str, str], int] = {}
    for claim in (c for c in batch.claims if c.is_link):
        first = names.setdefault((claim.region, claim.link), claim.line)
        if first != claim.line:
            batch.problems.append(
                Problem(
                    claim.keys.get("name", claim.line),
                    f"The link name '{claim.link}' is used already on line {first}"
                    + ("" if "name" in claim.keys else f" (it comes from the source {claim.source})")
                    + ': give each link its own name = "…", or add this database to that link '
                    "with a [[link.database]] table.",
                )
            )
    in_file = {(row.region, row.name) for row in batch.links}
    batch.databases = [dataclasses.replace(d, in_file=(d.region, d.link) in in_file) for d in batch.databases]
    seen: dict[tuple[str, str], int] = {}
    for claim in batch.claims:
        first = seen.setdefault((claim.region, claim.source.lower()), claim.line)
        if first != claim.line:
            batch.problems.append(
                Problem(
                    claim.keys.get("source", claim.line),
                    f"The database {claim.source} is asked for already on line {first}: a database "
                    "can be on one link only. Remove one of the two rows.",
                )
            )
    ports: dict[tuple[str, str, int], int] = {}
    for claim in batch.claims:
        if claim.port is None:
            continue
        first = ports.setdefault((claim.region, claim.link, claim.port), claim.line)
        if first != claim.line and not claim.is_link:
            batch.problems.append(
                Problem(
                    claim.keys.get("listener_port", claim.line),
                    f"Listener port {claim.port} of the link '{claim.link}' is taken already by "
                    f"line {first}: each database on a link needs its own port. Choose another, or "
                    "leave listener_port out to take the next free one.",
                )
            )


@dataclass(frozen=True)
class _Claim:
    """What a row asks for, valid or not: for the checks across rows."""

    line: int
    region: str
    link: str
    source: str
    keys: dict[str, int]
    is_link: bool
    port: int | None  # a link's port or a database's listener port, when given


class _Checker:
    """Reads a row's values, noting each problem at the line of the key it is about."""

    def __init__(self, values: dict[str, Any], table: Table, problems: list[Problem]) -> None:
        self.values, self.table, self.problems = values, table, problems

    def unknown_keys(self, allowed: tuple[str, ...], where: str) -> None:
        for key in self.values:
            if key not in allowed:
                self.problems.append(Problem(self.table.line_of(key), _unknown(key, allowed, where)))

    def required(self, key: str, validate: Callable[[Any], Any]) -> Any:
        if key not in self.values:
            self.problems.append(Problem(self.table.line, f'This row has no {key} = "…": it is required.'))
            return None
        return self.value(key, self.values[key], validate)

    def optional(self, key: str, validate: Callable[[Any], Any], default: Any) -> Any:
        return self.value(key, self.values[key], validate) if key in self.values else default

    def value(self, key: str, value: Any, validate: Callable[[Any], Any]) -> Any:
        if isinstance(value, dict) or (isinstance(value, list) and key not in _LISTS):
            self.problems.append(
                Problem(self.table.line_of(key), f"{key} must be a single value, not a list or table.")
            )
            return None
        try:
            return validate(value)
        except UserError as exc:
            self.problems.append(Problem(self.table.line_of(key), f"{key}: {exc.paragraph()}"))
            return None


def _port(value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, str)):
        raise UserError(
            f"'{value}' is not a port number", fix="Write a whole number such as 5432.", exit_code=2
        )
    return validate_port(value)


def _subnets(value: Any) -> tuple[str, ...]:
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        value = ",".join(value)
    if not isinstance(value, str):
        raise UserError(
            "subnets must be a list of subnet ids",
            fix='Write subnets = ["subnet-…", "subnet-…"].',
            exit_code=2,
        )
    return validate_subnet_ids(value)


def _regions(value: Any, link_region: str) -> tuple[str, ...]:
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise bad_input(
            "consumer_regions must be a list of regions", 'Write consumer_regions = ["us-west-2"].'
        )
    return validate_consumer_regions(value, link_region)


def _flag(value: Any) -> bool:
    if not isinstance(value, bool):
        raise UserError(
            f"'{value}' is not true or false", fix="Write true or false, without quotes.", exit_code=2
        )
    return value


def _consumer(value: Any) -> Consumer:
    if not isinstance(value, str):
        raise UserError(
            f"'{value}' is not a consumer profile", fix='Write its id, e.g. consumer = "rivery".', exit_code=2
        )
    return load_consumer(value)


def _unknown(key: str, allowed: tuple[str, ...], where: str) -> str:
    close = difflib.get_close_matches(key, allowed, n=1, cutoff=0.6)
    hint = f" Did you mean '{close[0]}'?" if close else f" The keys are: {', '.join(allowed)}."
    return f"'{key}' is not a key the wizard knows {where}.{hint}"


def _key_line(where: Table, key: str) -> int:
    child = where.children.get(key)
    if isinstance(child, Table):
        return child.line
    if isinstance(child, list) and child:
        return child[0].line
    return where.line_of(key)


def _line_in_message(message: str) -> int:
    import re

    match = re.search(r"line (\d+)", message)
    return int(match.group(1)) if match else 1
