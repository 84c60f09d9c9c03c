"""Shared fixtures: the repository on the import path, and offline plans built once per session."""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from spof.plan import build_plan  # noqa: E402
from spof.report import Report  # noqa: E402

PlanFactory = Callable[..., Report]


@pytest.fixture(scope="session")
def plan() -> PlanFactory:
    """Return a function that plans a stack with `--set` overrides, each combination built once.

    A plan runs the whole program under the mock engine; caching keeps the suite fast while
    every test still reads a real recording.
    """
    built: dict[tuple[str, tuple[str, ...]], Report] = {}

    def build(stack: str = "prod", *assignments: str) -> Report:
        key = (stack, assignments)
        if key not in built:
            built[key] = build_plan(stack, assignments)
        return built[key]

    return build
