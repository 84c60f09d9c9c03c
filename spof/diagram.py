"""A Mermaid flowchart of a stack's layers and how they spread over its AZs.

Zonal layers (load balancers, tiers, NAT gateways, database and cache nodes) get one node per
AZ inside a subgraph for that AZ. Regional and global services (DNS, the CDN and its buckets,
payment providers, administrators) sit in a subgraph of their own. Edges follow the calls a
request makes, within an AZ where both ends are zonal. GitHub renders the result in Markdown.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from .graph import NAT_GATEWAY, Graph
from .topology import Topology, read_topology

# Calls between layers, used only to draw edges.
CALLS: tuple[tuple[str, str], ...] = (
    ("dns", "load-balancer"),
    ("dns", "storage"),
    ("load-balancer", "web"),
    ("web", "app"),
    ("app", "database"),
    ("app", "cache"),
    ("app", "network"),
    ("network", "payments"),
)
ZONAL_ORDER = ("load-balancer", "web", "app", "network", "database", "cache")
REGIONAL = "regional"


def _node_id(*parts: str) -> str:
    return re.sub(r"[^A-Za-z0-9_]", "_", "_".join(parts))


def _label(layer: str, items: Iterable[str]) -> str:
    text = f"{layer}<br/>" + ", ".join(dict.fromkeys(items))
    return text.replace('"', "#quot;")


def _zonal_items(graph: Graph, topology: Topology) -> dict[str, dict[str, list[str]]]:
    """Return, for each AZ, the resources of each zonal layer that sit in it or span it."""
    placed: dict[str, dict[str, list[str]]] = {az: {} for az in topology.azs}

    def place(az: str | None, layer: str, item: str) -> None:
        if az in placed:
            placed[az].setdefault(layer, []).append(item)

    for balancer in topology.load_balancers:
        for az in balancer.azs:
            place(az, "load-balancer", balancer.resource.name)
    for tier in topology.tiers:
        for az in tier.azs:
            place(az, tier.layer, tier.resource.name)
    for gateway in graph.of_type(NAT_GATEWAY):
        place(graph.az(gateway), "network", gateway.name)
    for database in topology.databases:
        name = database.resource.name
        if database.az is not None:
            place(database.az, "database", f"{name} (primary)")
        else:
            role = "primary or standby" if database.multi_az else "primary"
            for zone in database.member_azs:
                place(zone, "database", f"{name} ({role})")
        for replica, replica_az in database.replicas:
            place(replica_az, "database", f"{replica.name} (replica)")
    for group in topology.caches:
        for index, az in enumerate(group.node_azs):
            place(az, "cache", f"{group.resource.name} ({'primary' if index == 0 else 'replica'})")
    return placed


def _regional_items(topology: Topology) -> dict[str, list[str]]:
    items: dict[str, list[str]] = {}
    if topology.dns_providers:
        items["dns"] = list(topology.dns_providers)
    for origin in topology.image_origins:
        buckets = [f"{origin.bucket.name} ({origin.region or 'region unknown'})"]
        if origin.replica is not None:
            buckets.append(f"{origin.replica.name} ({origin.replica_region or 'region unknown'})")
        items.setdefault("storage", []).append(f"{origin.distribution.name} via " + " and ".join(buckets))
    if topology.payment_providers:
        items["payments"] = list(topology.payment_providers)
    for group, members in topology.administrator_groups.items():
        items.setdefault("human", []).append(f"{len(members)} administrator(s) in {group}")
    return items


def render_mermaid(graph: Graph) -> str:
    """Return a `flowchart` of the stack's layers, one subgraph per AZ and one for regional services."""
    topology = read_topology(graph)
    zonal = _zonal_items(graph, topology)
    regional = _regional_items(topology)
    lines = ["flowchart TB", '  users(["users"])']

    nodes: dict[str, list[tuple[str, str]]] = {}  # layer -> [(node id, AZ or REGIONAL)]
    if regional:
        lines.append(f'  subgraph {REGIONAL}["regional and global services"]')
        for layer, items in regional.items():
            node = _node_id(REGIONAL, layer)
            lines.append(f'    {node}["{_label(layer, items)}"]')
            nodes.setdefault(layer, []).append((node, REGIONAL))
        lines.append("  end")
    for az, layers in zonal.items():
        lines.append(f'  subgraph {_node_id("az", az)}["AZ {az}"]')
        for layer in ZONAL_ORDER:
            if layer in layers:
                node = _node_id(az, layer)
                lines.append(f'    {node}["{_label(layer, layers[layer])}"]')
                nodes.setdefault(layer, []).append((node, az))
        lines.append("  end")

    for node, _ in nodes.get("dns", []):
        lines.append(f"  users --> {node}")
    for caller, callee in CALLS:
        for source, source_az in nodes.get(caller, []):
            for target, target_az in nodes.get(callee, []):
                if REGIONAL in (source_az, target_az) or source_az == target_az:
                    lines.append(f"  {source} --> {target}")
    return "\n".join(lines)
