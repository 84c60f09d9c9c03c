"""Databases and caches as deployed: RDS instances, Aurora clusters, DB subnet groups, ElastiCache."""

from __future__ import annotations

from typing import Any

from botocore.exceptions import ClientError

from ..graph import (
    CACHE_CLUSTER,
    CACHE_REPLICATION_GROUP,
    RDS_CLUSTER,
    RDS_CLUSTER_INSTANCE,
    RDS_INSTANCE,
    RDS_SUBNET_GROUP,
    UNKNOWN,
    Resource,
)
from .account import Account, paginate, tag_map

_FAILOVER_ON = ("enabled", "enabling")


def read_databases(account: Account) -> list[Resource]:
    """Read the stack's RDS instances and Aurora clusters, and the DB subnet groups they use.

    DB subnet groups are taken from the instances' descriptions, so that a group is read
    exactly when a stack's database uses it.
    """
    rds = account.client("rds")
    found: list[Resource] = []
    subnet_groups: dict[str, list[str]] = {}

    for instance in paginate(rds, "describe_db_instances", "DBInstances"):
        tags = tag_map(instance.get("TagList"))
        if not account.owns(tags):
            continue
        # The identifier, unique in a region, names the instance as the console does.
        identifier = instance["DBInstanceIdentifier"]
        outputs = {
            "arn": instance.get("DBInstanceArn"),
            "identifier": identifier,
            "resourceId": instance.get("DbiResourceId"),
            "address": (instance.get("Endpoint") or {}).get("Address"),
        }
        if instance.get("DBClusterIdentifier"):
            found.append(
                account.resource(
                    RDS_CLUSTER_INSTANCE,
                    identifier,
                    identifier,
                    {
                        "identifier": identifier,
                        "clusterIdentifier": instance["DBClusterIdentifier"],
                        "engine": instance.get("Engine"),
                        "instanceClass": instance.get("DBInstanceClass"),
                        "availabilityZone": instance.get("AvailabilityZone"),
                        "tags": tags,
                    },
                    outputs,
                )
            )
            continue
        group = instance.get("DBSubnetGroup") or {}
        if group.get("DBSubnetGroupName"):
            subnet_groups.setdefault(
                group["DBSubnetGroupName"],
                [subnet["SubnetIdentifier"] for subnet in group.get("Subnets") or () if subnet.get("SubnetIdentifier")],
            )
        found.append(
            account.resource(
                RDS_INSTANCE,
                identifier,
                identifier,
                {
                    "identifier": identifier,
                    "engine": instance.get("Engine"),
                    "instanceClass": instance.get("DBInstanceClass"),
                    "multiAz": bool(instance.get("MultiAZ")),
                    # The AZ the instance runs in now; with Multi-AZ, a failover moves it.
                    "availabilityZone": instance.get("AvailabilityZone"),
                    # An identifier in the same region, an ARN across regions.
                    "replicateSourceDb": instance.get("ReadReplicaSourceDBInstanceIdentifier"),
                    "backupRetentionPeriod": instance.get("BackupRetentionPeriod"),
                    "dbSubnetGroupName": group.get("DBSubnetGroupName"),
                    "tags": tags,
                },
                outputs,
            )
        )

    for name, subnet_ids in subnet_groups.items():
        found.append(account.resource(RDS_SUBNET_GROUP, name, name, {"name": name, "subnetIds": subnet_ids}))

    for cluster in paginate(rds, "describe_db_clusters", "DBClusters"):
        tags = tag_map(cluster.get("TagList"))
        if not account.owns(tags):
            continue
        identifier = cluster["DBClusterIdentifier"]
        found.append(
            account.resource(
                RDS_CLUSTER,
                identifier,
                identifier,
                {
                    "clusterIdentifier": identifier,
                    "engine": cluster.get("Engine"),
                    "engineMode": cluster.get("EngineMode"),
                    "availabilityZones": cluster.get("AvailabilityZones") or [],
                    "tags": tags,
                },
                {"arn": cluster.get("DBClusterArn")},
            )
        )
    return found


def _member_azs(elasticache: Any, group: dict[str, Any]) -> list[str] | None:
    """Return the AZ of each member cluster of a group, in member order; None when one is unknown."""
    listed = {
        member.get("CacheClusterId"): member.get("PreferredAvailabilityZone")
        for node_group in group.get("NodeGroups") or ()
        for member in node_group.get("NodeGroupMembers") or ()
    }
    zones = []
    for cluster_id in group.get("MemberClusters") or ():
        zone = listed.get(cluster_id)
        if not zone:
            try:
                clusters = elasticache.describe_cache_clusters(CacheClusterId=cluster_id).get("CacheClusters") or [{}]
            except ClientError:
                return None
            zone = clusters[0].get("PreferredAvailabilityZone")
        if not zone or zone == "Multiple":
            return None
        zones.append(zone)
    return zones or None


def _sharded_props(group: dict[str, Any]) -> dict[str, Any]:
    """Describe a cluster-mode-enabled group by its node groups, as Pulumi's sharded inputs do.

    A node group whose members cannot be counted makes the node count unknown, so that the
    rules report nothing rather than a shard without replicas.
    """
    # NOTE: a node group that lists no members is counted by the `-<node group id>-` part of the
    # member cluster ids. That is moto 5.2's naming, and whether AWS names them so is unverified.
    configurations = []
    for node_group in group.get("NodeGroups") or ():
        node_group_id = str(node_group.get("NodeGroupId"))
        members = node_group.get("NodeGroupMembers") or []
        count = len(members) or sum(f"-{node_group_id}-" in member for member in group.get("MemberClusters") or ())
        if not count:
            return {"numCacheClusters": UNKNOWN}
        zones = [member.get("PreferredAvailabilityZone") for member in members]
        primary = next(
            (m.get("PreferredAvailabilityZone") for m in members if m.get("CurrentRole") == "primary"),
            zones[0] if zones else None,
        )
        replicas = list(zones)
        if primary in replicas:
            replicas.remove(primary)
        configuration: dict[str, Any] = {"nodeGroupId": node_group_id, "replicaCount": count - 1}
        if zones and all(zones):
            configuration["primaryAvailabilityZone"] = primary
            configuration["replicaAvailabilityZones"] = replicas
        configurations.append(configuration)
    counts = [configuration["replicaCount"] for configuration in configurations]
    return {
        "numNodeGroups": len(configurations),
        "replicasPerNodeGroup": min(counts) if counts else UNKNOWN,
        "nodeGroupConfigurations": configurations,
    }


def read_caches(account: Account) -> list[Resource]:
    """Read the stack's ElastiCache replication groups and the clusters outside any group.

    The node count and AZs of a group come from its member clusters, which is what the group
    has now, whatever it was created with.
    """
    elasticache = account.client("elasticache")
    found: list[Resource] = []
    for group in paginate(elasticache, "describe_replication_groups", "ReplicationGroups"):
        tags = account.stack_tags(group["ARN"])
        if tags is None:
            continue
        group_id = group["ReplicationGroupId"]
        props: dict[str, Any] = {
            "replicationGroupId": group_id,
            "description": group.get("Description"),
            "nodeType": group.get("CacheNodeType"),
            "automaticFailoverEnabled": group.get("AutomaticFailover") in _FAILOVER_ON,
            "multiAzEnabled": group.get("MultiAZ") == "enabled",
            "tags": tags,
        }
        if group.get("ClusterEnabled"):
            props.update(_sharded_props(group))
        else:
            props["numCacheClusters"] = len(group.get("MemberClusters") or ())
            zones = _member_azs(elasticache, group)
            if zones is not None:
                props["preferredCacheClusterAzs"] = zones
        found.append(
            account.resource(
                CACHE_REPLICATION_GROUP,
                group_id,
                group_id,
                props,
                {"arn": group["ARN"], "memberClusters": group.get("MemberClusters") or []},
            )
        )

    for cluster in paginate(elasticache, "describe_cache_clusters", "CacheClusters"):
        if cluster.get("ReplicationGroupId"):
            continue
        tags = account.stack_tags(cluster.get("ARN", ""))
        if tags is None:
            continue
        cluster_id = cluster["CacheClusterId"]
        zone = cluster.get("PreferredAvailabilityZone")
        found.append(
            account.resource(
                CACHE_CLUSTER,
                cluster_id,
                cluster_id,
                {
                    "clusterId": cluster_id,
                    "engine": cluster.get("Engine"),
                    "numCacheNodes": cluster.get("NumCacheNodes"),
                    "availabilityZone": zone if zone and zone != "Multiple" else None,
                    "tags": tags,
                },
                {"arn": cluster.get("ARN")},
            )
        )
    return found
