"""The hub's refusal codes, the shared list and the client's words for them agree."""

from __future__ import annotations

import re
from pathlib import Path

import checkpoint.hub.app
from checkpoint.locale import LANGUAGES, catalog
from checkpoint.wire.refusals import REFUSALS

HUB = Path(checkpoint.hub.app.__file__).parent


def test_every_code_the_hub_sends_is_listed_and_said_in_both_languages() -> None:
    sent: set[str] = set()
    for source in HUB.glob("*.py"):
        text = source.read_text(encoding="utf-8")
        sent |= set(re.findall(r'Refusal\(\s*\d{3},\s*"([a-z_]+)"', text))
        sent |= set(re.findall(r'refuse\w*\(\s*(?:\d{3},\s*)?"([a-z_]+)"', text))
    assert sent, "no refusal found in the hub's modules"
    assert sent <= REFUSALS, sent - REFUSALS
    for language in LANGUAGES:
        words = catalog(language)
        missing = [code for code in REFUSALS if f"sync.hub.{code}" not in words]
        assert not missing, (language, missing)
