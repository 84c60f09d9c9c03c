"""The README's generated sections match what the code produces."""

from __future__ import annotations

import pytest

from spof.docs import config_table, markers, outputs_table, regenerate, sections, with_section
from tests.conftest import ROOT, PlanFactory

README = ROOT / "README.md"


def test_readme_generated_sections_current(plan: PlanFactory) -> None:
    text = README.read_text()
    assert regenerate(text, plan("prod")) == text, (
        "README.md's generated sections differ from the code: run `venv/bin/python -m spof.docs` and commit README.md"
    )


def test_every_section_has_markers(plan: PlanFactory) -> None:
    text = README.read_text()
    for name in sections(plan("prod")):
        begin, end = markers(name)
        assert text.count(begin) == 1, name
        assert text.count(end) == 1, name


def test_config_table_lists_every_key() -> None:
    from components.config import SETTINGS

    rows = config_table().splitlines()[2:]
    assert len(rows) == len(SETTINGS) + 1
    for setting in SETTINGS:
        assert any(row.startswith(f"| `{setting.key}` |") for row in rows), setting.key


def test_outputs_table_lists_every_output() -> None:
    from components.outputs import STACK_OUTPUTS

    rows = outputs_table().splitlines()[2:]
    assert [row.split("`")[1] for row in rows] == list(STACK_OUTPUTS)


def test_stale_section_is_rewritten() -> None:
    text = "intro\n<!-- outputs:begin -->\nold table\n<!-- outputs:end -->\noutro\n"
    updated = with_section(text, "outputs", "new table")
    assert updated == "intro\n<!-- outputs:begin -->\nnew table\n<!-- outputs:end -->\noutro\n"


def test_missing_markers_rejected() -> None:
    with pytest.raises(ValueError, match="matrix markers not found"):
        with_section("# README\n", "matrix", "table")
