"""Modeled availability of each user journey, from published SLA figures.

Components a journey needs one after another multiply (series). Redundant components that fail
independently, such as two DNS providers, two payment providers or a replica bucket behind a CDN
origin group, combine as 1 - ∏(1 - a) (parallel). The figure for each component is picked from
the graph: a load balancer in two or more AZs gets the Multi-AZ ELB figure, a single-AZ one the
single-AZ figure, and so on. The figures and their sources are in spof/data/sla.json.

An SLA figure is the threshold below which the provider pays a service credit, not a measured
failure rate, and failures that strike several components at once (a region, a bad deploy) are
not modeled. The result is a way to compare designs, not a forecast. Layers with no published
figure (private egress through NAT gateways, people) are left out and listed as not modeled.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Any

from .topology import Topology, figures

if TYPE_CHECKING:
    from .scenarios import Journey

# Layers whose components have no published availability figure.
UNMODELED_LAYERS = frozenset({"network", "monitoring", "identity", "human"})


def series(values: Iterable[float]) -> float:
    """Return the availability of components that are all needed: the product of theirs."""
    return math.prod(values)


def parallel(values: Iterable[float]) -> float:
    """Return the availability of independent redundant components, any one of which suffices."""
    values = list(values)
    if not values:
        raise ValueError("parallel() needs at least one availability")
    return 1.0 - math.prod(1.0 - value for value in values)


def figure(name: str) -> float:
    """Return the availability figure `name` of spof/data/sla.json as a fraction."""
    value = figures()["availability"][name]["value"]
    if not 0.0 <= value <= 1.0:
        raise ValueError(
            f"spof/data/sla.json: availability {name}: invalid value {value}; expected a fraction from 0 to 1"
        )
    return float(value)


class _Layer:
    """The availability of one layer, its read-only variant, and the figures behind them."""

    def __init__(self) -> None:
        self.values: list[float] = []
        self.reads: list[float] = []
        self.basis: list[str] = []

    def add(self, value: float, basis: str, read: float | None = None) -> None:
        self.values.append(value)
        self.reads.append(value if read is None else read)
        self.basis.append(basis)


def layer_availability(topology: Topology) -> dict[str, _Layer]:
    """Return the modeled availability of each layer the topology has components in."""
    layers: dict[str, _Layer] = {}

    def layer(name: str) -> _Layer:
        return layers.setdefault(name, _Layer())

    if topology.dns_providers:
        names = {"Route 53": "route53", "Cloudflare": "cloudflare-dns"}
        keys = [names[provider] for provider in topology.dns_providers]
        layer("dns").add(parallel(figure(key) for key in keys), "parallel(" + ", ".join(keys) + ")")

    for balancer in topology.load_balancers:
        key = "elb-multi-az" if len(balancer.azs) >= 2 else "elb-single-az"
        layer("load-balancer").add(figure(key), f"{balancer.resource.name}: {key}")

    for tier in topology.tiers:
        key = "ec2-multi-az" if len(tier.azs) >= 2 and tier.instances >= 2 else "ec2-single-instance"
        layer(tier.layer).add(figure(key), f"{tier.resource.name}: {key}")

    for database in topology.databases:
        key = "rds-multi-az" if database.multi_az and database.failover is not None else "rds-single-az"
        write = figure(key)
        if database.replicas:
            read = parallel([write, *(figure("rds-single-az") for _ in database.replicas)])
            basis = f"{database.resource.name}: {key}; reads parallel({key}, rds-single-az x {len(database.replicas)})"
        else:
            read, basis = write, f"{database.resource.name}: {key}"
        layer("database").add(write, basis, read)

    for group in topology.caches:
        key = "elasticache-multi-az" if group.failover is not None and group.multi_az else "elasticache-single-az"
        layer("cache").add(figure(key), f"{group.resource.name}: {key}")

    for origin in topology.image_origins:
        redundant = (
            origin.replica is not None
            and origin.replicated
            and origin.has_origin_group
            and origin.region != origin.replica_region
        )
        if redundant:
            buckets, basis = parallel([figure("s3"), figure("s3")]), "cloudfront x parallel(s3, s3 replica)"
        else:
            buckets, basis = figure("s3"), "cloudfront x s3"
        layer("storage").add(series([figure("cloudfront"), buckets]), f"{origin.bucket.name}: {basis}")

    if topology.payment_providers:
        layer("payments").add(
            parallel(figure("payment-provider") for _ in topology.payment_providers),
            f"parallel(payment-provider x {len(topology.payment_providers)}, an assumption)",
        )
    return layers


def model_availability(topology: Topology, journeys: Sequence[Journey]) -> dict[str, Any]:
    """Return each journey's modeled availability and the per-layer model behind it."""
    layers = layer_availability(topology)
    results: dict[str, float | None] = {}
    details: dict[str, Any] = {}
    for journey in journeys:
        values = []
        unmodeled = []
        missing = []
        for name in journey.layers:
            if name in layers:
                entry = layers[name]
                values.append(series(entry.reads if name in journey.reads else entry.values))
            elif name in UNMODELED_LAYERS:
                unmodeled.append(name)
            else:
                missing.append(name)
        # A journey whose layers the program does not build (an audit of a partial program) gets
        # no figure, because the product of the layers it has would overstate it.
        results[journey.name] = None if missing else round(series(values), 8)
        details[journey.name] = {"layers": list(journey.layers), "unmodeled": unmodeled, "missing": missing}
    return {
        "journeys": results,
        "model": {
            "layers": {
                name: {
                    "availability": round(series(entry.values), 8),
                    "readAvailability": round(series(entry.reads), 8),
                    "basis": entry.basis,
                }
                for name, entry in layers.items()
            },
            "journeys": details,
            "note": "Series multiply, independent redundant components combine as 1 - ∏(1 - a). The figures "
            "are SLA thresholds from spof/data/sla.json, not failure rates, and correlated failures "
            "are not modeled.",
        },
    }
