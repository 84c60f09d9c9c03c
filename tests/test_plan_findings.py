"""The prod plan through the CLI: clean as configured, and failing on each weakened setting."""

from __future__ import annotations

import json

import pytest

from spof import cli


def plan_json(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, dict]:
    status = cli.main(["plan", "--format", "json", *args])
    return status, json.loads(capsys.readouterr().out)


@pytest.mark.parametrize("stack", ["prod", "staging"])
def test_enforced_stacks_have_no_findings(capsys: pytest.CaptureFixture[str], stack: str) -> None:
    status, document = plan_json(capsys, "--stack", stack)
    assert status == 0
    assert document["findings"] == []
    assert all(layer["findings"] == [] for layer in document["layers"])


def test_dev_findings_are_advisory(capsys: pytest.CaptureFixture[str]) -> None:
    status, document = plan_json(capsys, "--stack", "dev")
    assert status == 0
    assert document["findings"]
    assert {finding["severity"] for finding in document["findings"]} == {"advisory"}


@pytest.mark.parametrize(
    ("assignment", "layer", "rule"),
    [
        ("azCount=1", "network", "subnet-tier-single-az"),
        ("network.natGateways=single", "network", "nat-gateway-cross-az"),
        ("web.minSize=1", "web", "asg-min-size-below-two"),
        ("app.minSize=1", "app", "asg-min-size-below-two"),
        ("database.multiAz=false", "database", "rds-not-multi-az"),
        ("cache.replicas=0", "cache", "elasticache-no-automatic-failover"),
        ('dns.providers=["route53"]', "dns", "dns-single-provider"),
        ('payments.providers=["stripe"]', "payments", "payments-single-provider"),
        ('admins=["ops-one"]', "human", "admins-fewer-than-two"),
    ],
)
def test_weakened_setting_fails_plan(
    capsys: pytest.CaptureFixture[str], assignment: str, layer: str, rule: str
) -> None:
    status, document = plan_json(capsys, "--set", assignment)
    assert status == 1
    findings = {(f["layer"], f["rule"]) for f in document["findings"]}
    assert (layer, rule) in findings
    assert {f["severity"] for f in document["findings"]} == {"mandatory"}
    summary = next(entry for entry in document["layers"] if entry["layer"] == layer)
    assert any(f["rule"] == rule for f in summary["findings"])


def test_advisory_enforcement_passes_weak_plan(capsys: pytest.CaptureFixture[str]) -> None:
    status, document = plan_json(capsys, "--set", "redundancy.enforcement=advisory", "--set", "azCount=1")
    assert status == 0
    assert document["findings"]


def test_text_shows_finding_under_layer(capsys: pytest.CaptureFixture[str]) -> None:
    status = cli.main(["plan", "--set", "web.minSize=1"])
    text = capsys.readouterr().out
    assert status == 1
    web_section = text[text.index("\nweb: ") : text.index("\napp: ")]
    assert "! mandatory asg-min-size-below-two: Auto Scaling group web-asg" in web_section
    assert "FAILED: 1 mandatory finding." in text
