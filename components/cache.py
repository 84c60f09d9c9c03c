"""The cache: an ElastiCache replication group with a primary and replicas in distinct AZs."""

from __future__ import annotations

from collections.abc import Sequence

import pulumi
import pulumi_aws as aws

from .config import CacheConfig
from .naming import child_name
from .security_groups import REDIS_PORT

SNAPSHOT_WINDOW = "01:00-02:00"
MAINTENANCE_WINDOW = "sun:04:30-sun:05:30"


def node_azs(azs: Sequence[str], nodes: int) -> list[str]:
    """Spread the primary and its replicas over the AZs in turn, the primary in the first."""
    return [azs[index % len(azs)] for index in range(nodes)]


class Cache(pulumi.ComponentResource):
    """A Valkey or Redis replication group with `cache.replicas` replicas beside the primary.

    With at least one replica, automatic failover and Multi-AZ are on: ElastiCache promotes a
    replica in another AZ when the primary fails, typically within seconds. With no replica
    AWS allows neither, so the primary is a single point of failure, which the SPOF rules report.
    """

    def __init__(
        self,
        name: str,
        config: CacheConfig,
        *,
        subnets: Sequence[aws.ec2.Subnet],
        security_group_id: pulumi.Input[str],
        azs: Sequence[str],
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        super().__init__("shop:cache:Cache", name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        self.subnet_group = aws.elasticache.SubnetGroup(
            child_name(name, "subnet-group"),
            subnet_ids=[subnet.id for subnet in subnets],
            description="Data subnets of every AZ the stack uses",
            opts=child,
        )
        nodes = config.replicas + 1
        has_replica = config.replicas > 0
        self.replication_group = aws.elasticache.ReplicationGroup(
            child_name(name, "group"),
            description=f"Session and catalogue cache of {pulumi.get_project()} {pulumi.get_stack()}",
            engine=config.engine,
            engine_version=config.engine_version,
            node_type=config.node_type,
            port=REDIS_PORT,
            num_cache_clusters=nodes,
            preferred_cache_cluster_azs=node_azs(azs, nodes),
            automatic_failover_enabled=has_replica,
            multi_az_enabled=has_replica,
            subnet_group_name=self.subnet_group.name,
            security_group_ids=[security_group_id],
            at_rest_encryption_enabled=True,
            transit_encryption_enabled=True,
            transit_encryption_mode="required",
            snapshot_retention_limit=config.snapshot_retention_days,
            snapshot_window=SNAPSHOT_WINDOW,
            maintenance_window=MAINTENANCE_WINDOW,
            auto_minor_version_upgrade=True,
            apply_immediately=False,
            tags={"Name": child_name(name, "group")},
            opts=child,
        )
        self.register_outputs({"primaryEndpoint": self.replication_group.primary_endpoint_address})
