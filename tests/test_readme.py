"""Docs that are tested: every setting and command must be in the README."""

from __future__ import annotations

from pathlib import Path

from assistant.cli import app
from assistant.config import Settings

README = (Path(__file__).resolve().parents[1] / "README.md").read_text()


def test_every_setting_is_documented() -> None:
    for name, field in Settings.model_fields.items():
        alias = field.validation_alias
        env = (
            alias.choices[0]
            if alias is not None and hasattr(alias, "choices")
            else f"SIGNPOST_{name.upper()}"
        )
        assert f"`{env}`" in README or env in README, f"{env} is not in the README"


def test_every_command_is_documented() -> None:
    for command in app.registered_commands:
        name = command.name or (command.callback.__name__ if command.callback else "")
        assert f"signpost {name}" in README, f"`signpost {name}` is not in the README"


def test_the_two_commands_and_tests_are_in_the_readme() -> None:
    assert 'pip install -e ".[dev]"' in README
    assert "signpost serve" in README
    assert "\n    pytest\n" in README
