"""The documentation stays honest: every setting documented, the README's commands real."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from briefcast.settings import settings_reference

REPO = Path(__file__).resolve().parents[2]


def test_every_setting_is_documented_as_the_code_describes_it() -> None:
    page = (REPO / "docs" / "configuration.md").read_text()
    assert settings_reference() in page, (
        "run `briefcast settings` and paste it into docs/configuration.md"
    )


def test_readme_names_the_two_setup_commands_and_ci_runs_the_test_one() -> None:
    readme = (REPO / "README.md").read_text()
    assert "make run" in readme
    assert "make test" in readme
    makefile = (REPO / "Makefile").read_text()
    assert re.search(r"^run:", makefile, re.M)
    assert re.search(r"^test:", makefile, re.M)
    assert "make test" in (REPO / ".ci" / "run").read_text()


def _readme_commands() -> list[str]:
    """``briefcast …`` commands shown in the README's shell blocks."""
    readme = (REPO / "README.md").read_text()
    blocks = "\n".join(re.findall(r"```sh\n(.*?)```", readme, re.S))
    found = re.findall(r"(?:^|\s)briefcast ([a-z][a-z-]*(?: [a-z][a-z-]*)?)", blocks, re.M)
    return sorted(set(found))


@pytest.mark.parametrize("command", _readme_commands())
def test_every_command_in_the_readme_exists(command: str) -> None:
    from typer.testing import CliRunner

    from briefcast.cli import app

    result = CliRunner().invoke(app, [*command.split(), "--help"])
    assert result.exit_code == 0, result.output
