"""Render the README's table of SPOF rules from the registry. A test fails when the copy is stale.

    python -m spof.docs [README.md]

rewrites the table between the `<!-- rules:begin -->` and `<!-- rules:end -->` markers and leaves
the rest of the file untouched.
"""

from __future__ import annotations

import sys
from collections.abc import Iterable
from pathlib import Path

from .graph import LAYERS
from .rules import Rule, all_rules

RULES_BEGIN = "<!-- rules:begin -->"
RULES_END = "<!-- rules:end -->"
README = Path(__file__).resolve().parent.parent / "README.md"


def _cell(text: str) -> str:
    return text.replace("|", "\\|") if text else "-"


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
            f"| `{rule.id}` | `{rule.layer}` | {_cell(rule.description)} | {_cell(rule.security_hub)} "
            f"| {_cell(rule.checkov)} |"
        )
    return "\n".join(lines)


def with_rules_table(text: str, table: str) -> str:
    """Return `text` with the region between the rule markers replaced by `table`.

    Raises ValueError when either marker is missing or they are out of order.
    """
    begin = text.find(RULES_BEGIN)
    end = text.find(RULES_END)
    if begin < 0 or end < 0 or end < begin:
        raise ValueError(
            f"rule markers not found: expected {RULES_BEGIN} followed by {RULES_END}; add both where the table belongs"
        )
    return f"{text[: begin + len(RULES_BEGIN)]}\n{table}\n{text[end:]}"


def main(argv: list[str]) -> int:
    path = Path(argv[0]) if argv else README
    text = path.read_text()
    try:
        updated = with_rules_table(text, rules_table())
    except ValueError as error:
        print(f"error: {path}: {error}", file=sys.stderr)
        return 2
    if updated != text:
        path.write_text(updated)
        print(f"{path}: rules table updated")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
