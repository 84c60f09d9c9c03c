"""Database rules: Multi-AZ RDS instances, Aurora instances across AZs, and sound read replicas."""

from __future__ import annotations

from collections.abc import Iterable

from ..graph import (
    RDS_CLUSTER,
    RDS_CLUSTER_INSTANCE,
    RDS_INSTANCE,
    RDS_SUBNET_GROUP,
    SUBNET,
    Graph,
    Resource,
    describe,
    is_known,
)
from . import Violation, join_sorted, rule


def is_replica(instance: Resource) -> bool:
    """Return whether an RDS instance is a read replica. An unknown source still makes it one."""
    return bool(instance.props.get("replicateSourceDb"))


@rule(
    "rds-not-multi-az",
    "database",
    "Checks whether each RDS instance that is not a read replica is Multi-AZ.",
    security_hub="RDS.5",
    checkov="CKV_AWS_157",
)
def rds_not_multi_az(graph: Graph) -> Iterable[Violation]:
    for instance in graph.of_type(RDS_INSTANCE):
        multi_az = instance.props.get("multiAz")
        if is_replica(instance) or multi_az is True or not is_known(multi_az):
            continue
        yield Violation(
            instance,
            f"RDS instance {instance.name} must be Multi-AZ (multiAz is {describe(multi_az)})",
        )


@rule(
    "aurora-instances-single-az",
    "database",
    "Checks whether each Aurora cluster has at least two cluster instances, not all pinned to one AZ.",
    security_hub="RDS.15",
)
def aurora_instances_single_az(graph: Graph) -> Iterable[Violation]:
    members: dict[str, list[Resource]] = {}
    for instance in graph.of_type(RDS_CLUSTER_INSTANCE):
        clusters = graph.resolve(instance, "clusterIdentifier", RDS_CLUSTER)
        if clusters is None or len(clusters) != 1:
            if not is_known(instance.props.get("clusterIdentifier")):
                return  # An instance of an unknown cluster could belong to any of them.
            continue
        members.setdefault(clusters[0].urn, []).append(instance)

    for cluster in graph.of_type(RDS_CLUSTER):
        engine = cluster.props.get("engine")
        mode = cluster.props.get("engineMode")
        # Multi-AZ DB clusters (MySQL, PostgreSQL) create their own instances in three AZs, and
        # Aurora Serverless v1 has none to place.
        if not isinstance(engine, str) or not engine.startswith("aurora") or mode not in (None, "provisioned"):
            continue
        instances = members.get(cluster.urn, [])
        if len(instances) < 2:
            yield Violation(
                cluster,
                f"Aurora cluster {cluster.name} must have at least 2 cluster instances in distinct AZs "
                f"(found {len(instances)}{': ' + join_sorted(i.name for i in instances) if instances else ''})",
            )
            continue
        zones = [instance.props.get("availabilityZone") for instance in instances]
        # An instance without a pinned AZ is placed by RDS, so only an all-pinned cluster is judged.
        if not all(isinstance(zone, str) and zone and is_known(zone) for zone in zones) or len(set(zones)) >= 2:
            continue
        yield Violation(
            cluster,
            f"Aurora cluster {cluster.name} must have cluster instances in at least 2 AZs "
            f"(all {len(instances)} are pinned to {zones[0]}: {join_sorted(i.name for i in instances)})",
        )


def replica_source(graph: Graph, replica: Resource) -> Resource | None:
    sources = graph.resolve(replica, "replicateSourceDb", RDS_INSTANCE)
    return sources[0] if sources and len(sources) == 1 else None


@rule(
    "rds-replica-source-no-backups",
    "database",
    "Checks whether the source of each RDS read replica keeps automated backups, which RDS requires "
    "to create and keep the replica.",
)
def rds_replica_source_no_backups(graph: Graph) -> Iterable[Violation]:
    replicas_of: dict[str, list[Resource]] = {}
    for replica in graph.of_type(RDS_INSTANCE):
        source = replica_source(graph, replica) if is_replica(replica) else None
        if source is not None:
            replicas_of.setdefault(source.urn, []).append(replica)

    for source in graph.of_type(RDS_INSTANCE):
        if source.urn not in replicas_of:
            continue
        retention = source.props.get("backupRetentionPeriod")
        if not is_known(retention):
            continue
        if retention is None:
            # RDS creates a read replica with backups off, so a replica that is itself a source
            # keeps none unless the program sets them.
            # NOTE: an unset value on an instance that is not a replica is not reported. The
            # provider documents a default of 0 and the RDS API one of 1 day; which applies is unverified.
            if not is_replica(source):
                continue
            found = "backupRetentionPeriod is not set, which is 0 for a read replica"
        elif isinstance(retention, (int, float)) and retention < 1:
            found = f"backupRetentionPeriod is {describe(retention)}"
        else:
            continue
        replicas = replicas_of[source.urn]
        named = (
            f"read replica {replicas[0].name} replicates it"
            if len(replicas) == 1
            else f"read replicas {join_sorted(replica.name for replica in replicas)} replicate it"
        )
        yield Violation(
            source,
            f"RDS instance {source.name} must keep automated backups because {named} ({found})",
        )


@rule(
    "rds-replicas-same-az",
    "database",
    "Checks whether the read replicas of one source are pinned to distinct AZs, none of them the source's.",
)
def rds_replicas_same_az(graph: Graph) -> Iterable[Violation]:
    groups: dict[str, tuple[Resource | None, list[Resource]]] = {}
    for replica in graph.of_type(RDS_INSTANCE):
        if not is_replica(replica):
            continue
        source = replica_source(graph, replica)
        named = replica.props.get("replicateSourceDb")
        if source is not None:
            groups.setdefault(source.urn, (source, []))[1].append(replica)
        elif isinstance(named, str) and is_known(named):
            groups.setdefault(named, (None, []))[1].append(replica)

    for source, replicas in groups.values():
        source_zone = source.props.get("availabilityZone") if source is not None else None
        if not isinstance(source_zone, str) or not is_known(source_zone):
            source_zone = None
        pinned: dict[str, Resource] = {}
        for replica in replicas:
            zone = replica.props.get("availabilityZone")
            # A Multi-AZ replica has a standby in another AZ, so losing its AZ does not lose it.
            if not isinstance(zone, str) or not zone or not is_known(zone) or replica.props.get("multiAz") is True:
                continue
            if zone == source_zone and source is not None:
                yield Violation(
                    replica,
                    f"Read replica {replica.name} must sit in a different AZ from its source {source.name} "
                    f"(both are pinned to {zone})",
                )
            elif zone in pinned:
                source_name = source.name if source is not None else str(replica.props.get("replicateSourceDb"))
                yield Violation(
                    replica,
                    f"Read replica {replica.name} must sit in a different AZ from {pinned[zone].name}, "
                    f"another replica of {source_name} (both are pinned to {zone})",
                )
            else:
                pinned[zone] = replica


@rule(
    "rds-subnet-group-single-az",
    "database",
    "Checks whether each DB subnet group has subnets in at least two AZs.",
)
def rds_subnet_group_single_az(graph: Graph) -> Iterable[Violation]:
    for group in graph.of_type(RDS_SUBNET_GROUP):
        subnets = graph.resolve(group, "subnetIds", SUBNET)
        zones = graph.known_azs(subnets) if subnets else None
        if zones is None or len(zones) >= 2:
            continue
        yield Violation(
            group,
            f"DB subnet group {group.name} must have subnets in at least 2 AZs "
            f"(found {len(zones)}: {join_sorted(zones)})",
        )
