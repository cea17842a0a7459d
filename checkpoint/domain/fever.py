"""The fever rule (domain.md, "The fever rule and what follows", rule 1).

A body temperature rounded half-up to 0.1 ℃ at or over the threshold (37.3 ℃ by default) makes
a person suspected. Sources that say "above 37.2 ℃" mean the same at 0.1 ℃ resolution, which is
why the comparison is on the rounded value. Surface and ambient values are never compared.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum
from typing import Final, Self

from checkpoint.domain.readings import Reading, round_half_up_01
from checkpoint.domain.vocabulary import Plausibility, Site

DEFAULT_THRESHOLD_C: Final = Decimal("37.3")
_TENTH: Final = Decimal("0.1")


class NotCompared(StrEnum):
    """Why a reading was not compared with the threshold (labels: `fever.not_compared.*`)."""

    SURFACE = "surface"
    """An object (skin) value: it runs below body temperature and would hide a fever."""
    AMBIENT = "ambient"
    UNIT_UNKNOWN = "unit-unknown"
    """A bare 90–110 or similar: nobody has said whether it is ℃ or ℉."""
    IMPLAUSIBLE = "implausible"
    """A "Lo" body value: the thermometer did not see a person properly; measure again."""


@dataclass(frozen=True, slots=True)
class FeverAssessment:
    """What the fever rule made of one reading, with the threshold in force at the time."""

    compared: bool
    """Whether the value was compared with the threshold at all."""
    rounded_c: Decimal | None
    """The value rounded half-up to 0.1 ℃; None when not compared."""
    at_or_over: bool
    """Compared and at or over the threshold: the person is suspected."""
    threshold_c: Decimal
    reason: NotCompared | None = None
    """Why it was not compared; None when it was."""
    plausibility: Plausibility = Plausibility.OK
    """HI values are compared and flagged, and must also be measured again."""

    @property
    def remeasure_advised(self) -> bool:
        """The value cannot be trusted as it stands (Lo/Hi, unknown unit): measure again."""
        return self.plausibility is not Plausibility.OK or self.reason is NotCompared.UNIT_UNKNOWN


@dataclass(frozen=True, slots=True)
class FeverRule:
    """Compares body temperatures with a threshold on the 0.1 ℃ grid."""

    threshold_c: Decimal = DEFAULT_THRESHOLD_C
    """Values whose rounded ℃ value is at or over this are suspected ("≥ 37.3 ℃")."""

    def __post_init__(self) -> None:
        if not isinstance(self.threshold_c, Decimal) or not self.threshold_c.is_finite():
            raise ValueError(f"fever threshold {self.threshold_c!r} is not a finite Decimal")
        # A threshold between grid points (37.25) would make "≥" and "above" disagree again.
        if self.threshold_c != self.threshold_c.quantize(_TENTH):
            raise ValueError(f"fever threshold {self.threshold_c} is not a multiple of 0.1 ℃")

    @classmethod
    def above(cls, limit_c: Decimal) -> Self:
        """The rule as some sources word it, "above 37.2 ℃": the same as ≥ limit + 0.1 ℃."""
        return cls(limit_c + _TENTH)

    def assess(self, reading: Reading) -> FeverAssessment:
        """Compare `reading` with the threshold if it is a body value that can be compared.

        OBJECT and AMBIENT values are never compared; a body value in an unknown unit or
        below the plausibility window ("Lo") is not either. A "Hi" body value is compared and
        so flagged: it must be followed up as well as measured again.
        """
        reason = _not_compared(reading)
        if reason is not None:
            return FeverAssessment(
                compared=False,
                rounded_c=None,
                at_or_over=False,
                threshold_c=self.threshold_c,
                reason=reason,
                plausibility=reading.plausibility,
            )
        assert reading.value_c is not None  # _not_compared rules out unknown units
        rounded = round_half_up_01(reading.value_c)
        return FeverAssessment(
            compared=True,
            rounded_c=rounded,
            # HI is flagged even under a window set below the threshold: an out-of-range
            # high value is never waved through.
            at_or_over=rounded >= self.threshold_c or reading.plausibility is Plausibility.HI,
            threshold_c=self.threshold_c,
            plausibility=reading.plausibility,
        )


def _not_compared(reading: Reading) -> NotCompared | None:
    if reading.site is Site.OBJECT:
        return NotCompared.SURFACE
    if reading.site is Site.AMBIENT:
        return NotCompared.AMBIENT
    if reading.value_c is None:
        return NotCompared.UNIT_UNKNOWN
    if reading.plausibility is Plausibility.LO:
        return NotCompared.IMPLAUSIBLE
    return None
