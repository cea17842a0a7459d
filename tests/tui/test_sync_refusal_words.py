"""The lane's sync status says a hub's refusal in the volunteer's language with what to do,
against a real hub (uvicorn in a thread) that revoked the checkpoint's token."""

from __future__ import annotations

from pathlib import Path

import pytest

from checkpoint.hub import db
from checkpoint.screening.desk import ScreeningDesk
from checkpoint.store.engine import Store
from checkpoint.tui.app import make_app
from tests.sync.conftest import Hub
from tests.tui.test_background_sync import QUICK, bar, hub, settings_for, store  # noqa: F401
from tests.tui.test_screening_app import open_shift, until


@pytest.mark.parametrize(
    ("language", "said"),
    [
        ("zh-CN", "令牌已吊销：请向汇总端申请新令牌，"),
        ("en", "token revoked: ask the hub for a new one — retrying in"),
    ],
)
async def test_a_revoked_token_is_said_on_the_status_bar(
    tmp_path: Path,
    store: Store,  # noqa: F811
    hub: Hub,  # noqa: F811
    language: str,
    said: str,
) -> None:
    settings = settings_for(tmp_path, hub.address, None)
    token = hub.enroll(settings.checkpoint.id)
    db.revoke(hub.engine, settings.checkpoint.id)
    settings = settings_for(tmp_path, hub.address, token)
    desk = ScreeningDesk(store=store, settings=settings)
    app = make_app(desk, None, language=language, sync_timing=QUICK)  # type: ignore[arg-type]
    async with app.run_test(size=(160, 30)) as pilot:
        await open_shift(pilot, app)
        status = bar(app)
        await until(pilot, lambda: said in status.sync)
