"""Convert the resources that CrossGuard hands a stack policy into the graph the rules read.

During `pulumi preview` the engine gives a stack policy each resource's properties (camelCase,
as the rules expect) behind a proxy that raises UnknownValueError when a value is not known
yet. Nothing here reads through that proxy: the containers are unwrapped the way pulumi-policy
itself serializes them, and unknown sentinels become `graph.UNKNOWN`, which rules treat as
"cannot tell". A policy resource has no id, so references resolve through the property
dependencies, or through the `id` output once a resource exists.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

# The proxy classes are private to pulumi-policy, but its own serializer unwraps them the same way.
from pulumi_policy.proxy import (
    UNKNOWN_ARCHIVE_VALUE,
    UNKNOWN_ARRAY_VALUE,
    UNKNOWN_ASSET_VALUE,
    UNKNOWN_BOOLEAN_VALUE,
    UNKNOWN_NUMBER_VALUE,
    UNKNOWN_OBJECT_VALUE,
    UNKNOWN_STRING_VALUE,
    _DictProxy,
    _ListProxy,
)
from pulumi_policy.secret import Secret, _DictSecretsProxy, _ListSecretsProxy

from .graph import UNKNOWN, Graph, Resource, is_known

if TYPE_CHECKING:
    from pulumi_policy import PolicyProviderResource, PolicyResource

STACK_TYPE = "pulumi:pulumi:Stack"

# The values that stand for an unknown of each kind in a policy's properties.
UNKNOWN_SENTINELS = frozenset(
    {
        UNKNOWN_ARCHIVE_VALUE,
        UNKNOWN_ARRAY_VALUE,
        UNKNOWN_ASSET_VALUE,
        UNKNOWN_BOOLEAN_VALUE,
        UNKNOWN_NUMBER_VALUE,
        UNKNOWN_OBJECT_VALUE,
        UNKNOWN_STRING_VALUE,
    }
)
_PROXIES = (_DictProxy, _ListProxy, _DictSecretsProxy, _ListSecretsProxy)


def plain(value: Any) -> Any:
    """Return a property value as plain data, with every unknown sentinel replaced by UNKNOWN.

    pulumi-policy's proxies return their wrapped container for the item "__target" without
    checking it, which is how its own serializer reads them.
    """
    if isinstance(value, Secret):
        return plain(value.value)
    if isinstance(value, str):
        return UNKNOWN if value in UNKNOWN_SENTINELS else value
    if isinstance(value, _PROXIES):
        return plain(value["__target"])
    if isinstance(value, Mapping):
        return {str(key): plain(item) for key, item in value.items()}
    if isinstance(value, Sequence) and not isinstance(value, bytes):
        return [plain(item) for item in value]
    if isinstance(value, float) and value.is_integer():
        # Protocol buffers carry every number as a float; counts read better as integers.
        return int(value)
    if value is None or isinstance(value, (int, float, bool)):
        return value
    # Assets and archives have no JSON form; their text is enough for the rules.
    return str(value)


def _provider_reference(provider: PolicyProviderResource | None) -> str | None:
    # Graph.provider_of expects the engine's form, the provider's URN, two colons and its id.
    # The id is not part of a policy's view, and the URN alone identifies the provider.
    return f"{provider.urn}::{UNKNOWN}" if provider is not None else None


def to_resource(resource: PolicyResource) -> Resource:
    """Convert one policy resource. Its `id` output, known once the resource exists, becomes the id."""
    props = plain(resource.props)
    resource_id = props.get("id")
    return Resource(
        urn=resource.urn,
        type=resource.resource_type,
        name=resource.name,
        props=props,
        id=resource_id if isinstance(resource_id, str) and resource_id and is_known(resource_id) else None,
        parent=resource.parent.urn if resource.parent is not None else None,
        provider=_provider_reference(resource.provider),
        property_dependencies={
            key: [dependency.urn for dependency in dependencies]
            for key, dependencies in (resource.property_dependencies or {}).items()
            if dependencies
        },
        # A policy resource does not say whether it is custom. Only custom resources have a
        # provider, a default provider included, so the provider decides.
        custom=resource.provider is not None or resource.resource_type.startswith("pulumi:providers:"),
    )


def _provider_resource(provider: PolicyProviderResource) -> Resource:
    return Resource(urn=provider.urn, type=provider.resource_type, name=provider.name, props=plain(provider.props))


def to_graph(resources: Iterable[PolicyResource]) -> Graph:
    """Convert the resources of a stack validation into a graph, without the stack resource itself.

    A provider that the list does not contain is added from the resources that use it, so that
    its default tags still reach them.
    """
    converted: dict[str, Resource] = {}
    providers: dict[str, Resource] = {}
    for resource in resources:
        if resource.resource_type == STACK_TYPE:
            continue
        converted[resource.urn] = to_resource(resource)
        if resource.provider is not None:
            providers.setdefault(resource.provider.urn, _provider_resource(resource.provider))
    for urn, provider in providers.items():
        converted.setdefault(urn, provider)
    return Graph(converted.values())
