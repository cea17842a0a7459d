"""Which commands a command line registers: the one it names, or all of them."""

from __future__ import annotations

import subprocess
import sys

import pytest

from checkpoint.cli.commands import COMMANDS, invoked

ANY_ENV: dict[str, str] = {}


@pytest.mark.parametrize(
    ("argv", "expected"),
    [
        (["run", "--simulate"], "run"),
        (["--config", "x.toml", "run"], "run"),
        (["--config=x.toml", "report", "day"], "report"),
        (["--config", "run"], None),  # "run" is the config file's name here; nothing named
        (["hub", "serve", "--port", "8000"], "hub"),
        ([], None),
        (["--help"], None),
        (["--install-completion"], None),
        (["rnu"], None),  # misspelt: every command, so that Typer can suggest "run"
        (["--unknown", "run"], None),
    ],
)
def test_the_command_a_line_names(argv: list[str], expected: str | None) -> None:
    assert invoked(argv, ANY_ENV) == expected


def test_shell_completion_needs_every_command() -> None:
    assert invoked(["run"], {"_CHECKPOINT_COMPLETE": "complete_bash"}) is None


REGISTERED = (
    "import sys; from checkpoint.cli.main import _register, app; _register(sys.argv[1:]); "
    "names = [c.name for c in app.registered_commands] + [g.name for g in app.registered_groups]; "
    "print(' '.join(sorted(names))); "
    "print(' '.join(sorted(m for m in sys.modules if m.startswith('checkpoint.cli.'))))"
)


def _registered(*argv: str) -> tuple[list[str], list[str]]:
    done = subprocess.run(
        [sys.executable, "-c", REGISTERED, *argv], capture_output=True, text=True, check=True
    )
    names, modules = done.stdout.splitlines()
    return names.split(), modules.split()


def test_checkpoint_run_imports_only_the_run_command() -> None:
    names, modules = _registered("run", "--simulate")
    assert names == ["run"]
    assert "checkpoint.cli.hub_cmd" not in modules
    assert "checkpoint.cli.report_cmd" not in modules


def test_help_registers_every_command() -> None:
    names, _ = _registered("--help")
    assert sorted(names) == sorted(COMMANDS)


def test_every_command_answers_its_help() -> None:
    for name in COMMANDS:
        done = subprocess.run(
            [sys.executable, "-m", "checkpoint", name, "--help"],
            capture_output=True,
            text=True,
            check=False,
        )
        assert done.returncode == 0, f"{name} --help: {done.stderr}"
        assert f"checkpoint {name}" in done.stdout
