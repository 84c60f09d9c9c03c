"""A public ALB in front of two instances. The ALB's two subnets were meant to be in two AZs,
but a copy-paste put both in the first one."""

import pulumi
import pulumi_aws as aws

azs = aws.get_availability_zones(state="available")

vpc = aws.ec2.Vpc("shop", cidr_block="10.1.0.0/16")
igw = aws.ec2.InternetGateway("shop", vpc_id=vpc.id)
public_rt = aws.ec2.RouteTable(
    "public",
    vpc_id=vpc.id,
    routes=[{"cidr_block": "0.0.0.0/0", "gateway_id": igw.id}],
)

subnet_specs = {
    "public-a": ("10.1.0.0/24", azs.names[0]),
    "public-a-extra": ("10.1.1.0/24", azs.names[0]),
    "public-b": ("10.1.2.0/24", azs.names[1]),
}
subnets = {}
for name, (cidr, az) in subnet_specs.items():
    subnets[name] = aws.ec2.Subnet(name, vpc_id=vpc.id, cidr_block=cidr, availability_zone=az, tags={"Name": name})
    aws.ec2.RouteTableAssociation(name, subnet_id=subnets[name].id, route_table_id=public_rt.id)

sg = aws.ec2.SecurityGroup(
    "alb",
    vpc_id=vpc.id,
    ingress=[
        {"protocol": "tcp", "from_port": 443, "to_port": 443, "cidr_blocks": ["0.0.0.0/0"]},
    ],
)

alb = aws.lb.LoadBalancer(
    "web",
    load_balancer_type="application",
    security_groups=[sg.id],
    subnets=[subnets["public-a"].id, subnets["public-a-extra"].id],
)
tg = aws.lb.TargetGroup("web", port=80, protocol="HTTP", vpc_id=vpc.id, health_check={"path": "/health"})
aws.lb.Listener(
    "http",
    load_balancer_arn=alb.arn,
    port=80,
    protocol="HTTP",
    default_actions=[{"type": "forward", "target_group_arn": tg.arn}],
)

ami = aws.ec2.get_ami(
    most_recent=True, owners=["amazon"], filters=[{"name": "name", "values": ["al2023-ami-*-x86_64"]}]
)
for name in ("public-a", "public-b"):
    web = aws.ec2.Instance(
        f"web-{name}", ami=ami.id, instance_type="t3.small", subnet_id=subnets[name].id, vpc_security_group_ids=[sg.id]
    )
    aws.lb.TargetGroupAttachment(f"web-{name}", target_group_arn=tg.arn, target_id=web.id, port=80)

pulumi.export("url", alb.dns_name.apply(lambda name: f"http://{name}"))
