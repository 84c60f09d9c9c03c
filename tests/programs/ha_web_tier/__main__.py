"""The web tier across three AZs: public and private subnets per AZ, a NAT gateway per AZ for
private egress, an ALB in the public subnets and an Auto Scaling group in the private ones."""

import pulumi
import pulumi_aws as aws

azs = aws.get_availability_zones(state="available").names[:3]

vpc = aws.ec2.Vpc("web", cidr_block="10.10.0.0/16", enable_dns_hostnames=True, enable_dns_support=True)
igw = aws.ec2.InternetGateway("web", vpc_id=vpc.id)
public_rt = aws.ec2.RouteTable("public", vpc_id=vpc.id)
aws.ec2.Route("public-default", route_table_id=public_rt.id, destination_cidr_block="0.0.0.0/0", gateway_id=igw.id)

public_subnets, private_subnets = [], []
for i, az in enumerate(azs):
    public = aws.ec2.Subnet(
        f"public-{az}", vpc_id=vpc.id, availability_zone=az, cidr_block=f"10.10.{i}.0/24", map_public_ip_on_launch=True
    )
    aws.ec2.RouteTableAssociation(f"public-{az}", subnet_id=public.id, route_table_id=public_rt.id)
    public_subnets.append(public)

    eip = aws.ec2.Eip(f"nat-{az}", domain="vpc")
    nat = aws.ec2.NatGateway(
        f"nat-{az}", allocation_id=eip.allocation_id, subnet_id=public.id, opts=pulumi.ResourceOptions(depends_on=[igw])
    )

    private = aws.ec2.Subnet(f"private-{az}", vpc_id=vpc.id, availability_zone=az, cidr_block=f"10.10.{100 + i}.0/24")
    private_rt = aws.ec2.RouteTable(
        f"private-{az}",
        vpc_id=vpc.id,
        routes=[aws.ec2.RouteTableRouteArgs(cidr_block="0.0.0.0/0", nat_gateway_id=nat.id)],
    )
    aws.ec2.RouteTableAssociation(f"private-{az}", subnet_id=private.id, route_table_id=private_rt.id)
    private_subnets.append(private)

alb_sg = aws.ec2.SecurityGroup("alb", vpc_id=vpc.id)
alb = aws.lb.LoadBalancer("web", internal=False, security_groups=[alb_sg.id], subnets=[s.id for s in public_subnets])
tg = aws.lb.TargetGroup(
    "web",
    port=8080,
    protocol="HTTP",
    vpc_id=vpc.id,
    target_type="instance",
    health_check=aws.lb.TargetGroupHealthCheckArgs(path="/healthz", interval=10),
)
aws.lb.Listener(
    "http",
    load_balancer_arn=alb.arn,
    port=80,
    default_actions=[aws.lb.ListenerDefaultActionArgs(type="forward", target_group_arn=tg.arn)],
)

template = aws.ec2.LaunchTemplate("web", image_id="ami-0abcdef1234567890", instance_type="t3.medium")
aws.autoscaling.Group(
    "web",
    min_size=3,
    max_size=9,
    desired_capacity=3,
    vpc_zone_identifiers=[s.id for s in private_subnets],
    target_group_arns=[tg.arn],
    health_check_type="ELB",
    health_check_grace_period=120,
    launch_template=aws.autoscaling.GroupLaunchTemplateArgs(id=template.id, version="$Latest"),
)

pulumi.export("url", pulumi.Output.concat("http://", alb.dns_name))
