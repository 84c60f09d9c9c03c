"""The offline plan of this repository's shop program, for one of its stacks."""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path

from . import engine, stackconfig
from .report import Report
from .rules import evaluate
from .scenarios import build_sections

ROOT = Path(__file__).resolve().parent.parent


class PlanInputError(Exception):
    """A stack, stack file or `--set` that the plan cannot use: exit 2."""


def _shown(path: Path) -> str:
    try:
        return os.path.relpath(path)
    except ValueError:
        return str(path)


def _assignment_key(assignment: str, project: str) -> str:
    namespaced, path, _ = stackconfig.parse_assignment(assignment, project)
    name = namespaced.split(":", 1)[1] if namespaced.startswith(project + ":") else namespaced
    return ".".join([name, *path])


def build_plan(stack: str, assignments: Sequence[str] = (), directory: Path = ROOT) -> Report:
    """Validate the stack's configuration, run the program offline and check its resources."""
    # The project's own schema lives beside the program; it is imported from there so that the
    # plan and `pulumi up` validate with the same code.
    from components.config import ConfigError, check_key, validate

    try:
        program = engine.Program.load(directory)
        path = stackconfig.stack_file(program.stack_config_dir, stack)
        from_file = stackconfig.load(path)
        values = {key: value for key, value in from_file.items()}
        for assignment in assignments:
            namespaced, key_path, value = stackconfig.parse_assignment(assignment, program.project)
            if namespaced.startswith(program.project + ":"):
                try:
                    check_key(".".join([namespaced.split(":", 1)[1], *key_path]))
                except ConfigError as error:
                    raise PlanInputError(f"--set {assignment}: {error}") from None
            stackconfig.apply(values, namespaced, key_path, value)
    except (engine.ProgramError, stackconfig.StackConfigError) as error:
        raise PlanInputError(str(error)) from None

    try:
        shop = validate(values, program.project)
    except ConfigError as error:
        raise PlanInputError(_blame(error, from_file, assignments, path, program.project)) from None

    recording = engine.record(program, stack, engine.encode_config(values))
    graph = recording.graph
    return Report(
        stack=stack,
        project=program.project,
        graph=graph,
        findings=evaluate(graph, shop.enforcement),
        outputs=recording.outputs,
        simulated_invokes=recording.simulated_invokes,
        unanswered_invokes=recording.unanswered_invokes,
        warnings=recording.warnings,
        sections=build_sections(graph),
    )


def _blame(error: Exception, from_file: dict, assignments: Sequence[str], path: Path, project: str) -> str:
    """Say whether a bad value came from the stack file or from a `--set`."""
    from components.config import ConfigError, validate

    key = getattr(error, "key", "")
    try:
        validate(from_file, project)
    except ConfigError as file_error:
        if file_error.key == key:
            return f"{_shown(path)}: {error}"
    matching = [
        a
        for a in assignments
        if _assignment_key(a, project).startswith(key) or key.startswith(_assignment_key(a, project))
    ]
    source = f"--set {matching[-1]}" if matching else "--set"
    return f"{source}: {error}"
