"""Render the README's generated sections from the code. A test fails when a copy is stale.

    python -m spof.docs [README.md]

rewrites each region between `<!-- NAME:begin -->` and `<!-- NAME:end -->` and leaves the rest of
the file untouched. The sections: the configuration keys, the stack outputs, the SPOF rules, and
the prod stack's failure matrix and diagram.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .graph import LAYERS
from .rules import Rule, all_rules

if TYPE_CHECKING:
    from .report import Report

README = Path(__file__).resolve().parent.parent / "README.md"
# The stack whose failure matrix and diagram the README shows.
README_STACK = "prod"


def _cell(text: str) -> str:
    return text.replace("|", "\\|") if text else "-"


def _layer_cell(rule: Rule) -> str:
    # A tier rule reports in the layer its resource is tagged with, web or app.
    return f"`{rule.layer}` or the tier's tag" if rule.tier else f"`{rule.layer}`"


def rules_table(rules: Iterable[Rule] | None = None) -> str:
    """Return the Markdown table of the rules, ordered by layer as the design lists them, then by id."""
    order = {layer: index for index, layer in enumerate(LAYERS)}
    selected = sorted(all_rules() if rules is None else rules, key=lambda rule: (order[rule.layer], rule.id))
    lines = [
        "| Rule | Layer | What it checks | Security Hub control | Checkov check |",
        "|------|-------|----------------|----------------------|---------------|",
    ]
    for rule in selected:
        lines.append(
            f"| `{rule.id}` | {_layer_cell(rule)} | {_cell(rule.description)} | {_cell(rule.security_hub)} "
            f"| {_cell(rule.checkov)} |"
        )
    return "\n".join(lines)


def _default(value: Any, required: bool) -> str:
    if required:
        return "required"
    if value == "":
        return "empty"
    return f"`{json.dumps(value) if not isinstance(value, str) else value}`"


def config_table() -> str:
    """Return the Markdown table of the configuration keys, with defaults and allowed values."""
    from components.config import AWS_REGION_KEY, SETTINGS

    lines = [
        "| Key | Default | Allowed | What it sets |",
        "|-----|---------|---------|--------------|",
        f"| `{AWS_REGION_KEY}` | required | an AWS region such as us-east-1 | Region of the stack. |",
    ]
    for setting in SETTINGS:
        lines.append(
            f"| `{setting.key}` | {_default(setting.default, setting.required)} | {_cell(setting.allowed())} "
            f"| {_cell(setting.description)} |"
        )
    return "\n".join(lines)


def outputs_table() -> str:
    """Return the Markdown table of the stack outputs."""
    from components.outputs import STACK_OUTPUTS

    lines = ["| Output | What it contains |", "|--------|------------------|"]
    lines.extend(f"| `{name}` | {_cell(description)} |" for name, description in STACK_OUTPUTS.items())
    return "\n".join(lines)


def matrix_section(report: Report) -> str:
    """Return the failure matrix and modeled availability of a plan, as Markdown."""
    from .scenarios import render_markdown

    return render_markdown(report.sections, report.stack).strip()


def diagram_section(report: Report) -> str:
    """Return the Mermaid diagram of a plan in a fenced block that GitHub renders."""
    from .diagram import render_mermaid

    return f"```mermaid\n{render_mermaid(report.graph).strip()}\n```"


def markers(name: str) -> tuple[str, str]:
    return f"<!-- {name}:begin -->", f"<!-- {name}:end -->"


def with_section(text: str, name: str, content: str) -> str:
    """Return `text` with the region between the markers of section `name` replaced by `content`.

    Raises ValueError when either marker is missing or they are out of order.
    """
    begin_marker, end_marker = markers(name)
    begin = text.find(begin_marker)
    end = text.find(end_marker)
    if begin < 0 or end < 0 or end < begin:
        raise ValueError(
            f"{name} markers not found: expected {begin_marker} followed by {end_marker}; "
            "add both where the section belongs"
        )
    return f"{text[: begin + len(begin_marker)]}\n{content}\n{text[end:]}"


def with_rules_table(text: str, table: str) -> str:
    return with_section(text, "rules", table)


def sections(report: Report) -> dict[str, str]:
    """Return every generated section, keyed by marker name, for the README's plan `report`."""
    renderers: dict[str, Callable[[], str]] = {
        "diagram": lambda: diagram_section(report),
        "config": config_table,
        "outputs": outputs_table,
        "rules": rules_table,
        "matrix": lambda: matrix_section(report),
    }
    return {name: render() for name, render in renderers.items()}


def regenerate(text: str, report: Report) -> str:
    """Return the README `text` with every generated section rewritten."""
    for name, content in sections(report).items():
        text = with_section(text, name, content)
    return text


def main(argv: list[str]) -> int:
    import warnings

    from .plan import build_plan

    warnings.simplefilter("ignore", DeprecationWarning)
    path = Path(argv[0]) if argv else README
    text = path.read_text()
    try:
        updated = regenerate(text, build_plan(README_STACK))
    except ValueError as error:
        print(f"error: {path}: {error}", file=sys.stderr)
        return 2
    if updated != text:
        path.write_text(updated)
        print(f"{path}: generated sections updated")
    else:
        print(f"{path}: generated sections are current")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
