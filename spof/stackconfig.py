"""Stack files (`Pulumi.<stack>.yaml`) and `--set KEY=VALUE` overrides, as the Pulumi CLI reads them."""

from __future__ import annotations

import contextlib
import json
import os
from collections.abc import MutableMapping
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


def load(path: Path) -> dict[str, Any]:
    """Return the `config:` map of a stack file, keyed by namespaced key (`shop:azCount`)."""
    try:
        document = yaml.safe_load(path.read_text())
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        where = f"line {mark.line + 1}: " if mark is not None else ""
        problem = getattr(error, "problem", None) or "malformed YAML"
        raise StackConfigError(f"{path}: invalid YAML: {where}{problem}") from None
    if document is None:
        return {}
    if not isinstance(document, dict):
        raise StackConfigError(
            f"{path}: invalid stack file: expected a mapping with a `config:` key, got {type(document).__name__}"
        )
    config = document.get("config") or {}
    if not isinstance(config, dict):
        raise StackConfigError(f"{path}: config: invalid value: expected a mapping of keys to values")
    values: dict[str, Any] = {}
    for key, value in config.items():
        if not isinstance(key, str) or ":" not in key:
            raise StackConfigError(
                f"{path}: config key {key!r} is invalid: expected <namespace>:<key>, such as shop:azCount or aws:region"
            )
        # Encrypted values cannot be read offline; the plan only needs to know they are set.
        if isinstance(value, dict) and set(value) == {"secure"}:
            value = "<secret>"
        values[key] = value
    return values


def parse_assignment(assignment: str, project: str) -> tuple[str, list[str], Any]:
    """Split `KEY=VALUE` into its namespaced key, path and value.

    KEY is a dotted path as in `pulumi config set --path`; without a namespace it belongs to
    the project. VALUE is read as JSON where it parses and as a string otherwise.
    """
    key, separator, text = assignment.partition("=")
    if not separator or not key:
        raise StackConfigError(f"--set {assignment!r} is invalid: expected KEY=VALUE, such as --set azCount=2")
    if ":" not in key.split(".")[0]:
        key = f"{project}:{key}"
    namespaced, *path = key.split(".")
    if any(part == "" for part in path):
        raise StackConfigError(f"--set {assignment!r} is invalid: empty segment in the key path")
    try:
        value = json.loads(text)
    except json.JSONDecodeError:
        value = text
    return namespaced, path, value


def apply(values: MutableMapping[str, Any], namespaced: str, path: list[str], value: Any) -> None:
    """Set `value` at `path` inside the key `namespaced`, creating objects on the way."""
    if not path:
        values[namespaced] = value
        return
    current = values.get(namespaced)
    if isinstance(current, str):
        with contextlib.suppress(json.JSONDecodeError):
            current = json.loads(current)
    if current is None:
        current = {}
    if not isinstance(current, dict):
        raise StackConfigError(
            f"--set {namespaced}.{'.'.join(path)}: {namespaced} is not an object, so it has no member to set"
        )
    values[namespaced] = current
    node = current
    for index, part in enumerate(path[:-1]):
        child = node.setdefault(part, {})
        if not isinstance(child, dict):
            where = ".".join([namespaced, *path[: index + 1]])
            raise StackConfigError(
                f"--set {namespaced}.{'.'.join(path)}: {where} is not an object, so it has no member to set"
            )
        node = child
    node[path[-1]] = value
