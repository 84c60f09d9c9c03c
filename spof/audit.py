"""Audit any Pulumi Python program: run it offline and apply the SPOF rules to what it registers."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from . import engine, stackconfig
from .report import Report
from .rules import evaluate
from .scenarios import build_sections


def build_audit(
    directory: Path, stack: str | None = None, assignments: Sequence[str] = (), severity: str = "mandatory"
) -> Report:
    """Record the program in `directory` and report its findings.

    The stack's file is read when it exists (with one stack file, that stack is the default);
    without one, the program runs with no configuration beyond the `--set` values.
    """
    program = engine.Program.load(directory)
    names = stackconfig.stack_names(program.stack_config_dir)
    if stack is None:
        stack = names[0] if len(names) == 1 else "audit"
    values: dict = {}
    if stack in names:
        values = stackconfig.load(stackconfig.stack_file(program.stack_config_dir, stack))
    for assignment in assignments:
        stackconfig.apply(values, *stackconfig.parse_assignment(assignment, program.project))

    recording = engine.record(program, stack, engine.encode_config(values))
    graph = recording.graph
    return Report(
        stack=stack,
        project=program.project,
        graph=graph,
        findings=evaluate(graph, severity),
        outputs=recording.outputs,
        simulated_invokes=recording.simulated_invokes,
        unanswered_invokes=recording.unanswered_invokes,
        warnings=recording.warnings,
        sections=build_sections(graph),
    )
