"""The data tier: a Multi-AZ MySQL primary with two read replicas pinned to the other AZs, an
Aurora cluster for search with two instances, and a Redis replication group with automatic
failover across three AZs."""

import pulumi
import pulumi_aws as aws

azs = aws.get_availability_zones(state="available").names[:3]

vpc = aws.ec2.Vpc("data", cidr_block="10.20.0.0/16")
subnets = [
    aws.ec2.Subnet(
        f"data-{az}", vpc_id=vpc.id, availability_zone=az, cidr_block=f"10.20.{i}.0/24", tags={"tier": "data"}
    )
    for i, az in enumerate(azs)
]
subnet_ids = [s.id for s in subnets]

db_subnets = aws.rds.SubnetGroup("orders", subnet_ids=subnet_ids)
primary = aws.rds.Instance(
    "orders",
    identifier="orders",
    engine="mysql",
    engine_version="8.0",
    instance_class="db.r6g.large",
    allocated_storage=100,
    username="admin",
    manage_master_user_password=True,
    db_subnet_group_name=db_subnets.name,
    multi_az=True,
    availability_zone=azs[0],
    backup_retention_period=7,
    skip_final_snapshot=True,
)
replicas = [
    aws.rds.Instance(
        f"orders-replica-{az}",
        replicate_source_db=primary.identifier,
        instance_class="db.r6g.large",
        availability_zone=az,
        skip_final_snapshot=True,
    )
    for az in azs[1:]
]

search = aws.rds.Cluster(
    "search",
    engine="aurora-postgresql",
    engine_version="16.4",
    master_username="search",
    manage_master_user_password=True,
    db_subnet_group_name=db_subnets.name,
    skip_final_snapshot=True,
)
for i, az in enumerate(azs[:2]):
    aws.rds.ClusterInstance(
        f"search-{i}",
        cluster_identifier=search.id,
        engine=aws.rds.EngineType.AURORA_POSTGRESQL,
        instance_class="db.r6g.large",
        availability_zone=az,
    )

cache_subnets = aws.elasticache.SubnetGroup("sessions", subnet_ids=subnet_ids)
sessions = aws.elasticache.ReplicationGroup(
    "sessions",
    description="Session store",
    engine="redis",
    node_type="cache.r7g.large",
    num_cache_clusters=3,
    preferred_cache_cluster_azs=azs,
    automatic_failover_enabled=True,
    multi_az_enabled=True,
    subnet_group_name=cache_subnets.name,
)

pulumi.export("orders_endpoint", primary.endpoint)
pulumi.export("replica_addresses", [r.address for r in replicas])
pulumi.export("sessions_endpoint", sessions.primary_endpoint_address)
