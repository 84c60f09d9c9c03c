"""Build the plan and audit report and render it as JSON or text."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from .graph import LAYERS, Graph, Resource
from .rules import Finding

SIMULATION_NOTE = (
    "Offline plan: the program ran under the Pulumi mock engine. Nothing was deployed; ids, "
    "ARNs and the answers to data-source calls are simulated."
)


@dataclass
class Report:
    """Everything a plan or an audit prints."""

    stack: str
    project: str
    graph: Graph
    findings: list[Finding]
    outputs: dict[str, Any] = field(default_factory=dict)
    simulated_invokes: list[str] = field(default_factory=list)
    unanswered_invokes: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    note: str = SIMULATION_NOTE
    # Sections that later stages add, such as failure scenarios, keyed by their JSON name.
    sections: dict[str, Any] = field(default_factory=dict)

    @property
    def has_mandatory_findings(self) -> bool:
        return any(finding.severity == "mandatory" for finding in self.findings)

    def deployable(self) -> list[Resource]:
        """Return the resources a cloud would hold: no components, no providers."""
        return [r for r in self.graph.resources if r.custom and not r.type.startswith("pulumi:providers:")]

    def layer_summaries(self) -> list[dict[str, Any]]:
        """Return one entry per design layer: resource count, AZs spanned and findings."""
        summaries = []
        for layer in LAYERS:
            members = [r for r in self.deployable() if self.graph.layer(r) == layer]
            azs = sorted(set().union(*(self.graph.azs(r) for r in members))) if members else []
            summaries.append(
                {
                    "layer": layer,
                    "resources": len(members),
                    "azs": azs,
                    "findings": [f.to_json() for f in self.findings if f.layer == layer],
                }
            )
        return summaries

    def to_json(self) -> dict[str, Any]:
        return {
            "stack": self.stack,
            "project": self.project,
            "simulation": {
                "note": self.note,
                "simulatedInvokes": sorted(set(self.simulated_invokes)),
                "unansweredInvokes": sorted(set(self.unanswered_invokes)),
            },
            "resources": [resource.to_json() for resource in self.graph.resources],
            "findings": [finding.to_json() for finding in self.findings],
            "layers": self.layer_summaries(),
            **self.sections,
            "outputs": self.outputs,
            "warnings": self.warnings,
        }


def render_json(report: Report) -> str:
    return json.dumps(report.to_json(), indent=2, sort_keys=False)


def _count(number: int, noun: str) -> str:
    return f"{number} {noun}" if number == 1 else f"{number} {noun}s"


def _az_list(azs: Sequence[str]) -> str:
    return ", ".join(azs) if azs else "no particular AZ (regional or global)"


def render_text(report: Report, text_sections: Sequence[str] = ()) -> str:
    """Render resources grouped by layer with the AZs each spans, and findings under their layer."""
    lines = [f"Stack {report.stack} of project {report.project}", report.note]
    if report.simulated_invokes:
        lines.append("Data sources answered with simulated values: " + ", ".join(sorted(set(report.simulated_invokes))))
    if report.unanswered_invokes:
        lines.append(
            "Data sources with no simulated answer (their results are empty): "
            + ", ".join(sorted(set(report.unanswered_invokes)))
        )
    resources = report.deployable()
    lines.append(f"{_count(len(resources), 'resource')}, {_count(len(report.findings), 'finding')}.")

    for summary in report.layer_summaries():
        layer = summary["layer"]
        members = sorted((r for r in resources if report.graph.layer(r) == layer), key=lambda r: (r.type, r.name))
        if not members and not summary["findings"]:
            continue
        lines.append("")
        lines.append(f"{layer}: {_count(len(members), 'resource')} in {_az_list(summary['azs'])}")
        width = max((len(r.type) for r in members), default=0)
        for resource in members:
            az = ", ".join(sorted(report.graph.azs(resource)))
            suffix = f"  [{az}]" if az else ""
            lines.append(f"  {resource.type:<{width}}  {resource.name}{suffix}")
        for finding in summary["findings"]:
            lines.append(f"  ! {finding['severity']} {finding['rule']}: {finding['message']}")

    others = [r for r in resources if report.graph.layer(r) not in LAYERS]
    if others:
        lines.append("")
        lines.append(f"outside the design's layers: {len(others)} resources")
        lines.extend(f"  {r.type}  {r.name}" for r in others)
    lines.extend(text_sections)
    if report.outputs:
        lines.append("")
        lines.append("Stack outputs:")
        for name, value in report.outputs.items():
            lines.append(f"  {name}: {json.dumps(value)}")
    if report.warnings:
        lines.append("")
        lines.append("Warnings from the program:")
        lines.extend(f"  {warning}" for warning in report.warnings)
    lines.append("")
    if report.has_mandatory_findings:
        mandatory = sum(f.severity == "mandatory" for f in report.findings)
        lines.append(f"FAILED: {_count(mandatory, 'mandatory finding')}.")
    elif report.findings:
        lines.append(f"Passed with {_count(len(report.findings), 'advisory finding')}.")
    else:
        lines.append("Passed: no single point of failure found.")
    return "\n".join(lines)
