"""Orders database: a Multi-AZ primary, a reporting replica, and a replica of the reporting
replica for analytics. The middle replica keeps no automated backups, which RDS needs before it
can create a replica of it."""

import pulumi
import pulumi_aws as aws

azs = aws.get_availability_zones().names

vpc = aws.ec2.Vpc("db", cidr_block="10.2.0.0/16")
subnets = [
    aws.ec2.Subnet(f"db-{az}", vpc_id=vpc.id, cidr_block=f"10.2.{i}.0/24", availability_zone=az, tags={"tier": "data"})
    for i, az in enumerate(azs[:2])
]
subnet_group = aws.rds.SubnetGroup("orders", subnet_ids=[s.id for s in subnets])

primary = aws.rds.Instance(
    "orders",
    engine="mysql",
    engine_version="8.0",
    instance_class="db.t4g.medium",
    allocated_storage=20,
    db_name="orders",
    username="admin",
    manage_master_user_password=True,
    db_subnet_group_name=subnet_group.name,
    multi_az=True,
    backup_retention_period=7,
    skip_final_snapshot=True,
)

reporting = aws.rds.Instance(
    "orders-reporting",
    replicate_source_db=primary.identifier,
    instance_class="db.t4g.medium",
    skip_final_snapshot=True,
)

analytics = aws.rds.Instance(
    "orders-analytics",
    replicate_source_db=reporting.identifier,
    instance_class="db.t4g.medium",
    skip_final_snapshot=True,
)

pulumi.export("primary_endpoint", primary.endpoint)
pulumi.export("analytics_address", analytics.address)
