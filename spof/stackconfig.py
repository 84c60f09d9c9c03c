"""Stack files (`Pulumi.<stack>.yaml`) and `--set KEY=VALUE` overrides, as the Pulumi CLI reads them."""

from __future__ import annotations

import contextlib
import json
import os
import re
from collections.abc import MutableMapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml


class StackConfigError(Exception):
    """A stack that does not exist, a malformed stack file or a malformed `--set`: exit 2."""


def stack_names(config_dir: Path) -> list[str]:
    return sorted(path.name[len("Pulumi.") : -len(".yaml")] for path in config_dir.glob("Pulumi.*.yaml"))


def stack_file(config_dir: Path, stack: str) -> Path:
    """Return the stack's file, or raise naming the stacks that exist."""
    path = config_dir / f"Pulumi.{stack}.yaml"
    if not path.is_file():
        available = ", ".join(stack_names(config_dir)) or "none"
        raise StackConfigError(
            f"stack {stack!r} not found: no {path.name} in {os.path.relpath(config_dir)}; available stacks: {available}"
        )
    return path


class _StackFileLoader(yaml.SafeLoader):
    """A YAML loader that reads stack files as the Pulumi CLI does.

    The Pulumi CLI parses YAML 1.2, where `yes`, `no`, `on` and `off` are strings rather than
    booleans, and it rejects a mapping that repeats a key; PyYAML's defaults differ on both.
    """


def _mapping_without_duplicates(loader: _StackFileLoader, node: yaml.MappingNode) -> dict[Any, Any]:
    seen: dict[Any, int] = {}
    for key_node, _ in node.value:
        key = loader.construct_object(key_node)
        if key in seen:
            raise yaml.constructor.ConstructorError(
                None, None, f"key {key!r} appears twice (first on line {seen[key] + 1})", key_node.start_mark
            )
        seen[key] = key_node.start_mark.line
    return loader.construct_mapping(node)


_StackFileLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _mapping_without_duplicates)
_StackFileLoader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:bool"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
_StackFileLoader.add_implicit_resolver(
    "tag:yaml.org,2002:bool", re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"), list("tTfF")
)


def load(path: Path) -> dict[str, Any]:
    """Return the `config:` map of a stack file, keyed by namespaced key (`shop:azCount`)."""
    shown = os.path.relpath(path)
    try:
        # A subclass of SafeLoader, so it constructs plain data only.
        document = yaml.load(path.read_text(), Loader=_StackFileLoader)
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        where = f"line {mark.line + 1}: " if mark is not None else ""
        problem = getattr(error, "problem", None) or "malformed YAML"
        raise StackConfigError(f"{shown}: invalid YAML: {where}{problem}") from None
    if document is None:
        return {}
    if not isinstance(document, dict):
        raise StackConfigError(
            f"{shown}: invalid stack file: expected a mapping with a `config:` key, got {type(document).__name__}"
        )
    config = document.get("config") or {}
    if not isinstance(config, dict):
        raise StackConfigError(f"{shown}: config: invalid value: expected a mapping of keys to values")
    values: dict[str, Any] = {}
    for key, value in config.items():
        if not isinstance(key, str) or ":" not in key:
            raise StackConfigError(
                f"{shown}: config key {key!r} is invalid: expected <namespace>:<key>, "
                "such as shop:azCount or aws:region"
            )
        # Encrypted values cannot be read offline; the plan only needs to know they are set.
        if isinstance(value, dict) and set(value) == {"secure"}:
            value = "<secret>"
        values[key] = value
    return values


PathPart = str | int
_SEGMENT = re.compile(r"([^\[\]]+)((?:\[\d+\])*)")


@dataclass(frozen=True)
class Assignment:
    """One `--set KEY=VALUE`: the namespaced key, the path inside it, and the value."""

    text: str
    namespaced: str
    path: tuple[PathPart, ...]
    value: Any
    raw: str

    @property
    def dotted(self) -> str:
        """The key as a dotted path without the project namespace or list indexes: `web.minSize`."""
        name = self.namespaced.split(":", 1)[1]
        return ".".join([name, *(part for part in self.path if isinstance(part, str))])


def _split_path(assignment: str, key: str) -> list[PathPart]:
    parts: list[PathPart] = []
    for segment in key.split("."):
        match = _SEGMENT.fullmatch(segment)
        if match is None:
            raise StackConfigError(
                f"--set {assignment!r} is invalid: {segment!r} is not a key name, optionally followed by "
                "list indexes such as admins[0]"
            )
        parts.append(match.group(1))
        parts.extend(int(index) for index in re.findall(r"\[(\d+)\]", match.group(2)))
    return parts


def parse_assignment(assignment: str, project: str) -> Assignment:
    """Parse `KEY=VALUE` as `pulumi config set --path` reads its key.

    KEY is a dotted path whose segments may end in list indexes (`payments.providers[1]`); without
    a namespace it belongs to the project. VALUE is read as JSON where it parses and as a string
    otherwise; `raw` keeps the text for keys that hold strings.
    """
    key, separator, text = assignment.partition("=")
    if not separator or not key:
        raise StackConfigError(f"--set {assignment!r} is invalid: expected KEY=VALUE, such as --set azCount=2")
    if ":" not in key.split(".")[0]:
        key = f"{project}:{key}"
    namespace, _, rest = key.partition(":")
    if not namespace or not rest:
        raise StackConfigError(
            f"--set {assignment!r} is invalid: expected KEY=VALUE with a key name, such as --set azCount=2"
        )
    head, *path = _split_path(assignment, rest)
    try:
        value = json.loads(text)
    except json.JSONDecodeError:
        value = text
    return Assignment(assignment, f"{namespace}:{head}", tuple(path), value, text)


def apply(values: MutableMapping[str, Any], assignment: Assignment, value: Any = None) -> None:
    """Set the assignment's value (or `value`) at its path, creating objects and lists on the way."""
    value = assignment.value if value is None else value
    if not assignment.path:
        values[assignment.namespaced] = value
        return
    current = values.get(assignment.namespaced)
    if isinstance(current, str):
        with contextlib.suppress(json.JSONDecodeError):
            current = json.loads(current)
    container: Any = current
    if container is None:
        container = [] if isinstance(assignment.path[0], int) else {}
    values[assignment.namespaced] = container
    parents: list[PathPart] = []
    node = container
    for index, part in enumerate(assignment.path):
        last = index == len(assignment.path) - 1
        where = assignment.namespaced + "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in parents)
        if isinstance(part, int):
            if not isinstance(node, list):
                raise StackConfigError(f"--set {assignment.text}: {where} is not a list, so it has no item {part}")
            if part > len(node):
                raise StackConfigError(
                    f"--set {assignment.text}: index {part} is out of range: {where} has {len(node)} items, "
                    f"so the next one is [{len(node)}]"
                )
            if part == len(node):
                node.append(None)
        elif not isinstance(node, dict):
            raise StackConfigError(f"--set {assignment.text}: {where} is not an object, so it has no member {part}")
        if last:
            node[part] = value
            return
        child = node[part] if isinstance(node, list) and isinstance(part, int) else node.get(part)
        if child is None:
            child = [] if isinstance(assignment.path[index + 1], int) else {}
            node[part] = child
        node = child
        parents.append(part)
