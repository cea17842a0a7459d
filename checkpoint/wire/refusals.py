"""The stable codes of the hub's refusals, shared by the hub (which sends them) and the client
(which says each in its user's language, from the catalog's `sync.hub.<code>`).

A refusal's body is `{"detail": <English reason>, "code": <one of these>, "params": {…}}`; a
client that does not know a code (an older client, a newer hub) shows the detail.
"""

from __future__ import annotations

from typing import Final

REFUSALS: Final = frozenset(
    {
        "token_required",
        "token_unknown",
        "token_revoked",
        "not_yours",
        "not_below",
        "hub_only",
        "too_large",
        "bad_body",
        "bad_json",
        "encoding",
        "invalid_body",
        "report_mismatch",
        "unmasked",
        "out_of_range",
        "day_in_future",
        "day_before_checkpoint",
    }
)
"""Every code a hub sends with a refusal (a client's catalogs have a text for each)."""
