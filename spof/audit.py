"""Audit any Pulumi Python program: run it offline and apply the SPOF rules to what it registers."""

from __future__ import annotations

import contextlib
import json
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from . import engine, stackconfig
from .report import Report
from .rules import SEVERITIES, evaluate
from .scenarios import build_sections

ENFORCEMENT_KEY = "redundancy.enforcement"


def stack_severity(values: Mapping[str, Any], project: str) -> str | None:
    """Return the stack's `<project>:redundancy.enforcement`, nested or flat, when it is set."""
    group = values.get(f"{project}:redundancy")
    if isinstance(group, str):
        with contextlib.suppress(json.JSONDecodeError):
            group = json.loads(group)
    setting = group.get("enforcement") if isinstance(group, Mapping) else None
    setting = setting or values.get(f"{project}:{ENFORCEMENT_KEY}")
    return setting if setting in SEVERITIES else None


def build_audit(
    directory: Path, stack: str | None = None, assignments: Sequence[str] = (), severity: str | None = None
) -> Report:
    """Record the program in `directory` and report its findings.

    With one stack file, that stack is the default; with several, `stack` must name one. A
    program without stack files runs with no configuration beyond the `--set` values. The
    severity is `severity` when given, else the stack's `redundancy.enforcement` setting, else
    mandatory.
    """
    program = engine.Program.load(directory)
    names = stackconfig.stack_names(program.stack_config_dir)
    if stack is None and len(names) > 1:
        raise stackconfig.StackConfigError(
            f"{program.directory.name} has several stacks ({', '.join(names)}): choose one with --stack"
        )
    if stack is None:
        stack = names[0] if names else "audit"
    values: dict = {}
    if names:
        values = stackconfig.load(stackconfig.stack_file(program.stack_config_dir, stack))
    for assignment in assignments:
        stackconfig.apply(values, stackconfig.parse_assignment(assignment, program.project))

    recording = engine.record(program, stack, engine.encode_config(values))
    graph = recording.graph
    return Report(
        stack=stack,
        project=program.project,
        graph=graph,
        findings=evaluate(graph, severity or stack_severity(values, program.project) or "mandatory"),
        outputs=recording.outputs,
        simulated_invokes=recording.simulated_invokes,
        unanswered_invokes=recording.unanswered_invokes,
        warnings=recording.warnings,
        sections=build_sections(graph),
    )
