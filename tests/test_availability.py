"""Modeled availability: the series and parallel rules, the figures file, and the figure chosen per layer.

The math and the figure choice are tested on hand-built graphs, without the mock engine. One test
checks the production plan against a product computed here from the figures file.
"""

from __future__ import annotations

import datetime
import math
from typing import Any

import pytest

from spof.availability import UNMODELED_LAYERS, figure, model_availability, parallel, series
from spof.graph import Graph, Resource
from spof.scenarios import JOURNEYS
from spof.topology import figures, read_topology
from tests.conftest import PlanFactory

SUBNET = "aws:ec2/subnet:Subnet"
ALB = "aws:lb/loadBalancer:LoadBalancer"
RDS = "aws:rds/instance:Instance"


def resource(type_: str, name: str, props: dict[str, Any], id_: str | None = None) -> Resource:
    return Resource(urn=f"urn:pulumi:test::shop::{type_}::{name}", type=type_, name=name, props=props, id=id_ or name)


def subnets(*azs: str) -> list[Resource]:
    return [resource(SUBNET, f"subnet-{az}", {"availabilityZone": az}, f"subnet-{az}") for az in azs]


# Series and parallel.


@pytest.mark.parametrize(
    ("values", "expected"),
    [
        ([0.9, 0.9], 0.81),
        ([0.9999, 0.9995], 0.9999 * 0.9995),
        ([0.5], 0.5),
        ([], 1.0),
    ],
)
def test_series_multiplies(values: list[float], expected: float) -> None:
    assert series(values) == pytest.approx(expected)


@pytest.mark.parametrize(
    ("values", "expected"),
    [
        ([0.9, 0.9], 0.99),
        ([0.999, 0.999], 0.999999),
        ([0.995, 0.995, 0.995], 1 - 0.005**3),
        ([1.0, 0.5], 1.0),
        ([0.7], 0.7),
    ],
)
def test_parallel_combines_redundancy(values: list[float], expected: float) -> None:
    assert parallel(values) == pytest.approx(expected)


def test_parallel_needs_a_value() -> None:
    with pytest.raises(ValueError, match="at least one"):
        parallel([])


def test_parallel_beats_each_member() -> None:
    assert parallel([0.99, 0.95]) > 0.99


# The figures file.


def test_figures_carry_sources() -> None:
    for name, entry in figures()["availability"].items():
        assert 0.0 < entry["value"] <= 1.0, name
        datetime.date.fromisoformat(entry["checked"])
        if entry["kind"] == "assumption":
            assert entry["note"], name
        else:
            assert entry["source"].startswith("http"), name


def test_figures_match_published_values() -> None:
    expected = {
        "elb-multi-az": 0.9999,
        "elb-single-az": 0.999,
        "ec2-multi-az": 0.9999,
        "ec2-single-instance": 0.995,
        "rds-multi-az": 0.9995,
        "rds-single-az": 0.995,
        "elasticache-multi-az": 0.9999,
        "elasticache-single-az": 0.995,
        "s3": 0.999,
        "cloudfront": 0.999,
        "route53": 1.0,
    }
    for name, value in expected.items():
        assert figure(name) == value, name


def test_payment_figure_is_an_assumption() -> None:
    entry = figures()["availability"]["payment-provider"]
    assert entry["kind"] == "assumption"
    assert entry["source"] is None


def test_recovery_figures_carry_sources() -> None:
    for name, entry in figures()["recovery"].items():
        datetime.date.fromisoformat(entry["checked"])
        assert entry["source"] or entry["kind"] == "assumption", name


# The figure chosen from the graph.


def alb_graph(*azs: str) -> Graph:
    nets = subnets(*azs)
    alb = resource(ALB, "web", {"subnets": [net.id for net in nets]})
    return Graph([*nets, alb])


def test_alb_in_two_azs_uses_multi_az_figure() -> None:
    layers = model_availability(read_topology(alb_graph("us-east-1a", "us-east-1b")), JOURNEYS)["model"]["layers"]
    assert layers["load-balancer"]["availability"] == figure("elb-multi-az")
    assert "elb-multi-az" in layers["load-balancer"]["basis"][0]


def test_alb_in_one_az_uses_single_az_figure() -> None:
    layers = model_availability(read_topology(alb_graph("us-east-1a")), JOURNEYS)["model"]["layers"]
    assert layers["load-balancer"]["availability"] == figure("elb-single-az")


def test_replicas_raise_read_availability() -> None:
    primary = resource(RDS, "orders", {"multiAz": False, "availabilityZone": "us-east-1a"})
    replica = resource(RDS, "orders-replica", {"replicateSourceDb": "orders", "availabilityZone": "us-east-1b"})
    layers = model_availability(read_topology(Graph([primary, replica])), JOURNEYS)["model"]["layers"]
    single = figure("rds-single-az")
    assert layers["database"]["availability"] == single
    assert layers["database"]["readAvailability"] == pytest.approx(parallel([single, single]), abs=1e-8)


def test_missing_layer_gives_no_figure() -> None:
    result = model_availability(read_topology(alb_graph("us-east-1a", "us-east-1b")), JOURNEYS)
    assert result["journeys"]["browse"] is None
    assert "web" in result["model"]["journeys"]["browse"]["missing"]


def test_network_is_not_modeled() -> None:
    assert "network" in UNMODELED_LAYERS


# The production plan against a product computed from the figures file.


def test_prod_checkout_matches_figures(plan: PlanFactory) -> None:
    # Two Multi-AZ load balancers, two tiers over three AZs, a Multi-AZ database written to,
    # a Multi-AZ cache, two DNS providers and two payment providers in parallel.
    expected = math.prod(
        [
            parallel([figure("route53"), figure("cloudflare-dns")]),
            figure("elb-multi-az") ** 2,
            figure("ec2-multi-az") ** 2,
            figure("rds-multi-az"),
            figure("elasticache-multi-az"),
            parallel([figure("payment-provider")] * 2),
        ]
    )
    assert plan("prod").sections["availability"]["checkout"] == pytest.approx(expected, abs=1e-8)


def test_prod_images_uses_replica_in_parallel(plan: PlanFactory) -> None:
    expected = figure("cloudfront") * parallel([figure("s3"), figure("s3")])
    assert plan("prod").sections["availability"]["images"] == pytest.approx(expected, abs=1e-8)


def test_prod_browse_reads_from_replicas(plan: PlanFactory) -> None:
    availability = plan("prod").sections["availability"]
    # Browse reads the database, where two replicas back the primary; checkout writes to it.
    assert availability["browse"] > availability["checkout"]
