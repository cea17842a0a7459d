"""The command line's own words in the reader's language: `--help` and Click's and Typer's
messages ("Usage:", "Options", "Show this message and exit.", "No such option …").

The English is where Click, Typer and the commands wrote it (docstrings, `help=`); the other
languages' texts are in `locale/help.<language>.toml`, keyed by the English (it is not a message
catalog: the English has no key of its own). Which language: `--language` on the command line,
else the configured one (`CHECKPOINT_UI__LANGUAGE`, or `[ui] language` of the file), read the
cheap way `checkpoint run` reads it for its first screen.

Click and Typer translate through `gettext` (no catalogs of their own are installed), so each
module's `_` and `ngettext` are replaced by a lookup in that table, and `gettext.gettext`
itself for Typer's Rich help module, which is imported only when help or an error is shown and
computes its panel titles then. English needs none of it and changes nothing.
"""

from __future__ import annotations

import gettext
import re
import sys
from collections.abc import Callable, Mapping, Sequence
from functools import cache
from pathlib import Path
from typing import Any, Final

from checkpoint.locale import LANGUAGES, Language

LANGUAGE_OPTION: Final = "--language"
HELP_FLAGS: Final = frozenset({"--help"})
Command = Any
"""A Click command: Click's own, or the copy Typer ≥ 0.2x carries (not a `click.Command`)."""


def requested_language(argv: Sequence[str], config_path: Path | None) -> Language:
    """The language of the help: `--language X` (or `--language=X`) before the command's own
    arguments, else the one the configuration gives (its default when there is none)."""
    from checkpoint.cli.run_cmd import screen_language

    arguments = iter(argv)
    for argument in arguments:
        name, _, value = argument.partition("=")
        if name == LANGUAGE_OPTION:
            value = value or next(arguments, "")
            for language in LANGUAGES:
                if language.casefold() == value.casefold():
                    return language
        elif argument == "--":
            break
    return screen_language(config_path)


def config_option(argv: Sequence[str]) -> Path | None:
    """The `--config PATH` of the command line, if any (else CHECKPOINT_CONFIG or the default
    applies, as `screen_language` knows)."""
    arguments = iter(argv)
    for argument in arguments:
        name, equals, value = argument.partition("=")
        if name == "--config":
            value = value if equals else next(arguments, "")
            return Path(value) if value else None
    return None


@cache
def texts(language: Language) -> Mapping[str, Mapping[str, str]]:
    """The table of `language`: "click" (Click's and Typer's strings) and "help" (ours)."""
    if language == "en":
        return {"click": {}, "help": {}}
    import tomllib

    path = Path(__file__).parent.parent / "locale" / f"help.{language}.toml"
    table = tomllib.loads(path.read_text(encoding="utf-8"))
    return {"click": table.get("click", {}), "help": table.get("help", {})}


def speak(language: Language) -> None:
    """Make Click and Typer say their own words in `language` from now on."""
    if language == "en":
        return
    strings = texts(language)["click"]

    def translated(message: str) -> str:
        return strings.get(message, message)

    def translated_plural(singular: str, plural: str, count: int) -> str:
        return translated(singular if count == 1 else plural)

    gettext.gettext = translated  # Typer's Rich help, imported (and its titles made) later
    _error_sentences(language)
    for name, module in list(sys.modules.items()):
        if not name.startswith(("click.", "typer.")):
            continue
        if callable(getattr(module, "_", None)):
            module._ = translated  # type: ignore[attr-defined]
        if callable(getattr(module, "ngettext", None)):
            module.ngettext = translated_plural  # type: ignore[attr-defined]
    _usage_prefix(translated("Usage: "), language)


def _usage_prefix(prefix: str, language: Language) -> None:
    """Typer ≥ 0.2x carries its own copy of Click, which writes "Usage: " and the usage line's
    placeholders ("[OPTIONS]", "COMMAND [ARGS]...") as literals."""
    formatting = sys.modules.get("typer._click.formatting")
    if formatting is None:
        return
    formatter = formatting.HelpFormatter
    original = formatter.write_usage

    def write_usage(self: object, prog: str, args: str = "", given: str | None = None) -> None:
        for english, said in errors(language)["usage"].items():
            args = args.replace(english, said)
        original(self, prog, args, prefix if given is None else given)

    formatter.write_usage = write_usage


@cache
def errors(language: Language) -> Mapping[str, Mapping[str, str]]:
    """The table of Click's error sentences in `language` (`locale/errors.<language>.toml`):
    "errors" (English sentence → sentence), "names" (kinds of value) and "usage"
    (placeholders); read when an error or a usage line is shown, never before."""
    import tomllib

    path = Path(__file__).parent.parent / "locale" / f"errors.{language}.toml"
    table = tomllib.loads(path.read_text(encoding="utf-8"))
    return {part: table.get(part, {}) for part in ("errors", "names", "usage")}


_FIELD: Final = re.compile(r"\{(\w+)(?:![rs])?\}")


@cache
def _sentences(language: Language) -> tuple[tuple[re.Pattern[str], str], ...]:
    """Each English sentence of the table as a pattern (a field matches any text), in order."""
    found = []
    for english, said in errors(language)["errors"].items():
        pattern = "".join(
            f"(?P<{part}>.*?)" if index % 2 else re.escape(part)
            for index, part in enumerate(_FIELD.split(english))
        )
        found.append((re.compile(pattern + r"\Z", re.DOTALL), _FIELD.sub(r"{\1}", said)))
    return tuple(found)


def say_error(message: str, language: Language) -> str:
    """Click's or Typer's English error sentence `message` in `language`; as it is when the
    table has no sentence of its form (a message of ours is in the language already)."""
    names = errors(language)["names"]
    for pattern, said in _sentences(language):
        match = pattern.match(message)
        if match is None:
            continue
        fields = {
            name: names.get(value, say_error(value, language) if name == "message" else value)
            for name, value in match.groupdict().items()
        }
        # A sentence Click had said already ("没有命令 'x'。") then given a suffix by Typer.
        return said.format(**fields).replace("。。", "。")
    return message


def _error_sentences(language: Language) -> None:
    """Click's exceptions say their sentence (`format_message`) in `language`: the error box of
    Typer's Rich output and Click's plain one both print it."""
    for name in ("typer._click.exceptions", "click.exceptions"):
        module = sys.modules.get(name)
        if module is None:
            continue
        for exception in vars(module).values():
            if not isinstance(exception, type) or "format_message" not in vars(exception):
                continue
            english = vars(exception)["format_message"]

            def format_message(self: Any, english: Callable[[Any], str] = english) -> str:
                return say_error(english(self), language)

            type.__setattr__(exception, "format_message", format_message)


def localize(command: Command, language: Language) -> None:
    """Every help text of `command` and its subcommands in `language` (the English when the
    table has none), with Rich's markup brackets escaped: "[reports] printer" is a TOML
    section named in a sentence, not a style."""
    table = {**texts(language)["click"], **texts(language)["help"]}  # and "Show this message…"

    def say(text: str | None) -> str | None:
        if text is None:
            return None
        return table.get(text, text).replace("[", r"\[")

    _walk(command, lambda target: _relabel(target, say))


def _relabel(command: Command, say: Callable[[str | None], str | None]) -> None:
    command.help = say(command.help)
    command.short_help = say(command.short_help)
    for parameter in command.params:
        text = getattr(parameter, "help", None)
        if isinstance(text, str):
            parameter.help = say(text)
    # The --help option is made when it is needed, with Click's English text.
    make_help_option = command.get_help_option

    def get_help_option(ctx: Any) -> Any:
        option = make_help_option(ctx)
        if option is not None and option.help:
            option.help = say(option.help)
        return option

    command.get_help_option = get_help_option


def _walk(command: Command, visit: Callable[[Command], None]) -> None:
    visit(command)
    # Typer ≥ 0.2x has its own copy of Click: its groups are not `click.Group`s.
    subcommands = getattr(command, "commands", None)
    if isinstance(subcommands, dict):
        for sub in subcommands.values():
            _walk(sub, visit)


def help_texts(command: Command) -> list[str]:
    """Every help text of `command` and its subcommands, as written (for the tests)."""
    found: list[str] = []

    def collect(target: Command) -> None:
        found.extend(text for text in (target.help, target.short_help) if text)
        for parameter in target.params:
            text = getattr(parameter, "help", None)
            if isinstance(text, str) and text:
                found.append(text)

    _walk(command, collect)
    return found
