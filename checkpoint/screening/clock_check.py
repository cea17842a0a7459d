"""The lane's and the CLI's word on this laptop's clock: the facts from the log, the doubts
(`domain.clock`), and the sentences in the user's language.

    facts = read_facts(store)
    text = clock_warning(desk.clock(), facts, "zh-CN")   # None: nothing to say
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from checkpoint.domain.clock import ClockDoubt, ClockFacts, clock_doubts
from checkpoint.locale import Language, translate
from checkpoint.locale.spans import skew_text
from checkpoint.store.engine import Store
from checkpoint.store.models import LOG_TABLES
from checkpoint.store.sync_state import head_seq, known_skew


def _aware(value: object) -> datetime:
    moment = datetime.fromisoformat(str(value))
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def read_facts(store: Store) -> ClockFacts:
    """What the log knows besides the clock: its newest record's time, the checkpoint's
    registration, the skew of the last sync. A few indexed reads."""
    with store.reading() as session:
        connection = session.connection()
        head = head_seq(session=session)
        last: datetime | None = None
        if head:
            for table in LOG_TABLES:  # the newest row is in one of them: seq is unique
                value = connection.exec_driver_sql(
                    f"SELECT created_at FROM {table.__tablename__} WHERE seq = ?", (head,)
                ).scalar()
                if value is not None:
                    last = _aware(value)
                    break
        registered = connection.exec_driver_sql(
            "SELECT active_from FROM checkpoint ORDER BY seq DESC LIMIT 1"
        ).scalar()
        skew = known_skew(session=session)
    return ClockFacts(
        last_record_at=last,
        registered_at=_aware(registered) if registered is not None else None,
        skew=timedelta(seconds=skew[0]) if skew is not None else None,
        hub_time_at=skew[1] if skew is not None else None,
    )


def _local(moment: datetime | None) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC") if moment else "—"


def doubt_text(doubt: ClockDoubt, now: datetime, facts: ClockFacts, language: Language) -> str:
    """One doubt in plain words, with the times that show it."""
    return translate(
        f"clock.doubt.{doubt.value}",
        language,
        now=_local(now),
        last=_local(facts.last_record_at),
        registered=_local(facts.registered_at),
        hub=_local(facts.hub_time_at),
        skew=skew_text(facts.skew, language) if facts.skew is not None else "",
    )


def clock_warning(now: datetime, facts: ClockFacts, language: Language) -> str | None:
    """What the lane says about a clock that says `now`: its doubts and what to do; None when
    the clock can be believed."""
    doubts = clock_doubts(now, facts)
    if not doubts:
        return None
    said = " ".join(doubt_text(d, now, facts, language) for d in doubts)
    return translate("clock.warning", language, doubts=said)
