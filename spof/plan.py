"""The offline plan of this repository's shop program, for one of its stacks."""

from __future__ import annotations

import copy
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


def _override(assignment: stackconfig.Assignment, project: str) -> object:
    """Check a project key of `--set` against the schema and return the value to set.

    Keys that hold strings take VALUE as typed, so `--set database.engineVersion=8.4` means the
    text "8.4", as `pulumi config set --path` stores it; a quoted JSON string is unquoted.
    """
    from components.config import SETTINGS_BY_KEY, ConfigError, check_key

    if not assignment.namespaced.startswith(project + ":"):
        return assignment.value
    try:
        check_key(assignment.dotted)
    except ConfigError as error:
        raise PlanInputError(f"--set {assignment.text}: {error}") from None
    setting = SETTINGS_BY_KEY.get(assignment.dotted)
    indexed = any(isinstance(part, int) for part in assignment.path)
    if indexed and (setting is None or setting.kind != "list"):
        raise PlanInputError(f"--set {assignment.text}: {assignment.dotted} is not a list, so it takes no index")
    holds_text = setting is not None and (setting.kind == "string" or (indexed and setting.kind == "list"))
    if holds_text and not isinstance(assignment.value, str):
        return assignment.raw
    return assignment.value


def build_plan(stack: str, assignments: Sequence[str] = (), directory: Path = ROOT) -> Report:
    """Validate the stack's configuration, run the program offline and check its resources."""
    # The project's own schema lives beside the program; it is imported from there so that the
    # plan and `pulumi up` validate with the same code.
    from components.config import ConfigError, validate

    try:
        program = engine.Program.load(directory)
        path = stackconfig.stack_file(program.stack_config_dir, stack)
        from_file = stackconfig.load(path)
        # Overrides change nested objects in place, and the file's own values must stay intact
        # to tell a bad value in the file from a bad `--set`.
        values = copy.deepcopy(from_file)
        parsed = [stackconfig.parse_assignment(assignment, program.project) for assignment in assignments]
        for assignment in parsed:
            stackconfig.apply(values, assignment, _override(assignment, program.project))
    except (engine.ProgramError, stackconfig.StackConfigError) as error:
        raise PlanInputError(str(error)) from None

    try:
        shop = validate(values, program.project)
    except ConfigError as error:
        raise PlanInputError(_blame(error, from_file, parsed, path, program.project)) from None

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


def _blame(
    error: Exception, from_file: dict, assignments: Sequence[stackconfig.Assignment], path: Path, project: str
) -> str:
    """Say whether a bad value came from the stack file or from a `--set`."""
    from components.config import ConfigError, validate

    key = getattr(error, "key", "")
    try:
        validate(from_file, project)
    except ConfigError as file_error:
        if file_error.key == key:
            return f"{_shown(path)}: {error}"
    matching = [
        assignment
        for assignment in assignments
        if assignment.namespaced.startswith(project + ":")
        and (assignment.dotted.startswith(key) or key.startswith(assignment.dotted))
    ]
    source = f"--set {matching[-1].text}" if matching else "--set"
    return f"{source}: {error}"
