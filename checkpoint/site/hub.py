"""The site laptop's hub database: `site-hub.db` beside the log, holding the other lanes.

It is an ordinary hub database (`checkpoint/hub/db.py`), for this checkpoint only: the other
lanes sync to it (`checkpoint site serve`) or hand over bundles (`checkpoint site import`), and
it can still forward everything upward (`checkpoint hub forward --db sqlite:///…/site-hub.db`).

The checkpoint's token at the site is the one it already has (`[sync] token`, given by the
township): every lane of the checkpoint holds it, so a lane syncs to the site laptop by changing
its `[sync] hub_url` only, and its bundles, signed with that token, are good both at the site and
at the township. A checkpoint with no township token yet gets one made here, kept beside the
database (`site-token`, readable by its owner only), to set on every lane.

Bundles carry no lane name: the leader may name a lane when importing its bundle
(`site_lanes`); a lane that also sends day reports is named by them.

    site = open_site(settings, create=True)
    token = site.token
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Final

import sqlalchemy as sa

from checkpoint import files, paths
from checkpoint.config import Settings
from checkpoint.errors import CheckpointError
from checkpoint.hub import db
from checkpoint.wire.clock import EARLIEST_PLAUSIBLE
from checkpoint.wire.reports import lane_of

SITE_DB_NAME: Final = "site-hub.db"
TOKEN_FILE_NAME: Final = "site-token"

site_metadata = sa.MetaData()

site_lanes = sa.Table(
    "site_lanes",
    site_metadata,
    sa.Column("checkpoint_id", sa.String(32), primary_key=True),
    sa.Column("lane_id", sa.String(36), primary_key=True, comment=db.LANE_COLUMN_COMMENT),
    sa.Column("name", sa.String(40), nullable=False),
    sa.Column("named_at", sa.DateTime(timezone=True), nullable=False),
    comment="lane names the site's leader gave at import (bundles carry none)",
)


class SiteError(CheckpointError):
    """The site laptop's hub cannot be opened, served or fed."""


def site_db_path(settings: Settings) -> Path:
    """Where the site hub database of this laptop is: beside its log."""
    return settings.storage.database.parent / SITE_DB_NAME


def is_site_laptop(settings: Settings) -> bool:
    """Whether this laptop keeps a site hub (made by `checkpoint site serve` or `site import`)."""
    return site_db_path(settings).is_file()


@dataclass(frozen=True)
class Site:
    """The site hub of this laptop, open."""

    engine: sa.Engine
    checkpoint_id: str
    token: str
    """The token every lane of the checkpoint sets in `[sync] token`."""
    path: Path

    def name_lane(self, lane_id: str, name: str, *, now: datetime | None = None) -> None:
        """Call `lane_id` `name` at this site (a bundle's lane, which carries no name)."""
        values = {"name": name, "named_at": now or datetime.now(UTC)}
        with self.engine.begin() as connection:
            updated = connection.execute(
                site_lanes.update()
                .where(site_lanes.c.checkpoint_id == self.checkpoint_id)
                .where(site_lanes.c.lane_id == lane_id)
                .values(**values)
            )
            if updated.rowcount == 0:
                connection.execute(
                    site_lanes.insert().values(
                        checkpoint_id=self.checkpoint_id, lane_id=lane_id, **values
                    )
                )

    def lane_ids(self) -> list[str]:
        """The lanes of this checkpoint that handed in records or reports here."""
        with self.engine.connect() as connection:
            found = {
                *connection.execute(
                    sa.select(db.records.c.lane_id)
                    .where(db.records.c.checkpoint_id == self.checkpoint_id)
                    .distinct()
                ).scalars(),
                *connection.execute(
                    sa.select(db.reports.c.lane_id)
                    .where(db.reports.c.checkpoint_id == self.checkpoint_id)
                    .distinct()
                ).scalars(),
            }
            connection.rollback()
        return sorted(lane for lane in found if lane)

    def lane_name(self, lane_id: str) -> str:
        """The lane's name here: from its latest day report, else as named at the site."""
        with self.engine.connect() as connection:
            body = connection.execute(
                sa.select(db.reports.c.body)
                .where(db.reports.c.checkpoint_id == self.checkpoint_id)
                .where(db.reports.c.lane_id == lane_id)
                .order_by(db.reports.c.day.desc())
                .limit(1)
            ).scalar()
            named = connection.execute(
                sa.select(site_lanes.c.name)
                .where(site_lanes.c.checkpoint_id == self.checkpoint_id)
                .where(site_lanes.c.lane_id == lane_id)
            ).scalar()
            connection.rollback()
        return (lane_of(body)[1] if body is not None else "") or named or ""

    def close(self) -> None:
        self.engine.dispose()


def open_site(settings: Settings, *, create: bool) -> Site | None:
    """The site hub beside the log, enrolled with the checkpoint's token; None when this laptop
    keeps none and `create` is false. `SiteError` when it cannot be opened."""
    path = site_db_path(settings)
    if not create and not path.is_file():
        return None
    try:
        engine = db.make_engine(f"sqlite:///{path}")
        site_metadata.create_all(engine)
        token = _token(settings, path.parent, create=create)
        code = settings.checkpoint.id
        held = db.enrollment(engine, code)
        if token is not None and (held is None or held.token_hash != db.token_hash(token)):
            # The site hub is the checkpoint's own: its lanes screened before this laptop kept
            # a site, and their days are as real as later ones. Enrolled as from the earliest
            # plausible time, so it refuses only days after its today (`hub/report_days.py`).
            db.enroll(engine, code, token=token, now=EARLIEST_PLAUSIBLE)
    except (OSError, sa.exc.SQLAlchemyError) as error:
        raise SiteError.of("site.cannot_open", path=path, detail=error) from error
    return Site(engine=engine, checkpoint_id=code, token=token or "", path=path)


def _token(settings: Settings, folder: Path, *, create: bool) -> str | None:
    """The checkpoint's token: `[sync] token`, else the one made here before, else (with
    `create`) a new one, saved."""
    if settings.sync.token is not None:
        return settings.sync.token.get_secret_value()
    saved = folder / TOKEN_FILE_NAME
    if saved.is_file():
        return saved.read_text(encoding="utf-8").strip()
    if not create:
        return None
    token = secrets.token_urlsafe(32)
    paths.ensure_private_dir(folder)
    files.write_private(saved, token.encode())
    return token
