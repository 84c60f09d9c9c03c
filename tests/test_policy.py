"""The CrossGuard policy pack, fed the way `pulumi preview` feeds it.

A test program is recorded with the mock engine and its resources are handed to the policies as
PolicyResource objects: properties behind pulumi-policy's unknown-checking proxy, numbers as
floats, providers as PolicyProviderResource, and no ids. In preview mode every id and computed
output is an unknown sentinel, so references resolve only through the property dependencies.
The pack itself is imported under another name than `__main__`, so PolicyPack, which starts a
server, is never constructed.
"""

from __future__ import annotations

import importlib.util
from collections.abc import Iterable
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
from pulumi_policy import (
    EnforcementLevel,
    PolicyCustomTimeouts,
    PolicyProviderResource,
    PolicyResource,
    PolicyResourceOptions,
    StackValidationArgs,
)
from pulumi_policy.proxy import UNKNOWN_STRING_VALUE, unknown_checking_proxy

from spof import engine
from spof.crossguard import plain, to_graph
from spof.graph import UNKNOWN, Resource, strings_in
from spof.rules import all_rules

ROOT = Path(__file__).resolve().parent.parent
PROGRAMS = Path(__file__).resolve().parent / "programs"
STACK_URN = "urn:pulumi:audit::test::pulumi:pulumi:Stack::test-audit"


def load_pack() -> ModuleType:
    spec = importlib.util.spec_from_file_location("shop_spof_policy", ROOT / "policy" / "__main__.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


PACK = load_pack()
_recordings: dict[str, list[Resource]] = {}


def recorded(program: str) -> list[Resource]:
    if program not in _recordings:
        _recordings[program] = engine.record(engine.Program.load(PROGRAMS / program), "audit", {}).resources
    return _recordings[program]


def _wire(value: Any, computed: set[str]) -> Any:
    """Encode a value as the engine sends it: floats for numbers, sentinels for unknowns."""
    if value == UNKNOWN or (isinstance(value, str) and value in computed):
        return UNKNOWN_STRING_VALUE
    if isinstance(value, dict):
        return {key: _wire(item, computed) for key, item in value.items()}
    if isinstance(value, list):
        return [_wire(item, computed) for item in value]
    if isinstance(value, int) and not isinstance(value, bool):
        return float(value)
    return value


def computed_values(resources: Iterable[Resource]) -> set[str]:
    """Return the ids and simulated outputs, which are unknown during a preview."""
    values: set[str] = set()
    for resource in resources:
        # An id or output that repeats one of the resource's inputs, such as a record's name, is
        # known before creation, and so is the provider's region.
        known = set(strings_in(resource.props))
        if resource.id and resource.id not in known:
            values.add(resource.id)
        for key, output in resource.outputs.items():
            if key != "region":
                values.update(set(strings_in(output)) - known)
    return values


def stack_args(resources: list[Resource], preview: bool) -> StackValidationArgs:
    """Return the arguments of a stack validation for recorded resources, as the engine would send them."""
    computed = computed_values(resources) if preview else set()
    options = PolicyResourceOptions(False, [], None, [], PolicyCustomTimeouts(0, 0, 0), [])
    by_urn = {resource.urn: resource for resource in resources}

    def provider_of(resource: Resource) -> PolicyProviderResource | None:
        if resource.type.startswith("pulumi:") or not resource.custom:
            return None
        if resource.provider:
            provider = by_urn[resource.provider.rsplit("::", 1)[0]]
            return PolicyProviderResource(
                provider.type, unknown_checking_proxy(_wire(provider.props, computed)), provider.urn, provider.name
            )
        package = resource.type.split(":", 1)[0]
        return PolicyProviderResource(
            f"pulumi:providers:{package}",
            unknown_checking_proxy({}),
            f"urn:pulumi:audit::test::pulumi:providers:{package}::default",
            "default",
        )

    converted: dict[str, PolicyResource] = {
        STACK_URN: PolicyResource(
            "pulumi:pulumi:Stack", unknown_checking_proxy({}), STACK_URN, "test-audit", options, None, None, [], {}
        ),
    }
    for resource in resources:
        # After creation a resource's properties are its inputs and outputs, with the id among them.
        props = dict(resource.props) if preview else {**resource.outputs, **resource.props, "id": resource.id}
        converted[resource.urn] = PolicyResource(
            resource.type,
            unknown_checking_proxy(_wire(props, computed)),
            resource.urn,
            resource.name,
            options,
            provider_of(resource),
            None,
            [],
            {},
        )
    for resource in resources:
        policy_resource = converted[resource.urn]
        policy_resource.parent = converted.get(resource.parent or "")
        policy_resource.property_dependencies = {
            key: [converted[urn] for urn in urns] for key, urns in resource.property_dependencies.items()
        }
    return StackValidationArgs(list(converted.values()), {})


def violations(args: StackValidationArgs) -> list[tuple[str, str | None, str]]:
    """Run every policy of the pack and collect (policy, URN, message) for each violation."""
    found: list[tuple[str, str | None, str]] = []
    for policy in PACK.policies:

        def report_violation(message: str, urn: str | None = None, policy_name: str = policy.name) -> None:
            found.append((policy_name, urn, message))

        policy.validate(args, report_violation)
    return found


def urn_of(program: str, type_: str, name: str) -> str:
    (match,) = [r.urn for r in recorded(program) if r.type == type_ and r.name == name]
    return match


def test_one_policy_per_rule() -> None:
    assert [(p.name, p.description) for p in PACK.policies] == [(r.id, r.description) for r in all_rules()]
    assert all(policy.enforcement_level is None for policy in PACK.policies)
    assert PACK.DEFAULT_ENFORCEMENT is EnforcementLevel.MANDATORY
    assert PACK.PACK_NAME == "shop-spof"


@pytest.mark.parametrize("preview", [False, True], ids=["created", "preview"])
@pytest.mark.parametrize("program", ["ha_web_tier", "ha_data_tier", "ha_edge"])
def test_ha_program_has_no_violation(program: str, preview: bool) -> None:
    assert violations(stack_args(recorded(program), preview)) == []


@pytest.mark.parametrize("preview", [False, True], ids=["created", "preview"])
def test_single_nat_violates_one_policy(preview: bool) -> None:
    found = violations(stack_args(recorded("single_nat"), preview))
    route_table = urn_of("single_nat", "aws:ec2/routeTable:RouteTable", "private-1")
    assert [(policy, urn) for policy, urn, _ in found] == [("nat-gateway-cross-az", route_table)]
    assert "NAT gateway nat in us-east-1a" in found[0][2]


@pytest.mark.parametrize(
    ("program", "policy", "type_", "name"),
    [
        ("alb_shared_az", "lb-single-az", "aws:lb/loadBalancer:LoadBalancer", "web"),
        ("rds_replica_chain", "rds-replica-source-no-backups", "aws:rds/instance:Instance", "orders-reporting"),
        ("redis_single_node", "elasticache-single-node", "aws:elasticache/cluster:Cluster", "sessions"),
    ],
)
def test_preview_resolves_dependencies(program: str, policy: str, type_: str, name: str) -> None:
    args = stack_args(recorded(program), preview=True)
    assert [(found, urn) for found, urn, _ in violations(args)] == [(policy, urn_of(program, type_, name))]


def test_preview_ids_are_unknown() -> None:
    graph = to_graph(stack_args(recorded("single_nat"), preview=True).resources)
    nat = [r for r in graph.resources if r.type == "aws:ec2/natGateway:NatGateway"]
    assert [r.id for r in nat] == [None]
    assert nat[0].props["subnetId"] == UNKNOWN
    assert nat[0].property_dependencies["subnetId"]
    assert not any(r.type == "pulumi:pulumi:Stack" for r in graph.resources)


def test_plain_unwraps_unknowns() -> None:
    proxy = unknown_checking_proxy(
        {
            "count": 2.0,
            "ratio": 0.5,
            "zone": UNKNOWN_STRING_VALUE,
            "routes": [{"cidrBlock": "0.0.0.0/0", "natGatewayId": UNKNOWN_STRING_VALUE}],
        }
    )
    assert plain(proxy) == {
        "count": 2,
        "ratio": 0.5,
        "zone": UNKNOWN,
        "routes": [{"cidrBlock": "0.0.0.0/0", "natGatewayId": UNKNOWN}],
    }


def test_provider_default_tags_reach_graph() -> None:
    provider = PolicyProviderResource(
        "pulumi:providers:aws",
        unknown_checking_proxy({"defaultTags": '{"tags": {"layer": "web"}}'}),
        "urn:pulumi:prod::shop::pulumi:providers:aws::aws-web",
        "aws-web",
    )
    options = PolicyResourceOptions(False, [], None, [], PolicyCustomTimeouts(0, 0, 0), [])
    group = PolicyResource(
        "aws:autoscaling/group:Group",
        unknown_checking_proxy({"minSize": 1.0}),
        "urn:pulumi:prod::shop::aws:autoscaling/group:Group::web",
        "web",
        options,
        provider,
        None,
        [],
        {},
    )
    graph = to_graph([group])
    (converted,) = [r for r in graph.resources if r.name == "web"]
    assert converted.custom
    assert graph.tags(converted) == {"layer": "web"}
    assert graph.layer(converted) == "web"
