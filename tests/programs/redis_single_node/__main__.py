"""Session cache: a single Redis node, its address published in SSM for the application."""

import pulumi
import pulumi_aws as aws

azs = aws.get_availability_zones().names
vpc = aws.ec2.Vpc("cache", cidr_block="10.3.0.0/16")
subnets = [
    aws.ec2.Subnet(f"cache-{i}", vpc_id=vpc.id, cidr_block=f"10.3.{i}.0/24", availability_zone=az)
    for i, az in enumerate(azs[:2])
]
subnet_group = aws.elasticache.SubnetGroup("sessions", subnet_ids=[s.id for s in subnets])

sessions = aws.elasticache.Cluster(
    "sessions",
    engine="redis",
    node_type="cache.t4g.small",
    num_cache_nodes=1,
    subnet_group_name=subnet_group.name,
    port=6379,
)

address = sessions.cache_nodes[0].address
aws.ssm.Parameter("sessions-host", type="String", name="/shop/sessions/host", value=address)

pulumi.export("sessions_endpoint", pulumi.Output.concat(address, ":", sessions.port.apply(str)))
