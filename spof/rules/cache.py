"""Cache rules: ElastiCache replication groups with replicas in several AZs and automatic failover."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import TypeGuard

from ..graph import (
    CACHE_CLUSTER,
    CACHE_REPLICATION_GROUP,
    CACHE_SUBNET_GROUP,
    SUBNET,
    Graph,
    Resource,
    describe,
    is_known,
)
from . import Violation, join_sorted, rule


def _is_count(value: object) -> TypeGuard[int | float]:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


@rule(
    "elasticache-single-node",
    "cache",
    "Checks whether each ElastiCache cluster outside a replication group has more than one node.",
)
def elasticache_single_node(graph: Graph) -> Iterable[Violation]:
    for cluster in graph.of_type(CACHE_CLUSTER):
        nodes = cluster.props.get("numCacheNodes")
        if cluster.props.get("replicationGroupId") or not _is_count(nodes) or nodes >= 2:
            continue
        yield Violation(
            cluster,
            f"ElastiCache cluster {cluster.name} must be a member of a replication group or have at least "
            f"2 nodes (numCacheNodes is {describe(nodes)})",
        )


def _flag_not_enabled(graph: Graph, key: str, requirement: str) -> Iterable[Violation]:
    for group in graph.of_type(CACHE_REPLICATION_GROUP):
        value = group.props.get(key)
        if value is True or not is_known(value):
            continue
        yield Violation(
            group,
            f"ElastiCache replication group {group.name} must {requirement} ({key} is {describe(value)})",
        )


@rule(
    "elasticache-no-automatic-failover",
    "cache",
    "Checks whether each ElastiCache replication group promotes a replica automatically when its primary fails.",
    security_hub="ElastiCache.3",
)
def elasticache_no_automatic_failover(graph: Graph) -> Iterable[Violation]:
    return _flag_not_enabled(graph, "automaticFailoverEnabled", "enable automatic failover")


@rule(
    "elasticache-not-multi-az",
    "cache",
    "Checks whether each ElastiCache replication group has Multi-AZ enabled.",
)
def elasticache_not_multi_az(graph: Graph) -> Iterable[Violation]:
    return _flag_not_enabled(graph, "multiAzEnabled", "enable Multi-AZ")


def _member_clusters(graph: Graph) -> tuple[dict[str, int], bool]:
    """Count the clusters that join each replication group, and report whether one joins an unknown group."""
    counts: dict[str, int] = {}
    unknown = False
    for cluster in graph.of_type(CACHE_CLUSTER):
        named = cluster.props.get("replicationGroupId")
        if not named:
            continue
        groups = graph.resolve(cluster, "replicationGroupId", CACHE_REPLICATION_GROUP)
        if groups and len(groups) == 1:
            counts[groups[0].urn] = counts.get(groups[0].urn, 0) + 1
        elif not is_known(named):
            unknown = True
    return counts, unknown


@rule(
    "elasticache-fewer-than-two-nodes",
    "cache",
    "Checks whether each shard of an ElastiCache replication group has a replica beside its primary.",
)
def elasticache_fewer_than_two_nodes(graph: Graph) -> Iterable[Violation]:
    members, unknown_members = _member_clusters(graph)
    for group in graph.of_type(CACHE_REPLICATION_GROUP):
        sharded = any(group.props.get(key) is not None for key in ("numNodeGroups", "replicasPerNodeGroup"))
        if sharded:
            # replicasPerNodeGroup defaults to 0, and a node group's own replicaCount overrides it.
            replicas = group.props.get("replicasPerNodeGroup")
            found = [(replicas if replicas is not None else 0, f"replicasPerNodeGroup is {describe(replicas)}")]
            for config in group.props.get("nodeGroupConfigurations") or ():
                if isinstance(config, Mapping) and config.get("replicaCount") is not None:
                    count = config["replicaCount"]
                    found.append(
                        (count, f"node group {config.get('nodeGroupId') or '?'} has replicaCount {describe(count)}")
                    )
            if not all(_is_count(count) for count, _ in found):
                continue
            fewest = min(found, key=lambda item: item[0])
            if fewest[0] < 1:
                yield Violation(
                    group,
                    f"ElastiCache replication group {group.name} must have at least 2 nodes per shard ({fewest[1]})",
                )
            continue
        clusters = group.props.get("numCacheClusters", 1)
        if not _is_count(clusters) or unknown_members:
            continue
        total = clusters + members.get(group.urn, 0)
        if total >= 2:
            continue
        yield Violation(
            group,
            f"ElastiCache replication group {group.name} must have at least 2 nodes per shard "
            f"(numCacheClusters is {describe(group.props.get('numCacheClusters'))})",
        )


def _pinned_azs(group: Resource) -> list | None:
    """Return the AZs a replication group pins its nodes to, or None when it pins none."""
    preferred = group.props.get("preferredCacheClusterAzs")
    if isinstance(preferred, list) and preferred:
        return preferred
    if not is_known(preferred):
        return [preferred]
    zones: list = []
    for config in group.props.get("nodeGroupConfigurations") or ():
        if isinstance(config, Mapping):
            zones.append(config.get("primaryAvailabilityZone"))
            zones.extend(config.get("replicaAvailabilityZones") or ())
    return zones or None


def subnet_group_azs(graph: Graph, group: Resource) -> set[str] | None:
    subnets = graph.resolve(group, "subnetIds", SUBNET)
    return graph.known_azs(subnets) if subnets else None


@rule(
    "elasticache-nodes-single-az",
    "cache",
    "Checks whether the nodes of each ElastiCache replication group, and the subnets of each cache "
    "subnet group, span at least two AZs.",
)
def elasticache_nodes_single_az(graph: Graph) -> Iterable[Violation]:
    reported_subnet_groups: set[str] = set()
    for group in graph.of_type(CACHE_REPLICATION_GROUP):
        pinned = _pinned_azs(group) or []
        all_known = all(isinstance(zone, str) and zone and is_known(zone) for zone in pinned)
        if pinned and all_known and len(set(pinned)) < 2:
            pinned_to = f"all {len(pinned)} are" if len(pinned) > 1 else "its one node is"
            yield Violation(
                group,
                f"ElastiCache replication group {group.name} must place its nodes in at least 2 AZs "
                f"({pinned_to} pinned to {pinned[0]})",
            )
            continue
        subnet_groups = graph.resolve(group, "subnetGroupName", CACHE_SUBNET_GROUP)
        if not subnet_groups or len(subnet_groups) != 1:
            continue
        subnet_group = subnet_groups[0]
        zones = subnet_group_azs(graph, subnet_group)
        if zones is None or len(zones) >= 2:
            continue
        reported_subnet_groups.add(subnet_group.urn)
        yield Violation(
            group,
            f"ElastiCache replication group {group.name} must place its nodes in at least 2 AZs "
            f"(its subnet group {subnet_group.name} has subnets in {len(zones)}: {join_sorted(zones)})",
        )

    for subnet_group in graph.of_type(CACHE_SUBNET_GROUP):
        if subnet_group.urn in reported_subnet_groups:
            continue
        zones = subnet_group_azs(graph, subnet_group)
        if zones is None or len(zones) >= 2:
            continue
        yield Violation(
            subnet_group,
            f"Cache subnet group {subnet_group.name} must have subnets in at least 2 AZs "
            f"(found {len(zones)}: {join_sorted(zones)})",
        )
