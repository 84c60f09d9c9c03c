"""Build resource graphs by hand for rule tests: short ids, and changes addressed by name."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from spof.graph import Resource

STACK_URN = "urn:pulumi:test::shop::pulumi:pulumi:Stack::shop-test"


def urn(type_: str, name: str) -> str:
    return f"urn:pulumi:test::shop::{type_}::{name}"


def make(
    type_: str,
    logical_name: str,
    id: str | None = None,
    /,
    *,
    outputs: dict[str, Any] | None = None,
    provider: Resource | None = None,
    **props: Any,
) -> Resource:
    """Return a custom resource of the given type whose inputs are the keyword arguments.

    The parameters before the slash are positional only, so `name` and `id` can be inputs too.
    """
    return Resource(
        urn=urn(type_, logical_name),
        type=type_,
        name=logical_name,
        props=props,
        id=id,
        parent=STACK_URN,
        provider=f"{provider.urn}::{provider.id}" if provider is not None else None,
        outputs=outputs or {},
    )


def by_name(resources: Sequence[Resource], name: str) -> Resource:
    matches = [resource for resource in resources if resource.name == name]
    assert len(matches) == 1, f"expected one resource named {name}, found {len(matches)}"
    return matches[0]


def set_path(resources: Sequence[Resource], name: str, path: tuple[Any, ...], value: Any) -> None:
    """Set the property at `path` (keys and list indexes) of the resource called `name`."""
    container: Any = by_name(resources, name).props
    for step in path[:-1]:
        container = container[step]
    container[path[-1]] = value


def set_dependencies(resources: Sequence[Resource], name: str, key: str, targets: Sequence[str]) -> None:
    """Record that property `key` of resource `name` was computed from the named resources."""
    by_name(resources, name).property_dependencies[key] = [by_name(resources, target).urn for target in targets]
