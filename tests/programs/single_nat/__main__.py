"""Two AZs, public and private subnets in each, and one NAT gateway to save its hourly cost."""

import pulumi
import pulumi_aws as aws

azs = aws.get_availability_zones(state="available").names[:2]

vpc = aws.ec2.Vpc("main", cidr_block="10.0.0.0/16", enable_dns_hostnames=True)
igw = aws.ec2.InternetGateway("main", vpc_id=vpc.id)

public_rt = aws.ec2.RouteTable(
    "public",
    vpc_id=vpc.id,
    routes=[aws.ec2.RouteTableRouteArgs(cidr_block="0.0.0.0/0", gateway_id=igw.id)],
)

public_subnets = []
private_subnets = []
for i, az in enumerate(azs):
    public = aws.ec2.Subnet(f"public-{i}", vpc_id=vpc.id, cidr_block=f"10.0.{i}.0/24", availability_zone=az)
    aws.ec2.RouteTableAssociation(f"public-{i}", subnet_id=public.id, route_table_id=public_rt.id)
    public_subnets.append(public)
    private_subnets.append(
        aws.ec2.Subnet(f"private-{i}", vpc_id=vpc.id, cidr_block=f"10.0.{10 + i}.0/24", availability_zone=az)
    )

eip = aws.ec2.Eip("nat", domain="vpc")
nat = aws.ec2.NatGateway("nat", allocation_id=eip.id, subnet_id=public_subnets[0].id)

for i, subnet in enumerate(private_subnets):
    rt = aws.ec2.RouteTable(f"private-{i}", vpc_id=vpc.id)
    aws.ec2.Route(
        f"private-{i}-default", route_table_id=rt.id, destination_cidr_block="0.0.0.0/0", nat_gateway_id=nat.id
    )
    aws.ec2.RouteTableAssociation(f"private-{i}", subnet_id=subnet.id, route_table_id=rt.id)

pulumi.export("vpc_id", vpc.id)
pulumi.export("private_subnet_ids", [s.id for s in private_subnets])
