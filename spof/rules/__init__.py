"""The SPOF rules: pure functions over a resource graph, each with a stable id and a layer.

The same registry serves the offline plan, `spof audit`, the CrossGuard policy pack and the
live check, so a rule is written once. A rule yields a Violation per offending resource; the
caller turns violations into findings with the severity of the stack.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from ..graph import LAYERS, Graph, Resource

SEVERITIES = ("mandatory", "advisory")


@dataclass(frozen=True)
class Violation:
    """One resource that breaks a rule, and a message that says what must hold and what was found."""

    resource: Resource
    message: str


@dataclass(frozen=True)
class Rule:
    """A registered check: a kebab-case id, the layer it guards and the function that checks."""

    id: str
    layer: str
    description: str
    check: Callable[[Graph], Iterable[Violation]]
    security_hub: str = ""
    checkov: str = ""
    # A tier rule checks instances and their groups, which serve whichever tier (web or app)
    # their `layer` tag names.
    tier: bool = False


@dataclass(frozen=True)
class Finding:
    """A violation as reported: the fields of the plan's JSON, in a stable order."""

    rule: str
    layer: str
    severity: str
    resource: str
    resource_type: str
    message: str

    def to_json(self) -> dict[str, Any]:
        return {
            "rule": self.rule,
            "layer": self.layer,
            "severity": self.severity,
            "resource": self.resource,
            "resource_type": self.resource_type,
            "message": self.message,
        }


RULES: dict[str, Rule] = {}


def rule(
    id: str, layer: str, description: str, *, security_hub: str = "", checkov: str = "", tier: bool = False
) -> Callable[[Callable[[Graph], Iterable[Violation]]], Callable[[Graph], Iterable[Violation]]]:
    """Register a check under a unique kebab-case id and one of the design's layers."""
    if layer not in LAYERS:
        raise ValueError(f"rule {id!r}: layer {layer!r} is not one of {', '.join(LAYERS)}")
    if id in RULES:
        raise ValueError(f"rule {id!r} is registered twice")
    if not id or id != id.lower() or " " in id or "_" in id:
        raise ValueError(f"rule id {id!r} is invalid: expected kebab-case")

    def register(check: Callable[[Graph], Iterable[Violation]]) -> Callable[[Graph], Iterable[Violation]]:
        RULES[id] = Rule(id, layer, description, check, security_hub, checkov, tier)
        return check

    return register


def join_sorted(values: Iterable[str]) -> str:
    """Join names for a message in a stable order."""
    return ", ".join(sorted(values))


def finding_layer(graph: Graph, rule_: Rule, resource: Resource) -> str:
    """Return the layer a finding is reported under.

    A tier rule reports in the layer its resource is tagged with, so that the web Auto Scaling
    group's finding lands in `web` and the app group's in `app`. Every other rule reports in its
    own layer: an IAM group with too few administrators is a `human` problem even though the
    identity layer's provider tags everything it creates.
    """
    if rule_.tier:
        tagged = graph.tags(resource).get("layer")
        if tagged in LAYERS:
            return tagged
    return rule_.layer


def evaluate(graph: Graph, severity: str = "mandatory", rule_ids: Iterable[str] | None = None) -> list[Finding]:
    """Run the rules over a graph and return the findings, ordered by layer, rule and resource."""
    if severity not in SEVERITIES:
        raise ValueError(f"severity {severity!r} is invalid: expected one of {', '.join(SEVERITIES)}")
    _load_rule_modules()
    selected = [RULES[rule_id] for rule_id in rule_ids] if rule_ids is not None else list(RULES.values())
    findings = [
        Finding(
            rule=rule_.id,
            layer=finding_layer(graph, rule_, violation.resource),
            severity=severity,
            resource=violation.resource.urn,
            resource_type=violation.resource.type,
            message=violation.message,
        )
        for rule_ in selected
        for violation in rule_.check(graph)
    ]
    order = {layer: index for index, layer in enumerate(LAYERS)}
    return sorted(findings, key=lambda f: (order.get(f.layer, len(order)), f.rule, f.resource))


def all_rules() -> list[Rule]:
    """Return every registered rule, in registration order."""
    _load_rule_modules()
    return list(RULES.values())


def _load_rule_modules() -> None:
    # Importing the modules registers their rules; the import is deferred so that this module
    # can be imported by them without a cycle.
    from . import cache, compute, database, dns, network, payments, people, storage  # noqa: F401
