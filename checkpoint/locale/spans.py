"""Spans of time and clock skews in words, in either language."""

from __future__ import annotations

from datetime import timedelta

from checkpoint.domain.clock import span_parts
from checkpoint.locale import Language, translate


def span_text(span: timedelta, language: Language) -> str:
    """A span in words, its sign dropped: "2 d 3:04:05" / "2 天 3:04:05", or "0:05:00"."""
    days, rest = span_parts(span)
    if days:
        return translate("clock.span_days", language, days=days, rest=rest)
    return rest


def skew_text(skew: timedelta, language: Language) -> str:
    """How far a clock is from the hub's (`skew`: that clock minus the hub's), in words."""
    if abs(skew) < timedelta(seconds=2):
        return translate("clock.skew.same", language)
    key = "clock.skew.ahead" if skew > timedelta(0) else "clock.skew.behind"
    return translate(key, language, span=span_text(skew, language))
