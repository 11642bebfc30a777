"""Every CLI command and sub-command is documented in README (a command nobody can find does not exist)."""

from __future__ import annotations

from pathlib import Path

import typer

from voc.cli import app

README = (Path(__file__).resolve().parents[1] / "README.md").read_text(encoding="utf-8")


def _commands(t: typer.Typer, prefix: str = "voc") -> list[str]:
    out = []
    for cmd in t.registered_commands:
        out.append(f"{prefix} {cmd.name or cmd.callback.__name__.replace('_', '-')}")
    for group in t.registered_groups:
        out += _commands(group.typer_instance, f"{prefix} {group.name}")
    return out


def test_every_command_is_in_the_readme() -> None:
    commands = _commands(app)
    assert len(commands) >= 20
    missing = [c for c in commands if f"`{c}" not in README]
    assert not missing, f"commands missing from README: {missing}"
