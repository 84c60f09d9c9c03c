"""Which user journeys keep working when one thing fails, and how long recovery takes.

The failures are derived from the recorded graph (see spof/topology.py). They are the loss of
each AZ that the stack's subnets use, of one instance of each Auto Scaling group, of each
database primary and cache primary, of each DNS provider and payment provider, of the bucket (or
region) behind each CDN, and of one administrator. Each failure marks the resources it affects with a
state: `up`, `degraded` with the seconds until service is back without anyone acting, or
`down`. A journey takes the worst state over the layers it needs.

Limits of the model, stated here and, in short, under the matrix that the plan prints:
- AZ loss is worst case: a resource whose placement AWS chooses (a Multi-AZ database primary,
  the single instance of a group) is assumed to sit in the lost AZ.
- Recovery counts detection and failover only. Capacity lost with an AZ, cold caches and
  client retries are not modeled, and neither are failures that strike together.
- A lost NAT gateway cuts private egress, and with it the calls to payment providers, for the
  route tables that use it. Requests served from those AZs fail until someone re-routes, so
  the model marks egress `down` even when other AZs keep theirs.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from .graph import Graph
from .topology import DatabasePrimary, Topology, read_topology

UP, DEGRADED, DOWN = "up", "degraded", "down"
_RANK = {UP: 0, DEGRADED: 1, DOWN: 2}


@dataclass(frozen=True)
class Journey:
    """A user journey and the layers it needs; `reads` lists the layers it only reads from."""

    name: str
    layers: tuple[str, ...]
    reads: frozenset[str] = frozenset()
    description: str = ""


# The one place that maps journeys to layers. `network` stands for private egress, which only
# the calls to payment providers need.
JOURNEYS: tuple[Journey, ...] = (
    Journey(
        "browse",
        ("dns", "load-balancer", "web", "app", "database"),
        frozenset({"database"}),
        "Catalogue pages. They read the database, so a read replica serves them while the "
        "primary is lost; the cache only speeds them up.",
    ),
    Journey("images", ("dns", "storage"), frozenset(), "Product images from the CDN and the image bucket behind it."),
    Journey(
        "login",
        ("dns", "load-balancer", "web", "app", "database", "cache"),
        frozenset({"database"}),
        "Signing in: credentials are read from the database, the session is written to the cache.",
    ),
    Journey(
        "checkout",
        ("dns", "load-balancer", "web", "app", "database", "cache", "payments", "network"),
        frozenset(),
        "Placing an order: it writes to the database primary, reads the session from the cache "
        "and calls a payment provider through private egress.",
    ),
)
JOURNEY_NAMES: tuple[str, ...] = tuple(journey.name for journey in JOURNEYS)
LIMITS = (
    "AZ loss assumes the worst placement. Lost capacity, cold caches, client retries and failures "
    "that strike together are not modeled."
)


@dataclass(frozen=True)
class State:
    status: str
    recovery_s: float | None = None
    cause: str = ""


@dataclass(frozen=True)
class Impact:
    """The effect of one failure on one resource. `read` is the state for journeys that only read."""

    layer: str
    resource: str
    state: State
    read: State | None = None

    def state_for(self, journey: Journey) -> State:
        if self.layer in journey.reads and self.read is not None:
            return self.read
        return self.state


@dataclass
class Failure:
    id: str
    description: str
    impacts: list[Impact] = field(default_factory=list)


def worst(states: Iterable[State]) -> State:
    """Combine states that hold at once: the worst status wins, and degraded layers recover in
    parallel, so the slowest recovery counts."""
    states = list(states)
    if not states:
        return State(UP)
    status = max((state.status for state in states), key=_RANK.__getitem__)
    chosen = [state for state in states if state.status == status]
    recovery = None
    if status == DEGRADED:
        recovery = max(state.recovery_s or 0.0 for state in chosen)
        # The reason names what sets the recovery time, not every layer that recovers sooner.
        chosen = [state for state in chosen if (state.recovery_s or 0.0) == recovery]
    causes = "; ".join(dict.fromkeys(state.cause for state in chosen if state.cause))
    return State(status, recovery, causes)


def journey_state(failure: Failure, journey: Journey) -> State:
    return worst(impact.state_for(journey) for impact in failure.impacts if impact.layer in journey.layers)


def _seconds(value: float) -> str:
    return f"{value:g} s"


# The failures, each derived from the topology.


def az_failures(topology: Topology) -> list[Failure]:
    return [_az_failure(topology, az) for az in topology.azs]


def _az_failure(topology: Topology, lost: str) -> Failure:
    failure = Failure(f"az:{lost}", f"loss of AZ {lost}")
    impacts = failure.impacts

    for balancer in topology.load_balancers:
        if lost not in balancer.azs:
            continue
        name = balancer.resource.name
        if balancer.azs - {lost}:
            impacts.append(
                Impact(
                    "load-balancer",
                    name,
                    State(
                        DEGRADED,
                        balancer.node_loss.seconds,
                        f"{name} stops answering from {lost} after {balancer.node_loss.basis}",
                    ),
                )
            )
        else:
            impacts.append(Impact("load-balancer", name, State(DOWN, cause=f"{name} has subnets only in {lost}")))

    for tier in topology.tiers:
        if lost not in tier.azs:
            continue
        name = tier.resource.name
        if len(tier.azs) < 2:
            impacts.append(Impact(tier.layer, name, State(DOWN, cause=f"{name} has subnets only in {lost}")))
        elif tier.instances < 2:
            impacts.append(
                Impact(tier.layer, name, State(DOWN, cause=f"{name} runs a single instance, which may be in {lost}"))
            )
        elif tier.detection is None:
            impacts.append(
                Impact(
                    tier.layer,
                    name,
                    State(
                        DOWN,
                        cause=f"no load balancer health check takes the instances of {name} in {lost} out of service",
                    ),
                )
            )
        else:
            impacts.append(
                Impact(
                    tier.layer,
                    name,
                    State(
                        DEGRADED,
                        tier.detection.seconds,
                        f"the instances of {name} in {lost} leave service after {tier.detection.basis}",
                    ),
                )
            )

    for database in topology.databases:
        impact = _database_in_lost_az(database, lost)
        if impact is not None:
            impacts.append(impact)

    for group in topology.caches:
        name = group.resource.name
        if group.primary_az not in (None, lost):
            continue
        survivors = [az for az in group.node_azs if az != lost]
        if group.failover is not None and (survivors or (not group.node_azs and group.multi_az)):
            impacts.append(
                Impact(
                    "cache",
                    name,
                    State(
                        DEGRADED,
                        group.failover.seconds,
                        f"the primary of {name} is (or may be) in {lost}; {group.failover.basis}",
                    ),
                )
            )
        else:
            impacts.append(
                Impact(
                    "cache",
                    name,
                    State(
                        DOWN,
                        cause=f"the primary of {name} is (or may be) in {lost} and no replica in another AZ takes over",
                    ),
                )
            )

    cut = sorted({az for route in topology.egress if route.nat_az == lost for az in route.subnet_azs if az != lost})
    if cut:
        gateways = sorted({route.nat_gateway.name for route in topology.egress if route.nat_az == lost})
        impacts.append(
            Impact(
                "network",
                ", ".join(gateways),
                State(
                    DOWN,
                    cause=f"private subnets in {', '.join(cut)} send egress through NAT gateway "
                    f"{', '.join(gateways)} in {lost}; payment calls from there fail until re-routed",
                ),
            )
        )
    return failure


def _database_in_lost_az(database: DatabasePrimary, lost: str) -> Impact | None:
    name = database.resource.name
    surviving_replicas = [replica.name for replica, az in database.replicas if az is not None and az != lost]
    read_up = State(UP, cause=f"reads continue on {', '.join(surviving_replicas)}") if surviving_replicas else None
    if database.kind == "cluster":
        if database.member_azs and lost not in database.member_azs:
            return None
        if database.failover is not None and database.member_azs - {lost}:
            state = State(
                DEGRADED, database.failover.seconds, f"the writer of {name} may be in {lost}; {database.failover.basis}"
            )
            return Impact("database", name, state, read_up or state)
        state = State(DOWN, cause=f"every instance of {name} is in {lost}")
        return Impact("database", name, state, read_up or state)
    if database.multi_az and database.failover is not None:
        if database.member_azs and lost not in database.member_azs:
            return None
        state = State(
            DEGRADED, database.failover.seconds, f"the primary of {name} may be in {lost}; {database.failover.basis}"
        )
        return Impact("database", name, state, read_up or state)
    if database.az is not None and database.az != lost:
        return None
    where = f"is in {lost}" if database.az == lost else f"may be in {lost} (its AZ is not pinned)"
    state = State(
        DOWN,
        cause=f"{name} {where} and has no Multi-AZ standby; writes stop until a replica "
        "is promoted or a backup restored",
    )
    return Impact("database", name, state, read_up or state)


def instance_failures(topology: Topology) -> list[Failure]:
    failures = []
    for tier in topology.tiers:
        name = tier.resource.name
        failure = Failure(f"instance:{tier.layer}:{name}", f"loss of one {tier.layer} instance ({name})")
        if tier.instances < 2:
            grace = f" and its {tier.grace_seconds:g} s health check grace period" if tier.grace_seconds else ""
            state = State(DOWN, cause=f"{name} runs one instance; service returns after a replacement boots{grace}")
        elif tier.detection is None:
            state = State(
                DOWN, cause=f"no load balancer health check takes the failed instance of {name} out of service"
            )
        else:
            state = State(
                DEGRADED, tier.detection.seconds, f"the failed instance leaves service after {tier.detection.basis}"
            )
        failure.impacts.append(Impact(tier.layer, name, state))
        failures.append(failure)
    return failures


def database_failures(topology: Topology) -> list[Failure]:
    failures = []
    for database in topology.databases:
        name = database.resource.name
        failure = Failure(f"database-primary:{name}", f"loss of database primary {name}")
        replicas = [replica.name for replica, _ in database.replicas]
        read_up = State(UP, cause=f"reads continue on {', '.join(replicas)}") if replicas else None
        if database.failover is not None:
            state = State(DEGRADED, database.failover.seconds, database.failover.basis)
        else:
            state = State(
                DOWN, cause=f"{name} has no standby; writes stop until a replica is promoted or a backup restored"
            )
        failure.impacts.append(Impact("database", name, state, read_up or state))
        failures.append(failure)
    return failures


def cache_failures(topology: Topology) -> list[Failure]:
    failures = []
    for group in topology.caches:
        name = group.resource.name
        failure = Failure(f"cache-primary:{name}", f"loss of cache primary ({name})")
        if group.failover is not None:
            state = State(DEGRADED, group.failover.seconds, group.failover.basis)
        else:
            state = State(
                DOWN,
                cause=f"{name} has no replica with automatic failover; sessions are lost until the node is replaced",
            )
        failure.impacts.append(Impact("cache", name, state))
        failures.append(failure)
    return failures


def dns_failures(topology: Topology) -> list[Failure]:
    failures = []
    for provider in topology.dns_providers:
        others = [name for name in topology.dns_providers if name != provider]
        failure = Failure(f"dns-provider:{provider.lower().replace(' ', '')}", f"loss of DNS provider {provider}")
        if others:
            # Resolvers try another name server of the delegation when one does not respond, and
            # answers cached before the loss stay valid; lookups are slower, not failed.
            state = State(UP, cause=f"resolvers retry the name servers of {', '.join(others)}")
        else:
            state = State(
                DOWN, cause=f"{provider} is the only DNS provider; names stop resolving when cached answers expire"
            )
        failure.impacts.append(Impact("dns", provider, state))
        failures.append(failure)
    return failures


def payment_failures(topology: Topology) -> list[Failure]:
    failures = []
    for provider in topology.payment_providers:
        others = [name for name in topology.payment_providers if name != provider]
        failure = Failure(f"payment-provider:{provider}", f"loss of payment provider {provider}")
        if not others:
            state = State(DOWN, cause=f"{provider} is the only payment provider")
        elif topology.payment_retry is not None:
            state = State(
                DEGRADED,
                topology.payment_retry.seconds,
                f"new checkouts use {', '.join(others)}; payments in flight are retried after "
                f"{topology.payment_retry.basis}",
            )
        else:
            state = State(UP, cause=f"new checkouts use {', '.join(others)}")
        failure.impacts.append(Impact("payments", provider, state))
        failures.append(failure)
    return failures


def image_failures(topology: Topology) -> list[Failure]:
    failures = []
    for origin in topology.image_origins:
        name = origin.bucket.name
        region = f" or its region {origin.region}" if origin.region else ""
        failure = Failure(f"image-bucket:{name}", f"loss of image bucket {name}{region}")
        if not origin.has_origin_group or origin.replica is None:
            state = State(
                DOWN,
                cause=f"{origin.distribution.name} has no second bucket to fail over to; "
                "only objects cached at the edge are served",
            )
        elif not origin.replicated:
            state = State(
                DOWN, cause=f"{origin.replica.name} is in the origin group but receives no replication from {name}"
            )
        elif origin.region is not None and origin.region == origin.replica_region:
            state = State(DOWN, cause=f"the replica {origin.replica.name} is in the same region, {origin.region}")
        else:
            where = f" in {origin.replica_region}" if origin.replica_region else ""
            state = State(
                DEGRADED,
                origin.failover.seconds,
                f"CloudFront fails over to {origin.replica.name}{where} after {origin.failover.basis}",
            )
        failure.impacts.append(Impact("storage", name, state))
        failures.append(failure)
    return failures


def administrator_failures(topology: Topology) -> list[Failure]:
    failures = []
    for group, members in topology.administrator_groups.items():
        if not members:
            continue
        failure = Failure(f"administrator:{group}", f"loss of one administrator ({len(members)} in {group})")
        if len(members) >= 2:
            state = State(UP, cause=f"{len(members) - 1} other administrator(s) remain")
        else:
            state = State(
                DOWN, cause=f"{members[0]} is the only member of {group}; nobody else holds AdministratorAccess"
            )
        failure.impacts.append(Impact("human", group, state))
        failures.append(failure)
    return failures


def derive_failures(topology: Topology) -> list[Failure]:
    """Return every single failure the topology allows, in a stable order."""
    return [
        *az_failures(topology),
        *instance_failures(topology),
        *database_failures(topology),
        *cache_failures(topology),
        *dns_failures(topology),
        *payment_failures(topology),
        *image_failures(topology),
        *administrator_failures(topology),
    ]


# The report sections.


def _state_json(state: State) -> dict[str, Any]:
    entry: dict[str, Any] = {"status": state.status}
    if state.status == DEGRADED:
        entry["recovery_s"] = state.recovery_s
    if state.cause:
        entry["reason"] = state.cause
    return entry


def failure_json(failure: Failure) -> dict[str, Any]:
    layers: dict[str, list[State]] = {}
    for impact in failure.impacts:
        layers.setdefault(impact.layer, []).append(impact.state)
    impacts = []
    for impact in failure.impacts:
        entry = {"layer": impact.layer, "resource": impact.resource, **_state_json(impact.state)}
        if impact.read is not None and impact.read != impact.state:
            entry["reads"] = _state_json(impact.read)
        impacts.append(entry)
    return {
        "failure": failure.id,
        "description": failure.description,
        "journeys": {journey.name: _state_json(journey_state(failure, journey)) for journey in JOURNEYS},
        "layers": {layer: _state_json(worst(states)) for layer, states in layers.items()},
        "impacts": impacts,
    }


def build_sections(graph: Graph) -> dict[str, Any]:
    """Return the report sections `scenarios`, `availability` and `availabilityModel` for `graph`."""
    from .availability import model_availability

    topology = read_topology(graph)
    model = model_availability(topology, JOURNEYS)
    return {
        "scenarios": [failure_json(failure) for failure in derive_failures(topology)],
        "availability": model["journeys"],
        "availabilityModel": model["model"],
    }


# Text and Markdown renderings of the failure x journey matrix.


def cell_text(cell: dict[str, Any]) -> str:
    if cell["status"] == DEGRADED:
        return f"degraded {cell['recovery_s']:g} s"
    return str(cell["status"])


def percent(fraction: float) -> str:
    return f"{fraction * 100:.4f} %"


def render_matrix_text(sections: dict[str, Any]) -> list[str]:
    """Return the failure x journey matrix and the modeled availability as text lines."""
    scenarios: Sequence[dict[str, Any]] = sections.get("scenarios") or []
    if not scenarios:
        return []
    rows = [[s["description"], *(cell_text(s["journeys"][name]) for name in JOURNEY_NAMES)] for s in scenarios]
    header = ["failure", *JOURNEY_NAMES]
    widths = [max(len(row[i]) for row in [header, *rows]) for i in range(len(header))]
    lines = ["", "What keeps working when one thing fails (modeled; recovery without anyone acting):", f"  {LIMITS}"]
    lines.append("  " + "  ".join(text.ljust(width) for text, width in zip(header, widths, strict=True)).rstrip())
    for row in rows:
        lines.append("  " + "  ".join(text.ljust(width) for text, width in zip(row, widths, strict=True)).rstrip())
    lines.extend(_reasons(scenarios, "  "))
    lines.extend(_availability_lines(sections))
    return lines


def _reasons(scenarios: Sequence[dict[str, Any]], indent: str) -> list[str]:
    """Return one line per failure that takes a resource down, with the reasons it gives."""
    lines = []
    for scenario in scenarios:
        reasons = dict.fromkeys(
            impact["reason"]
            for impact in scenario.get("impacts", ())
            if impact["status"] == DOWN and impact.get("reason")
        )
        if reasons:
            lines.append(f"{indent}! {scenario['description']}: " + "; ".join(reasons))
    return lines


def _availability_lines(sections: dict[str, Any]) -> list[str]:
    availability = sections.get("availability") or {}
    if not availability:
        return []
    model = sections.get("availabilityModel") or {}
    lines = ["", "Modeled availability from published SLA figures (not a failure rate):"]
    for name in JOURNEY_NAMES:
        if name in availability:
            lines.append(f"  {name}: {_availability_cell(availability[name], model, name)}")
    return lines


def _availability_cell(value: float | None, model: dict[str, Any], journey: str) -> str:
    details = model.get("journeys", {}).get(journey, {}) or {}
    if value is None:
        return "not modeled: the program has no resources in " + ", ".join(details.get("missing") or [])
    unmodeled = details.get("unmodeled") or []
    return percent(value) + (f" (not modeled: {', '.join(unmodeled)})" if unmodeled else "")


def render_markdown(sections: dict[str, Any], stack: str) -> str:
    """Return the matrix and the availability as Markdown tables."""
    scenarios: Sequence[dict[str, Any]] = sections.get("scenarios") or []
    lines = [f"### Failure scenarios of stack `{stack}`", "", LIMITS, ""]
    lines.append("| failure | " + " | ".join(JOURNEY_NAMES) + " |")
    lines.append("|---|" + "---|" * len(JOURNEY_NAMES))
    for scenario in scenarios:
        cells = [cell_text(scenario["journeys"][name]) for name in JOURNEY_NAMES]
        lines.append(f"| {_escape(scenario['description'])} | " + " | ".join(cells) + " |")
    down = _reasons(scenarios, "")
    if down:
        lines.append("")
        lines.extend(f"- {line[2:]}" for line in down)
    availability = sections.get("availability") or {}
    if availability:
        model = sections.get("availabilityModel") or {}
        lines += ["", "| journey | modeled availability |", "|---|---|"]
        for name in JOURNEY_NAMES:
            if name in availability:
                lines.append(f"| {name} | {_availability_cell(availability[name], model, name)} |")
        lines += [
            "",
            "Recovery is the modeled time until service returns without anyone acting. Availability "
            "multiplies published SLA figures in series and combines redundant providers in parallel; "
            "it is not a failure rate and ignores correlated failures.",
        ]
    return "\n".join(lines)


def _escape(text: str) -> str:
    return text.replace("|", "\\|")
