"""Run a Pulumi Python program under the SDK's mock engine and record what it registers.

No Pulumi CLI, plugin or cloud account is involved: the program's own code runs, and every
resource it registers gets simulated outputs from `spof.simulated`. Each is recorded with its
camelCase inputs, its parent, its provider and the resources each property depends on. The run
is a preview, as in `pulumi preview`: a callback on a value that nothing simulates is skipped,
and the value is recorded as unknown.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import runpy
import sys
import threading
import traceback
import warnings
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from . import simulated
from .graph import UNKNOWN, Graph, Resource


class ProgramError(Exception):
    """A program that could not be loaded or that failed while it ran: bad input, exit 2."""


@dataclass
class Program:
    """A Pulumi program on disk: its directory, project name and entry file."""

    directory: Path
    project: str
    main: Path
    stack_config_dir: Path

    @classmethod
    def load(cls, directory: Path) -> Program:
        """Read Pulumi.yaml and find the entry file, or raise ProgramError saying what is missing."""
        directory = directory.resolve()
        if not directory.is_dir():
            raise ProgramError(f"{directory}: not a directory")
        project_file = next(
            (directory / name for name in ("Pulumi.yaml", "Pulumi.yml") if (directory / name).is_file()), None
        )
        if project_file is None:
            raise ProgramError(f"{directory}: no Pulumi.yaml found; expected a Pulumi project directory")
        try:
            project = yaml.safe_load(project_file.read_text()) or {}
        except yaml.YAMLError as error:
            raise ProgramError(f"{project_file}: invalid YAML: {_yaml_problem(error)}") from None
        if not isinstance(project, dict) or not isinstance(project.get("name"), str):
            raise ProgramError(f"{project_file}: missing project name; expected a `name:` entry")
        runtime = project.get("runtime")
        runtime_name = runtime.get("name") if isinstance(runtime, dict) else runtime
        if runtime_name != "python":
            raise ProgramError(
                f"{project_file}: runtime {runtime_name!r} is not supported; "
                "only Python programs can run under the mock engine"
            )
        main = directory / str(project.get("main") or "")
        if main.is_dir() or main == directory:
            main = main / "__main__.py"
        if not main.is_file():
            raise ProgramError(
                f"{directory}: no {main.relative_to(directory)} found; expected the program's entry file"
            )
        config_dir = directory / str(project.get("stackConfigDir") or "")
        return cls(directory, project["name"], main, config_dir)


@dataclass
class Recording:
    """The resources, stack outputs and data-source calls of one run of a program."""

    project: str
    stack: str
    resources: list[Resource]
    outputs: dict[str, Any]
    # Data-source calls that got a simulated result, and those that got none.
    simulated_invokes: list[str] = field(default_factory=list)
    unanswered_invokes: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    @property
    def graph(self) -> Graph:
        return Graph(self.resources)


def _yaml_problem(error: yaml.YAMLError) -> str:
    mark = getattr(error, "problem_mark", None)
    problem = getattr(error, "problem", None) or str(error)
    return f"line {mark.line + 1}: {problem}" if mark is not None else problem


def _plain(value: Any) -> Any:
    """Convert a deserialized property value into JSON-ready data, unknowns as UNKNOWN."""
    from pulumi.runtime import rpc

    if value is rpc.UNKNOWN or (isinstance(value, str) and value == rpc.UNKNOWN):
        return UNKNOWN
    if isinstance(value, Mapping):
        if value.get(rpc._special_sig_key) == rpc._special_secret_sig:
            # An input the provider marks secret, such as an SSM parameter's value, arrives in its
            # wire form, but rules compare the value itself.
            return _plain(value.get("value"))
        return {str(key): _plain(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(item) for item in value]
    if isinstance(value, float) and value.is_integer():
        # The mock engine hands every number over as a float; counts read better as integers.
        return int(value)
    if value is None or isinstance(value, (str, int, float, bool)):
        return value
    # Assets, archives and resource references have no JSON form; their text is enough here.
    return str(value)


def _run_recorded(program: Program, stack: str, config: Mapping[str, str]) -> Recording:
    import pulumi
    from pulumi.runtime import mocks, settings
    from pulumi.runtime import stack as runtime_stack
    from pulumi.runtime.sync_await import _sync_await

    region = str(config.get("aws:region") or simulated.DEFAULT_REGION)
    recording = Recording(program.project, stack, [], {})
    pending = threading.local()

    class SimulatedCloud(pulumi.runtime.Mocks):
        def new_resource(self, args: pulumi.runtime.MockResourceArgs) -> tuple[str | None, dict]:
            pending.inputs = args.inputs
            if not args.custom:
                return (None, {})
            urn = pending.urn
            resource_id, outputs = simulated.resource_state(args.typ, args.name, args.inputs, urn, region)
            if args.resource_id:
                resource_id = args.resource_id
            pending.outputs = outputs
            return (resource_id, {**args.inputs, **outputs})

        def call(self, args: pulumi.runtime.MockCallArgs) -> tuple[dict, list]:
            result = simulated.invoke_result(args.token, args.args, region)
            if result is None:
                recording.unanswered_invokes.append(args.token)
                return ({}, [])
            recording.simulated_invokes.append(args.token)
            return (result, [])

    class RecordingMonitor(mocks.MockMonitor):
        def RegisterResource(self, request: Any) -> Any:  # noqa: N802 - gRPC method name
            urn = self._start(request)
            response = super().RegisterResource(request)
            if request.type != "pulumi:pulumi:Stack":
                self._record(
                    urn,
                    request,
                    resource_id=response.id,
                    property_dependencies={
                        key: list(deps.urns) for key, deps in request.propertyDependencies.items() if deps.urns
                    },
                    custom=bool(request.custom),
                )
            return response

        def ReadResource(self, request: Any) -> Any:  # noqa: N802 - gRPC method name
            # A resource read with `.get()` exists already; it is recorded so that references
            # to it (an existing subnet, say) can be followed.
            urn = self._start(request)
            response = super().ReadResource(request)
            self._record(urn, request, resource_id=request.id, property_dependencies={}, custom=True)
            return response

        def _start(self, request: Any) -> str:
            # The mock's new_resource runs on this thread inside the SDK's call and reads these.
            urn = self.make_urn(request.parent, request.type, request.name)
            pending.urn = urn
            pending.outputs = {}
            return urn

        def _record(
            self,
            urn: str,
            request: Any,
            *,
            resource_id: str,
            property_dependencies: dict[str, list[str]],
            custom: bool,
        ) -> None:
            recording.resources.append(
                Resource(
                    urn=urn,
                    type=request.type,
                    name=request.name,
                    props=_plain(pending.inputs),
                    id=resource_id or None,
                    parent=request.parent or None,
                    provider=request.provider or None,
                    outputs=_plain(pending.outputs),
                    property_dependencies=property_dependencies,
                    custom=custom,
                )
            )

    class WarningCollector(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            if record.levelno >= logging.WARNING:
                recording.warnings.append(record.getMessage())

    logger = logging.getLogger(f"spof.engine.{id(recording)}")
    logger.propagate = False
    logger.addHandler(WarningCollector())

    # The SDK keeps its root stack and pending work in process globals; start from a clean slate.
    settings.set_root_resource(None)  # type: ignore[arg-type]
    pulumi.runtime.set_all_config(dict(config), [])
    mocks.set_mocks(
        SimulatedCloud(),
        project=program.project,
        stack=stack,
        preview=True,
        logger=logger,
        monitor=RecordingMonitor(SimulatedCloud()),
    )

    main = str(program.main)

    def run_program() -> None:
        runpy.run_path(main, run_name="__main__")

    with _program_context(program):
        _sync_await(runtime_stack.run_pulumi_func(run_program))
        # Registrations arrive from several threads; sorting by URN makes two runs print alike.
        recording.resources.sort(key=lambda resource: resource.urn)
        root = settings.get_root_resource()
        exported = dict(getattr(root, "outputs", {}) or {})
        for name, value in exported.items():
            resolved = _sync_await(pulumi.Output.from_input(value).future())
            recording.outputs[name] = _plain(resolved) if resolved is not None else UNKNOWN
    return recording


@contextlib.contextmanager
def _program_context(program: Program) -> Iterator[None]:
    """Run with the program's directory as working directory and import root, as Pulumi does.

    The program's print output goes to stderr so that a JSON report on stdout stays valid, and
    the modules it imported are dropped afterwards so that the next program gets its own.
    """
    before = set(sys.modules)
    cwd = os.getcwd()
    sys.path.insert(0, str(program.directory))
    os.chdir(program.directory)
    try:
        with contextlib.redirect_stdout(sys.stderr):
            yield
    finally:
        os.chdir(cwd)
        sys.path.remove(str(program.directory))
        for name in set(sys.modules) - before:
            module_file = getattr(sys.modules[name], "__file__", None) or ""
            # A virtualenv inside the program's directory contains packages, not the program.
            if module_file.startswith(str(program.directory) + os.sep) and "site-packages" not in module_file:
                del sys.modules[name]


def _describe_failure(error: BaseException, program: Program) -> str:
    """Describe a program's exception in one line, at the deepest line of the program's own code."""
    import pulumi

    if isinstance(error, pulumi.RunError):
        return str(error)
    location = ""
    if isinstance(error, SyntaxError) and error.filename:
        location = f"{_relative(error.filename, program)}:{error.lineno}: "
    else:
        for frame in reversed(traceback.extract_tb(error.__traceback__)):
            if frame.filename.startswith(str(program.directory) + os.sep) and "site-packages" not in frame.filename:
                location = f"{_relative(frame.filename, program)}:{frame.lineno}: "
                break
    detail = str(error) or error.__class__.__name__
    return f"{location}{error.__class__.__name__}: {detail}"


def _shown(path: Path) -> str:
    """Return a path relative to the working directory when it lies below it."""
    try:
        return str(path.relative_to(Path.cwd()))
    except ValueError:
        return str(path)


def _relative(filename: str, program: Program) -> str:
    try:
        return str(Path(filename).resolve().relative_to(program.directory))
    except ValueError:
        return filename


def record(program: Program, stack: str, config: Mapping[str, str]) -> Recording:
    """Run `program` as stack `stack` with `config` (namespaced keys, string values) and record it.

    Raises ProgramError, with the file and line where the program failed, when it raises.
    """
    with warnings.catch_warnings():
        # Provider SDKs warn about their own deprecated members on import and on use. The
        # deprecations that matter to a program reach the report as engine warnings instead.
        warnings.simplefilter("ignore", DeprecationWarning)
        try:
            return _run_recorded(program, stack, config)
        except ProgramError:
            raise
        except Exception as error:
            raise ProgramError(f"{_shown(program.main)} failed: {_describe_failure(error, program)}") from error


def encode_config(values: Mapping[str, Any]) -> dict[str, str]:
    """Encode config values the way Pulumi hands them to a program: strings, objects as JSON."""
    encoded: dict[str, str] = {}
    for key, value in values.items():
        if isinstance(value, str):
            encoded[key] = value
        elif isinstance(value, bool):
            encoded[key] = "true" if value else "false"
        else:
            encoded[key] = json.dumps(value)
    return encoded
