"""The VPC: public, app and data subnets in every AZ, and the NAT gateways for private egress."""

from __future__ import annotations

from collections.abc import Sequence

import pulumi
import pulumi_aws as aws

from .config import NetworkConfig
from .naming import child_name, subnet_cidrs


class Network(pulumi.ComponentResource):
    """One VPC with three subnet tiers per AZ.

    With `natGateways: one-per-az`, each AZ has its own NAT gateway and its private route table
    sends 0.0.0.0/0 there, so losing one AZ never cuts the other AZs' egress. With `single`,
    every private route table uses the NAT gateway of the first AZ: cheaper, and a single point
    of failure for all private subnets.
    """

    public_subnet_ids: pulumi.Output[list[str]]
    app_subnet_ids: pulumi.Output[list[str]]
    data_subnet_ids: pulumi.Output[list[str]]

    def __init__(
        self,
        name: str,
        config: NetworkConfig,
        azs: Sequence[str],
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        super().__init__("shop:network:Network", name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        self.azs = list(azs)
        cidrs = subnet_cidrs(config.cidr_block, len(self.azs))

        self.vpc = aws.ec2.Vpc(
            child_name(name, "vpc"),
            cidr_block=config.cidr_block,
            enable_dns_hostnames=True,
            enable_dns_support=True,
            tags={"Name": child_name(name, "vpc")},
            opts=child,
        )
        # The default security group allows all traffic between its members; with no rules it
        # cannot be used by accident.
        aws.ec2.DefaultSecurityGroup(
            child_name(name, "default-sg"),
            vpc_id=self.vpc.id,
            tags={"Name": child_name(name, "default-sg")},
            opts=child,
        )
        internet_gateway = aws.ec2.InternetGateway(
            child_name(name, "igw"),
            vpc_id=self.vpc.id,
            tags={"Name": child_name(name, "igw")},
            opts=child,
        )
        # An internet gateway is regional and highly available, so one public route table serves
        # every AZ.
        public_route_table = aws.ec2.RouteTable(
            child_name(name, "public-rt"),
            vpc_id=self.vpc.id,
            routes=[aws.ec2.RouteTableRouteArgs(cidr_block="0.0.0.0/0", gateway_id=internet_gateway.id)],
            tags={"Name": child_name(name, "public-rt")},
            opts=child,
        )

        self.public_subnets: list[aws.ec2.Subnet] = []
        self.app_subnets: list[aws.ec2.Subnet] = []
        self.data_subnets: list[aws.ec2.Subnet] = []
        self.nat_gateways: list[aws.ec2.NatGateway] = []
        self.private_route_tables: list[aws.ec2.RouteTable] = []

        for index, az in enumerate(self.azs):
            public = self._subnet(name, "public", az, cidrs[("public", index)])
            aws.ec2.RouteTableAssociation(
                child_name(name, "public-rta", az),
                subnet_id=public.id,
                route_table_id=public_route_table.id,
                opts=child,
            )
            self.public_subnets.append(public)

            if config.nat_gateways == "one-per-az" or index == 0:
                address = aws.ec2.Eip(
                    child_name(name, "nat-eip", az),
                    domain="vpc",
                    tags={"Name": child_name(name, "nat-eip", az)},
                    opts=child,
                )
                self.nat_gateways.append(
                    aws.ec2.NatGateway(
                        child_name(name, "nat", az),
                        subnet_id=public.id,
                        allocation_id=address.allocation_id,
                        connectivity_type="public",
                        tags={"Name": child_name(name, "nat", az)},
                        opts=pulumi.ResourceOptions(parent=self, depends_on=[internet_gateway]),
                    )
                )
            nat_gateway = self.nat_gateways[-1]

            private_route_table = aws.ec2.RouteTable(
                child_name(name, "private-rt", az),
                vpc_id=self.vpc.id,
                routes=[aws.ec2.RouteTableRouteArgs(cidr_block="0.0.0.0/0", nat_gateway_id=nat_gateway.id)],
                tags={"Name": child_name(name, "private-rt", az)},
                opts=child,
            )
            self.private_route_tables.append(private_route_table)

            for tier, subnets in (("app", self.app_subnets), ("data", self.data_subnets)):
                subnet = self._subnet(name, tier, az, cidrs[(tier, index)])
                aws.ec2.RouteTableAssociation(
                    child_name(name, f"{tier}-rta", az),
                    subnet_id=subnet.id,
                    route_table_id=private_route_table.id,
                    opts=child,
                )
                subnets.append(subnet)

        self.vpc_id = self.vpc.id
        self.public_subnet_ids = pulumi.Output.all(*[subnet.id for subnet in self.public_subnets])
        self.app_subnet_ids = pulumi.Output.all(*[subnet.id for subnet in self.app_subnets])
        self.data_subnet_ids = pulumi.Output.all(*[subnet.id for subnet in self.data_subnets])
        self.register_outputs(
            {
                "vpcId": self.vpc_id,
                "publicSubnetIds": self.public_subnet_ids,
                "appSubnetIds": self.app_subnet_ids,
                "dataSubnetIds": self.data_subnet_ids,
            }
        )

    def _subnet(self, name: str, tier: str, az: str, cidr: str) -> aws.ec2.Subnet:
        # Public subnets hold only load balancers and NAT gateways, which get their addresses
        # explicitly, so no subnet assigns public IPs on launch.
        subnet_name = child_name(name, f"{tier}-subnet", az)
        return aws.ec2.Subnet(
            subnet_name,
            vpc_id=self.vpc.id,
            cidr_block=cidr,
            availability_zone=az,
            map_public_ip_on_launch=False,
            tags={"Name": subnet_name, "tier": tier},
            opts=pulumi.ResourceOptions(parent=self),
        )
