"""Errors that reach the user: each says what is wrong and how to put it right."""

from __future__ import annotations

from typing import Self

from checkpoint.locale import DEFAULT_LANGUAGE, Language, translate


class CheckpointError(Exception):
    """An error with a message for the person at the keyboard.

    `message` says what is wrong; `hint` says how to fix it. Both are plain sentences so the
    CLI and the TUI can show them without a traceback. Errors built with `of()` also carry a
    message `code` and its `params`, so a screen can show them again in another language.
    """

    def __init__(
        self,
        message: str,
        *,
        hint: str = "",
        code: str = "",
        params: dict[str, object] | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint
        self.code = code
        self.params: dict[str, object] = dict(params or {})

    @classmethod
    def of(cls, code: str, /, **params: object) -> Self:
        """An error whose texts come from the catalog: `code` and `code + ".hint"`."""
        return cls(
            translate(code, DEFAULT_LANGUAGE, **params),
            hint=_hint(code, DEFAULT_LANGUAGE, params),
            code=code,
            params=params,
        )

    def text(self, language: Language) -> tuple[str, str]:
        """Message and hint in `language` (the English texts when there is no code)."""
        if not self.code:
            return self.message, self.hint
        return translate(self.code, language, **self.params), _hint(
            self.code, language, self.params
        )

    def __str__(self) -> str:
        return f"{self.message}\n{self.hint}" if self.hint else self.message


def _hint(code: str, language: Language, params: dict[str, object]) -> str:
    key = f"{code}.hint"
    text = translate(key, language, **params)
    return "" if text == key else text


class ConfigError(CheckpointError):
    """The configuration file or an environment override is invalid."""


class StoreError(CheckpointError):
    """The local log cannot be opened or written."""


class ValidationError(CheckpointError):
    """A value typed by a user or read from a device is not acceptable."""


class ReportError(CheckpointError):
    """A report cannot be rendered, printed or exported (no font, no printer, bad dates)."""
