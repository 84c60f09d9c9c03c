"""Failure scenarios: which journeys survive each single failure, and how recovery follows settings.

Each test reads a real offline plan of a stack (cached per session by the `plan` fixture), with
one setting changed where the test is about that setting. Expected recovery times are computed
from the stack's configuration and the figures in spof/data/sla.json, not copied from output.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from spof import cli
from spof.audit import build_audit
from spof.diagram import render_mermaid
from spof.scenarios import (
    DEGRADED,
    DOWN,
    JOURNEY_NAMES,
    JOURNEYS,
    UP,
    Failure,
    Impact,
    State,
    journey_state,
    worst,
)
from spof.topology import figures
from tests.conftest import PlanFactory

PROGRAMS = Path(__file__).resolve().parent / "programs"
PROD_AZS = ["us-east-1a", "us-east-1b", "us-east-1c"]


def scenarios_of(plan: PlanFactory, *assignments: str) -> list[dict[str, Any]]:
    scenarios: list[dict[str, Any]] = plan("prod", *assignments).sections["scenarios"]
    return scenarios


def scenario(scenarios: list[dict[str, Any]], failure: str) -> dict[str, Any]:
    matches = [entry for entry in scenarios if entry["failure"] == failure]
    assert len(matches) == 1, f"expected one scenario {failure!r}, got {[s['failure'] for s in scenarios]}"
    return matches[0]


def impact(entry: dict[str, Any], resource: str) -> dict[str, Any]:
    matches = [item for item in entry["impacts"] if item["resource"] == resource]
    assert len(matches) == 1, f"expected one impact on {resource!r} in {entry['failure']}, got {entry['impacts']}"
    return matches[0]


def cells(scenarios: list[dict[str, Any]]) -> list[tuple[str, str, dict[str, Any]]]:
    return [(entry["failure"], name, entry["journeys"][name]) for entry in scenarios for name in JOURNEY_NAMES]


# The production stack.


def test_prod_derives_every_failure_kind(plan: PlanFactory) -> None:
    failures = [entry["failure"] for entry in scenarios_of(plan)]
    assert len(failures) >= 8
    assert [f"az:{az}" for az in PROD_AZS] == [f for f in failures if f.startswith("az:")]
    for prefix in (
        "instance:web:",
        "instance:app:",
        "database-primary:",
        "cache-primary:",
        "image-bucket:",
        "administrator:",
    ):
        assert any(f.startswith(prefix) for f in failures), prefix
    assert "dns-provider:route53" in failures
    assert "dns-provider:cloudflare" in failures
    assert "payment-provider:stripe" in failures
    assert "payment-provider:adyen" in failures


def test_prod_has_no_down_cell(plan: PlanFactory) -> None:
    down = [(failure, journey) for failure, journey, cell in cells(scenarios_of(plan)) if cell["status"] == DOWN]
    assert down == []


def test_degraded_cells_carry_recovery(plan: PlanFactory) -> None:
    all_cells = cells(scenarios_of(plan))
    assert any(cell["status"] == DEGRADED for _, _, cell in all_cells)
    for failure, journey, cell in all_cells:
        assert cell["status"] in (UP, DEGRADED, DOWN), (failure, journey)
        if cell["status"] == DEGRADED:
            assert isinstance(cell["recovery_s"], (int, float)), (failure, journey)
            assert cell["recovery_s"] > 0, (failure, journey)
            assert cell.get("reason"), (failure, journey)
        else:
            assert "recovery_s" not in cell, (failure, journey)


def test_prod_availability_per_journey(plan: PlanFactory) -> None:
    availability = plan("prod").sections["availability"]
    assert list(availability) == list(JOURNEY_NAMES)
    for journey, value in availability.items():
        assert 0.99 < value < 1.0, journey


def test_prod_json_has_sections(plan: PlanFactory) -> None:
    document = plan("prod").to_json()
    assert {"scenarios", "availability", "availabilityModel"} <= set(document)
    first = document["scenarios"][0]
    assert set(first) >= {"failure", "description", "journeys", "layers", "impacts"}
    assert set(first["journeys"]) == set(JOURNEY_NAMES)


def test_az_loss_reads_continue_on_replicas(plan: PlanFactory) -> None:
    entry = scenario(scenarios_of(plan), "az:us-east-1a")
    database = impact(entry, "database-primary")
    assert database["status"] == DEGRADED
    assert database["recovery_s"] == figures()["recovery"]["rds-multi-az-failover"]["value_s"]
    assert database["reads"]["status"] == UP
    assert "database-replica-1" in database["reads"]["reason"]


def test_database_primary_loss_spares_readers(plan: PlanFactory) -> None:
    entry = scenario(scenarios_of(plan), "database-primary:database-primary")
    assert entry["journeys"]["browse"]["status"] == UP
    assert entry["journeys"]["login"]["status"] == UP
    assert entry["journeys"]["checkout"]["status"] == DEGRADED
    assert entry["journeys"]["checkout"]["recovery_s"] == figures()["recovery"]["rds-multi-az-failover"]["value_s"]


def test_image_bucket_fails_over_to_replica(plan: PlanFactory) -> None:
    entry = scenario(scenarios_of(plan), "image-bucket:storage-images")
    defaults = figures()["recovery"]["cloudfront-origin-failover"]
    # The distribution sets neither connection attempts nor timeout, so CloudFront's defaults apply.
    expected = defaults["connection_attempts"] * defaults["connection_timeout_s"]
    images = entry["journeys"]["images"]
    assert images["status"] == DEGRADED
    assert images["recovery_s"] == expected
    assert "us-west-2" in images["reason"]
    assert entry["journeys"]["checkout"]["status"] == UP


def test_payment_retry_follows_queue_timeout(plan: PlanFactory) -> None:
    queue = next(r for r in plan("prod").graph.resources if r.name == "payments-retry-queue")
    entry = scenario(scenarios_of(plan), "payment-provider:stripe")
    assert entry["journeys"]["checkout"]["recovery_s"] == queue.props["visibilityTimeoutSeconds"]
    assert "adyen" in entry["journeys"]["checkout"]["reason"]


def test_one_administrator_leaves_journeys_up(plan: PlanFactory) -> None:
    entry = scenario(scenarios_of(plan), "administrator:identity-administrators")
    assert all(entry["journeys"][name]["status"] == UP for name in JOURNEY_NAMES)
    assert entry["layers"]["human"]["status"] == UP


# One setting changed at a time.


@pytest.mark.parametrize(
    ("assignment", "failure", "journeys"),
    [
        ("cache.replicas=0", "cache-primary:cache-group", ("login", "checkout")),
        ('dns.providers=["route53"]', "dns-provider:route53", ("browse", "images", "login", "checkout")),
        ("database.multiAz=false", "database-primary:database-primary", ("checkout",)),
        ("web.minSize=1", "instance:web:web-asg", ("browse", "login", "checkout")),
    ],
)
def test_setting_turns_cells_down(plan: PlanFactory, assignment: str, failure: str, journeys: tuple[str, ...]) -> None:
    entry = scenario(scenarios_of(plan, assignment), failure)
    for name in journeys:
        assert entry["journeys"][name]["status"] == DOWN, name
        assert entry["journeys"][name]["reason"], name
    for name in set(JOURNEY_NAMES) - set(journeys):
        assert entry["journeys"][name]["status"] != DOWN, name


def test_single_dns_provider_drops_other_failure(plan: PlanFactory) -> None:
    failures = [entry["failure"] for entry in scenarios_of(plan, 'dns.providers=["route53"]')]
    assert "dns-provider:cloudflare" not in failures


def test_single_az_database_down_in_its_az(plan: PlanFactory) -> None:
    scenarios = scenarios_of(plan, "database.multiAz=false")
    # Without Multi-AZ the primary is pinned to the first AZ, so only that AZ's loss stops writes.
    assert scenario(scenarios, "az:us-east-1a")["journeys"]["checkout"]["status"] == DOWN
    assert scenario(scenarios, "az:us-east-1b")["journeys"]["checkout"]["status"] == DEGRADED
    assert scenario(scenarios, "az:us-east-1a")["journeys"]["browse"]["status"] != DOWN


def test_multi_az_off_lowers_checkout_availability(plan: PlanFactory) -> None:
    before = plan("prod").sections["availability"]
    after = plan("prod", "database.multiAz=false").sections["availability"]
    assert after["checkout"] < before["checkout"]
    assert after["images"] == before["images"]


def test_single_nat_cuts_egress_of_other_azs(plan: PlanFactory) -> None:
    scenarios = scenarios_of(plan, "network.natGateways=single")
    first = scenario(scenarios, "az:us-east-1a")
    assert first["journeys"]["checkout"]["status"] == DOWN
    assert "network-nat-us-east-1a" in first["journeys"]["checkout"]["reason"]
    assert first["journeys"]["browse"]["status"] == DEGRADED
    assert "network" not in scenario(scenarios, "az:us-east-1b")["layers"]


def test_target_health_check_sets_instance_recovery(plan: PlanFactory) -> None:
    # prod keeps the defaults of loadBalancer.unhealthyThreshold (2) and sets the interval to 10.
    before = scenario(scenarios_of(plan), "instance:web:web-asg")["journeys"]["browse"]
    after = scenario(scenarios_of(plan, "loadBalancer.healthCheckIntervalSeconds=30"), "instance:web:web-asg")[
        "journeys"
    ]["browse"]
    assert before["recovery_s"] == 10 * 2
    assert after["recovery_s"] == 30 * 2


def test_dns_health_check_sets_az_recovery(plan: PlanFactory) -> None:
    # The public load balancer's node in a lost AZ: Route 53 interval x failure threshold + TTL.
    ttl = 60
    before = scenario(scenarios_of(plan), "az:us-east-1b")
    after = scenario(scenarios_of(plan, "dns.healthCheckIntervalSeconds=10"), "az:us-east-1b")
    assert impact(before, "public-lb-alb")["recovery_s"] == 30 * 3 + ttl
    assert impact(after, "public-lb-alb")["recovery_s"] == 10 * 3 + ttl
    assert after["journeys"]["browse"]["recovery_s"] < before["journeys"]["browse"]["recovery_s"]


def test_failure_threshold_sets_az_recovery(plan: PlanFactory) -> None:
    entry = scenario(scenarios_of(plan, "dns.healthCheckFailureThreshold=5"), "az:us-east-1c")
    assert impact(entry, "public-lb-alb")["recovery_s"] == 30 * 5 + 60


def test_dev_stack_shows_its_spofs(plan: PlanFactory) -> None:
    scenarios = plan("dev").sections["scenarios"]
    assert [entry["failure"] for entry in scenarios if entry["failure"].startswith("az:")] == [
        "az:us-east-1a",
        "az:us-east-1b",
    ]
    admin = scenario(scenarios, "administrator:identity-administrators")
    assert admin["layers"]["human"]["status"] == DOWN
    assert scenario(scenarios, "payment-provider:stripe")["journeys"]["checkout"]["status"] == DOWN


# The combination rules, without the mock engine.


def test_worst_takes_slowest_degraded() -> None:
    combined = worst([State(DEGRADED, 20, "tier"), State(UP), State(DEGRADED, 120, "database")])
    assert combined == State(DEGRADED, 120, "database")


def test_worst_prefers_down() -> None:
    combined = worst([State(DEGRADED, 20, "tier"), State(DOWN, cause="cache")])
    assert combined.status == DOWN
    assert combined.recovery_s is None
    assert combined.cause == "cache"


def test_worst_of_nothing_is_up() -> None:
    assert worst([]) == State(UP)


def test_read_only_journey_uses_read_state() -> None:
    failure = Failure(
        "database-primary:db",
        "loss of database primary db",
        [
            Impact("database", "db", State(DOWN, cause="no standby"), read=State(UP, cause="replica")),
        ],
    )
    states = {journey.name: journey_state(failure, journey).status for journey in JOURNEYS}
    assert states == {"browse": UP, "images": UP, "login": UP, "checkout": DOWN}


# Output formats.


def test_mermaid_is_a_flowchart(plan: PlanFactory) -> None:
    diagram = render_mermaid(plan("prod").graph)
    lines = diagram.splitlines()
    assert lines[0] == "flowchart TB"
    for az in PROD_AZS:
        assert f'["AZ {az}"]' in diagram
    opened = sum(1 for line in lines if line.strip().startswith("subgraph "))
    closed = sum(1 for line in lines if line.strip() == "end")
    assert opened == closed == len(PROD_AZS) + 1
    declared = {match.group(1) for match in re.finditer(r"^\s*([A-Za-z0-9_]+)[\[(]", diagram, re.MULTILINE)}
    edges = [line.split("-->") for line in lines if "-->" in line]
    assert edges
    for source, target in edges:
        assert source.strip() in declared, source
        assert target.strip() in declared, target


def test_markdown_format_prints_matrix(plan: PlanFactory, capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["plan", "--format", "markdown"]) == cli.EXIT_OK
    output = capsys.readouterr().out
    assert "| failure | browse | images | login | checkout |" in output
    assert "| loss of AZ us-east-1a |" in output
    assert "| checkout |" in output
    assert "degraded" in output


def test_text_format_prints_matrix(capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["plan", "--format", "text", "--set", "cache.replicas=0"]) == cli.EXIT_FINDINGS
    output = capsys.readouterr().out
    assert "What keeps working when one thing fails" in output
    assert "! loss of cache primary (cache-group):" in output
    assert "Modeled availability" in output


def test_audit_shares_sections() -> None:
    report = build_audit(PROGRAMS / "single_nat")
    assert {"scenarios", "availability", "availabilityModel"} <= set(report.sections)
    lost = [entry for entry in report.sections["scenarios"] if entry["layers"].get("network", {}).get("status") == DOWN]
    assert lost
