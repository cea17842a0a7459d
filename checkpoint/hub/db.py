"""The hub's database: its tables (SQLAlchemy Core), engines for SQLite and PostgreSQL, tokens.

The hub holds what checkpoints sent it, one row per record (keyed by its checkpoint and UUID,
never updated), the checkpoints allowed to send with a hash of their token, the hubs below it
allowed to forward (`hubs`, same kind of token), how far each parent hub acknowledged what this one
forwards (`upstream_marks`) and which version of each daily report it holds
(`upstream_reports`), the checkpoints enrolled at the hubs below (`below_checkpoints`, so that
they are expected to report here too), and the daily reports (one per checkpoint, lane and
day, replaced on resubmission of that lane's report; when each version first arrived is kept
beside them). New tables reach an existing hub database through `create_all`; the one change
to an existing table (records keyed per checkpoint, no longer by id alone) is made once when an
older hub database opens. The report tables of a hub from before lanes (keyed by checkpoint
and day) are copied once into the lane tables, as each checkpoint's legacy lane.

JSON is stored as UTF-8 text, not with \\u escapes, so that a county's `LIKE '%王芳%'` finds
王芳; on PostgreSQL the JSON columns are `jsonb` (a hub made before is changed to it once, when
it opens), which can be queried and indexed. A record's JSON columns are held as JSON inside its
body (`wire.hub_body`). Hashes do not depend on any of this: they cover canonical JSON.

The default is an SQLite file in WAL mode with `synchronous=FULL`: a receipt says "stored" only
once the row survives a power cut, or a checkpoint's acknowledged mark could run ahead of what
the hub holds.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import secrets
import sqlite3
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.dialects import postgresql

from checkpoint import files, paths

metadata = sa.MetaData()

BodyJSON = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")
"""JSON, as `jsonb` on PostgreSQL."""

LANE_COLUMN_COMMENT = "the lane (one log of the checkpoint) that sent it; '' before lanes"

checkpoints = sa.Table(
    "checkpoints",
    metadata,
    sa.Column("id", sa.String(32), primary_key=True, comment="the checkpoint's code"),
    sa.Column("token_hash", sa.String(64), nullable=False, unique=True),
    sa.Column("enrolled_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
)

records = sa.Table(
    "records",
    metadata,
    sa.Column("id", sa.String(32), nullable=False, comment="the record's UUID, hex"),
    sa.Column("checkpoint_id", sa.String(32), nullable=False),
    sa.Column("table_name", sa.String(40), nullable=False),
    sa.Column("seq", sa.BigInteger, nullable=False),
    sa.Column("hash", sa.String(64), nullable=False),
    sa.Column(
        "body",
        BodyJSON,
        nullable=False,
        comment="the record as received (wire form), its JSON columns as JSON (wire.hub_body)",
    ),
    sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
    # Per checkpoint: an id another checkpoint's token sent first (its own copy of someone
    # else's record) can never stand in the way of the owner's record.
    sa.PrimaryKeyConstraint("checkpoint_id", "id", name="records_pkey"),
    # Last: added to the records of a hub from before lanes (`_add_lane_to_records`).
    sa.Column(
        "lane_id",
        sa.String(36),
        nullable=False,
        server_default="",
        comment="the lane (log) of the checkpoint it came from: each lane has its own seqs",
    ),
    # Serves the queries by checkpoint too; it replaces (checkpoint, seq), one index less to
    # write for every record stored.
    sa.Index("ix_records_checkpoint_lane_seq", "checkpoint_id", "lane_id", "seq"),
)

hubs = sa.Table(
    "hubs",
    metadata,
    sa.Column("id", sa.String(32), primary_key=True, comment="the downstream hub's name"),
    sa.Column("token_hash", sa.String(64), nullable=False, unique=True),
    sa.Column("enrolled_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
    comment="hubs below this one: their token may forward records of any checkpoint",
)

upstream_marks = sa.Table(
    "upstream_lane_marks",
    metadata,
    sa.Column("upstream", sa.String(300), primary_key=True, comment="the parent hub's address"),
    sa.Column("checkpoint_id", sa.String(32), primary_key=True),
    sa.Column("lane_id", sa.String(36), primary_key=True, comment=LANE_COLUMN_COMMENT),
    sa.Column(
        "acked_seq",
        sa.BigInteger,
        nullable=False,
        comment="every record of the checkpoint's lane up to this seq is held by the parent",
    ),
    sa.Column("last_success_at", sa.DateTime(timezone=True), nullable=True),
    sa.Column("last_attempt_at", sa.DateTime(timezone=True), nullable=True),
    sa.Column("last_error", sa.Text, nullable=True),
)

reports = sa.Table(
    "lane_reports",
    metadata,
    sa.Column("checkpoint_id", sa.String(32), primary_key=True),
    sa.Column("lane_id", sa.String(36), primary_key=True, comment=LANE_COLUMN_COMMENT),
    sa.Column("day", sa.Date, primary_key=True),
    sa.Column("body", BodyJSON, nullable=False),
    sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
    sa.Index("ix_lane_reports_day", "day"),
    comment="the daily report of each lane of each checkpoint, the latest version",
)

report_versions = sa.Table(
    "lane_report_versions",
    metadata,
    sa.Column("checkpoint_id", sa.String(32), primary_key=True),
    sa.Column("lane_id", sa.String(36), primary_key=True, comment=LANE_COLUMN_COMMENT),
    sa.Column("day", sa.Date, primary_key=True),
    sa.Column("digest", sa.String(64), primary_key=True, comment="wire.reports.report_digest"),
    sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
    comment="each distinct version of a lane's daily report and when it first arrived: the "
    "first one says whether the report was on time, the count whether it was revised",
)


upstream_reports = sa.Table(
    "upstream_lane_reports",
    metadata,
    sa.Column("upstream", sa.String(300), primary_key=True, comment="the parent hub's address"),
    sa.Column("checkpoint_id", sa.String(32), primary_key=True),
    sa.Column("lane_id", sa.String(36), primary_key=True, comment=LANE_COLUMN_COMMENT),
    sa.Column("day", sa.Date, primary_key=True),
    sa.Column(
        "digest",
        sa.String(64),
        nullable=False,
        comment="wire.reports.report_digest of the version the parent acknowledged",
    ),
    comment="which version of each lane's daily report a parent hub holds (forwarding)",
)

held_below = sa.Table(
    "held_below",
    metadata,
    sa.Column("checkpoint_id", sa.String(32), primary_key=True),
    sa.Column("lane_id", sa.String(36), primary_key=True, comment=LANE_COLUMN_COMMENT),
    sa.Column("id", sa.String(32), primary_key=True, comment="the record's id"),
    sa.Column("seq", sa.BigInteger, nullable=False),
    sa.Column("table_name", sa.String(40), nullable=False),
    sa.Column("reason", sa.Text, nullable=False, comment="why, in English"),
    sa.Column("said_at", sa.DateTime(timezone=True), nullable=False),
    comment="records a checkpoint's lane said it holds back (it cannot send them): their seqs "
    "are gaps known here, not losses; forwarding moves past them and tells the parent",
)

upstream_held = sa.Table(
    "upstream_held",
    metadata,
    sa.Column("upstream", sa.String(300), primary_key=True, comment="the parent hub's address"),
    sa.Column("checkpoint_id", sa.String(32), primary_key=True),
    sa.Column("lane_id", sa.String(36), primary_key=True, comment=LANE_COLUMN_COMMENT),
    sa.Column("kind", sa.String(8), primary_key=True, comment="'record' or 'report'"),
    sa.Column(
        "item", sa.String(40), primary_key=True, comment="the record's id, or the report's day"
    ),
    sa.Column("seq", sa.BigInteger, nullable=True, comment="the record's seq"),
    sa.Column("reason", sa.Text, nullable=False, comment="the parent's reason, in English"),
    sa.Column("first_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("last_at", sa.DateTime(timezone=True), nullable=False),
    comment="records and daily reports a parent hub refused (forwarding): held back so that "
    "they never stop the rest, tried again at every forward until the parent takes them",
)

_BEFORE_LANES: dict[str, tuple[str, tuple[str, ...]]] = {
    "lane_reports": ("reports", ("checkpoint_id", "day", "body", "received_at")),
    "lane_report_versions": (
        "report_versions",
        ("checkpoint_id", "day", "digest", "received_at"),
    ),
    "upstream_lane_reports": ("upstream_reports", ("upstream", "checkpoint_id", "day", "digest")),
    "upstream_lane_marks": (
        "upstream_marks",
        (
            "upstream",
            "checkpoint_id",
            "acked_seq",
            "last_success_at",
            "last_attempt_at",
            "last_error",
        ),
    ),
}
"""Report tables keyed by lane, and the tables a hub from before lanes kept them in."""


below_checkpoints = sa.Table(
    "below_checkpoints",
    metadata,
    sa.Column("hub", sa.String(32), primary_key=True, comment="the hub below that told us"),
    sa.Column("checkpoint_id", sa.String(32), primary_key=True),
    sa.Column("enrolled_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
    comment="checkpoints enrolled at a hub below this one (or further down), as it last said: "
    "they are expected to report here too",
)


def default_url() -> str:
    """The embedded default: hub.db in the per-user data folder."""
    return f"sqlite:///{paths.data_dir() / 'hub.db'}"


def _sqlite_pragmas(dbapi_connection: sqlite3.Connection, _record: Any) -> None:
    dbapi_connection.isolation_level = None  # SQLAlchemy's "begin" event opens transactions
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA busy_timeout = 30000")
    cursor.execute("PRAGMA journal_mode = WAL")
    cursor.execute("PRAGMA synchronous = FULL")
    cursor.close()


_READ_ONLY = "checkpoint_hub_read_only"
"""Execution option of a connection that only reads (SQLite: it need not wait for a writer)."""


def _sqlite_begin(connection: sa.Connection) -> None:
    # Take the write lock at BEGIN: a deferred transaction that reads then writes can fail
    # with SQLITE_BUSY halfway through when two batches arrive at once. A connection that only
    # reads begins deferred: it reads a snapshot (WAL) while a batch is being stored.
    if connection.get_execution_options().get(_READ_ONLY):
        connection.exec_driver_sql("BEGIN DEFERRED")
    else:
        connection.exec_driver_sql("BEGIN IMMEDIATE")


def make_engine(url: str) -> sa.Engine:
    """An engine on the hub's database, its tables created if missing."""
    parsed = sa.make_url(url)
    if parsed.get_backend_name() == "sqlite":
        database = parsed.database
        if database and database != ":memory:":
            path = Path(database).expanduser()
            # Private whatever the umask: SQLite gives -wal and -shm the database's permissions,
            # so a file created owner-only (or made so, if an older version left it readable)
            # keeps all three private.
            paths.ensure_private_dir(path.parent)
            if not files.create_private(path):
                for name in (path, Path(f"{path}-wal"), Path(f"{path}-shm")):
                    files.make_private(name)
        engine = sa.create_engine(parsed, pool_size=8, max_overflow=8, json_serializer=_json_text)
        event.listen(engine, "connect", _sqlite_pragmas)
        event.listen(engine, "begin", _sqlite_begin)
    else:
        engine = sa.create_engine(
            parsed, pool_size=8, max_overflow=8, pool_pre_ping=True, json_serializer=_json_text
        )
    missing = set(_BEFORE_LANES) - set(sa.inspect(engine).get_table_names())
    _add_lane_to_records(engine)
    metadata.create_all(engine)
    _records_keyed_per_checkpoint(engine)
    for index in records.indexes:  # the lane's index, on the records of a hub from before
        index.create(engine, checkfirst=True)
    with engine.begin() as connection:
        connection.exec_driver_sql("DROP INDEX IF EXISTS ix_records_checkpoint_seq")
    if engine.dialect.name == "postgresql":
        _json_to_jsonb(engine)
    _copy_from_before_lanes(engine, missing)
    return engine


def _records_keyed_per_checkpoint(engine: sa.Engine) -> None:
    """Key the `records` of a hub made when a record's id was unique hub-wide by (checkpoint,
    id), once. SQLite cannot change a primary key: the table is copied into a new one, in one
    transaction (a large hub's first start after the upgrade takes a while)."""
    key = sa.inspect(engine).get_pk_constraint("records")
    if key["constrained_columns"] != ["id"]:
        return
    with engine.begin() as connection:
        if engine.dialect.name == "postgresql":
            connection.exec_driver_sql(f'ALTER TABLE records DROP CONSTRAINT "{key["name"]}"')
            connection.exec_driver_sql(
                "ALTER TABLE records ADD CONSTRAINT records_pkey PRIMARY KEY (checkpoint_id, id)"
            )
            return
        columns = ", ".join(column.name for column in records.columns)
        for index in records.indexes:  # made anew with the new table
            connection.exec_driver_sql(f"DROP INDEX IF EXISTS {index.name}")
        connection.exec_driver_sql("ALTER TABLE records RENAME TO records_keyed_by_id")
        records.create(connection)
        connection.exec_driver_sql(
            f"INSERT INTO records ({columns}) SELECT {columns} FROM records_keyed_by_id"
        )
        connection.exec_driver_sql("DROP TABLE records_keyed_by_id")


def _add_lane_to_records(engine: sa.Engine) -> None:
    """Give the records of a hub from before lanes their lane column: the legacy lane."""
    inspector = sa.inspect(engine)
    if "records" not in inspector.get_table_names():
        return
    if any(column["name"] == "lane_id" for column in inspector.get_columns("records")):
        return
    with engine.begin() as connection:
        connection.exec_driver_sql(
            "ALTER TABLE records ADD COLUMN lane_id VARCHAR(36) NOT NULL DEFAULT ''"
        )


def _copy_from_before_lanes(engine: sa.Engine, created: set[str]) -> None:
    """Copy the daily reports a hub from before lanes held into the lane tables just created
    (`created`), each as the legacy lane ('') of its checkpoint. The old tables are left as
    they were, for a downgrade."""
    existing = set(sa.inspect(engine).get_table_names())
    with engine.begin() as connection:
        for table, (old, columns) in _BEFORE_LANES.items():
            if table not in created or old not in existing:
                continue
            names = ", ".join(columns)
            connection.exec_driver_sql(
                f"INSERT INTO {table} ({names}, lane_id) SELECT {names}, '' FROM {old}"
            )


_JSON_TEXT = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"), allow_nan=False)


def _json_text(value: Any) -> str:
    return _JSON_TEXT.encode(value)


def _json_to_jsonb(engine: sa.Engine) -> None:
    """Turn the `json` columns of a hub made before they were `jsonb` into `jsonb`, once.

    The table is rewritten (and locked) while it runs: on a large hub the first start after
    the upgrade takes a while.
    """
    with engine.begin() as connection:
        found = connection.execute(
            sa.text(
                "SELECT table_name, column_name FROM information_schema.columns "
                "WHERE table_schema = current_schema() AND data_type = 'json' "
                "AND table_name IN ('records', 'reports', 'lane_reports') AND column_name = 'body'"
            )
        ).all()
        for table, column in found:
            connection.exec_driver_sql(
                f'ALTER TABLE "{table}" ALTER COLUMN "{column}" TYPE jsonb USING "{column}"::jsonb'
            )


# ------------------------------------------------------------------------------------ tokens


def token_hash(token: str) -> str:
    """How a token is stored: its SHA-256, hex. The token itself is shown once and never kept."""
    return hashlib.sha256(token.encode()).hexdigest()


def enroll(
    engine: sa.Engine,
    checkpoint_id: str,
    *,
    now: datetime | None = None,
    hub: bool = False,
    token: str | None = None,
) -> str:
    """A new token for `checkpoint_id` (32 random bytes); any earlier token stops working.

    With `hub`, the token is for a hub below this one, named `checkpoint_id`: it may forward
    records of any checkpoint (`checkpoint hub forward`), each still checked against its hash.

    A new token for one still enrolled (a lost token, a reinstalled laptop) keeps its enrolment
    time: the days since then stay expected of it in the omission list. Enrolled again after a
    revocation, it is expected again from `now` (the checkpoint was set up anew).

    With `token`, that token is enrolled instead of a new one: a site laptop accepts the token
    its checkpoint already has (`checkpoint/site`), so that the lanes' bundles, signed with it,
    are good at the site and at the township alike.
    """
    principals = hubs if hub else checkpoints
    token = token or secrets.token_urlsafe(32)
    moment = now or datetime.now(UTC)
    values = {"token_hash": token_hash(token), "revoked_at": None}
    with engine.begin() as connection:
        updated = connection.execute(
            principals.update()
            .where(principals.c.id == checkpoint_id)
            .values(
                **values,
                enrolled_at=sa.case(
                    (principals.c.revoked_at.is_(None), principals.c.enrolled_at), else_=moment
                ),
            )
        )
        if updated.rowcount == 0:
            connection.execute(
                principals.insert().values(id=checkpoint_id, enrolled_at=moment, **values)
            )
    return token


def revoke(
    engine: sa.Engine, checkpoint_id: str, *, now: datetime | None = None, hub: bool = False
) -> bool:
    """Refuse `checkpoint_id`'s token (a hub's with `hub`) from now on; False if it was never
    enrolled. What it sent stays."""
    principals = hubs if hub else checkpoints
    with engine.begin() as connection:
        updated = connection.execute(
            principals.update()
            .where(principals.c.id == checkpoint_id)
            .values(revoked_at=now or datetime.now(UTC))
        )
    return updated.rowcount > 0


@dataclass(frozen=True)
class Identity:
    """Whose token a request carried."""

    checkpoint_id: str
    """The checkpoint's code, or the hub's name when `is_hub`."""
    revoked: bool
    is_hub: bool = False
    """A hub below this one: it may forward records of any checkpoint."""

    def may_act_for(self, checkpoint_id: str) -> bool:
        """Whether this caller may send or ask about `checkpoint_id`'s records."""
        return self.is_hub or self.checkpoint_id == checkpoint_id


def identify(engine: sa.Engine, token: str) -> Identity | None:
    """The checkpoint or hub `token` was issued to, None for a token the hub never issued."""
    wanted = token_hash(token)
    # Read only: every request asks, and a batch's request would otherwise wait for the write
    # lock of the batch being stored before it could even be checked.
    with engine.connect().execution_options(**{_READ_ONLY: True}) as connection:
        for principals in (checkpoints, hubs):
            row = connection.execute(
                sa.select(principals.c.id, principals.c.token_hash, principals.c.revoked_at).where(
                    principals.c.token_hash == wanted
                )
            ).first()
            # The lookup is by a hash the caller cannot steer; the comparison is constant-time
            # anyway.
            if row is not None and hmac.compare_digest(row.token_hash, wanted):
                connection.rollback()
                return Identity(
                    checkpoint_id=row.id,
                    revoked=row.revoked_at is not None,
                    is_hub=principals is hubs,
                )
        connection.rollback()
    return None


@dataclass(frozen=True)
class Enrollment:
    """A checkpoint's entry at this hub, as needed to check a bundle it signed."""

    checkpoint_id: str
    token_hash: str
    revoked: bool


def enrollment(engine: sa.Engine, checkpoint_id: str) -> Enrollment | None:
    """`checkpoint_id`'s current token hash and whether it is revoked; None if never enrolled."""
    with engine.connect() as connection:
        row = connection.execute(
            sa.select(checkpoints.c.token_hash, checkpoints.c.revoked_at).where(
                checkpoints.c.id == checkpoint_id
            )
        ).first()
        connection.rollback()
    if row is None:
        return None
    return Enrollment(checkpoint_id, row.token_hash, row.revoked_at is not None)
