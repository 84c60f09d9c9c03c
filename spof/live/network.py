"""The VPC as deployed: subnets, gateways, route tables with their routes and associations, instances."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any

from ..graph import (
    EIP,
    INSTANCE,
    INTERNET_GATEWAY,
    NAT_GATEWAY,
    ROUTE_TABLE,
    ROUTE_TABLE_ASSOCIATION,
    SUBNET,
    VPC,
    Resource,
)
from .account import Account, display_name, paginate, tag_map

MAIN_ROUTE_TABLE_ASSOCIATION = "aws:ec2/mainRouteTableAssociation:MainRouteTableAssociation"
# Auto Scaling sets this tag on the instances it launches; those are checked through their group.
AUTOSCALING_GROUP_TAG = "aws:autoscaling:groupName"

# Route targets as EC2 returns them, and as the inline `routes` of a Pulumi route table name them.
_ROUTE_TARGETS = {
    "GatewayId": "gatewayId",
    "NatGatewayId": "natGatewayId",
    "TransitGatewayId": "transitGatewayId",
    "VpcPeeringConnectionId": "vpcPeeringConnectionId",
    "NetworkInterfaceId": "networkInterfaceId",
    "EgressOnlyInternetGatewayId": "egressOnlyGatewayId",
    "CarrierGatewayId": "carrierGatewayId",
    "LocalGatewayId": "localGatewayId",
    "CoreNetworkArn": "coreNetworkArn",
}
_LIVE_NAT_STATES = ["pending", "available"]
_LIVE_INSTANCE_STATES = ["pending", "running", "stopping", "stopped"]


def _owned(account: Account, items: Iterable[dict[str, Any]]) -> Iterator[dict[str, Any]]:
    """Keep the items tagged for the stack, in case a service ignores part of the tag filters.

    moto 5.2 ignores tag filters in DescribeNatGateways while AWS applies them, so the check
    here makes both return the same resources.
    """
    return (item for item in items if account.owns(tag_map(item.get("Tags"))))


def subnet_resource(account: Account, subnet: dict[str, Any]) -> Resource:
    tags = tag_map(subnet.get("Tags"))
    return account.resource(
        SUBNET,
        subnet["SubnetId"],
        display_name(tags, subnet["SubnetId"]),
        {
            "vpcId": subnet.get("VpcId"),
            "cidrBlock": subnet.get("CidrBlock"),
            "availabilityZone": subnet.get("AvailabilityZone"),
            "mapPublicIpOnLaunch": subnet.get("MapPublicIpOnLaunch", False),
            "tags": tags,
        },
        {"arn": subnet.get("SubnetArn"), "availabilityZoneId": subnet.get("AvailabilityZoneId")},
    )


def _routes(table: dict[str, Any]) -> list[dict[str, Any]]:
    """Return a route table's routes as Pulumi's inline routes, without the VPC's local route."""
    routes = []
    for route in table.get("Routes") or ():
        if route.get("GatewayId") == "local":
            continue
        entry: dict[str, Any] = {}
        if route.get("DestinationCidrBlock"):
            entry["cidrBlock"] = route["DestinationCidrBlock"]
        elif route.get("DestinationIpv6CidrBlock"):
            entry["ipv6CidrBlock"] = route["DestinationIpv6CidrBlock"]
        elif route.get("DestinationPrefixListId"):
            entry["destinationPrefixListId"] = route["DestinationPrefixListId"]
        for source, target in _ROUTE_TARGETS.items():
            if route.get(source):
                entry[target] = route[source]
        # A gateway endpoint's routes name it where an internet gateway would be.
        if str(entry.get("gatewayId", "")).startswith("vpce-"):
            entry["vpcEndpointId"] = entry.pop("gatewayId")
        # NOTE: a blackhole route still names its deleted target; the rules then cannot follow it
        # and report nothing for that table.
        routes.append(entry)
    return routes


def _route_table_resources(account: Account, table: dict[str, Any]) -> list[Resource]:
    tags = tag_map(table.get("Tags"))
    table_id = table["RouteTableId"]
    found = [
        account.resource(
            ROUTE_TABLE,
            table_id,
            display_name(tags, table_id),
            {"vpcId": table.get("VpcId"), "routes": _routes(table), "tags": tags},
        )
    ]
    for association in table.get("Associations") or ():
        association_id = association.get("RouteTableAssociationId") or f"{table_id}-main"
        if association.get("Main"):
            found.append(
                account.resource(
                    MAIN_ROUTE_TABLE_ASSOCIATION,
                    association_id,
                    association_id,
                    {"vpcId": table.get("VpcId"), "routeTableId": table_id},
                )
            )
        elif association.get("SubnetId") or association.get("GatewayId"):
            found.append(
                account.resource(
                    ROUTE_TABLE_ASSOCIATION,
                    association_id,
                    association_id,
                    {
                        "subnetId": association.get("SubnetId"),
                        "gatewayId": association.get("GatewayId"),
                        "routeTableId": table_id,
                    },
                )
            )
    return found


def read_network(account: Account) -> list[Resource]:
    """Read the stack's VPCs, subnets, gateways, Elastic IPs and route tables.

    A VPC's main route table is created by AWS and carries no tags; it is read too, because a
    subnet without an association of its own uses it.
    """
    ec2 = account.client("ec2")
    filters = account.ec2_filters()
    found: list[Resource] = []

    vpc_ids = []
    for vpc in _owned(account, paginate(ec2, "describe_vpcs", "Vpcs", Filters=filters)):
        tags = tag_map(vpc.get("Tags"))
        vpc_ids.append(vpc["VpcId"])
        found.append(
            account.resource(
                VPC,
                vpc["VpcId"],
                display_name(tags, vpc["VpcId"]),
                {"cidrBlock": vpc.get("CidrBlock"), "tags": tags},
            )
        )
    subnets = paginate(ec2, "describe_subnets", "Subnets", Filters=filters)
    found.extend(subnet_resource(account, subnet) for subnet in _owned(account, subnets))

    gateways = paginate(ec2, "describe_internet_gateways", "InternetGateways", Filters=filters)
    for gateway in _owned(account, gateways):
        tags = tag_map(gateway.get("Tags"))
        attachments = gateway.get("Attachments") or [{}]
        found.append(
            account.resource(
                INTERNET_GATEWAY,
                gateway["InternetGatewayId"],
                display_name(tags, gateway["InternetGatewayId"]),
                {"vpcId": attachments[0].get("VpcId"), "tags": tags},
            )
        )

    nat_filters = [*filters, {"Name": "state", "Values": _LIVE_NAT_STATES}]
    for nat in _owned(account, paginate(ec2, "describe_nat_gateways", "NatGateways", Filter=nat_filters)):
        tags = tag_map(nat.get("Tags"))
        addresses = nat.get("NatGatewayAddresses") or [{}]
        found.append(
            account.resource(
                NAT_GATEWAY,
                nat["NatGatewayId"],
                display_name(tags, nat["NatGatewayId"]),
                {
                    "subnetId": nat.get("SubnetId"),
                    "allocationId": addresses[0].get("AllocationId"),
                    "connectivityType": nat.get("ConnectivityType", "public"),
                    "tags": tags,
                },
                {"publicIp": addresses[0].get("PublicIp")},
            )
        )

    for address in _owned(account, ec2.describe_addresses(Filters=filters).get("Addresses") or ()):
        tags = tag_map(address.get("Tags"))
        allocation = str(address.get("AllocationId") or address.get("PublicIp"))
        found.append(
            account.resource(
                EIP,
                allocation,
                display_name(tags, allocation),
                {"domain": address.get("Domain"), "instance": address.get("InstanceId"), "tags": tags},
                {"allocationId": address.get("AllocationId"), "publicIp": address.get("PublicIp")},
            )
        )

    seen_tables: set[str] = set()
    for table in _owned(account, paginate(ec2, "describe_route_tables", "RouteTables", Filters=filters)):
        seen_tables.add(table["RouteTableId"])
        found.extend(_route_table_resources(account, table))
    if vpc_ids:
        main_filters = [{"Name": "vpc-id", "Values": vpc_ids}, {"Name": "association.main", "Values": ["true"]}]
        for table in paginate(ec2, "describe_route_tables", "RouteTables", Filters=main_filters):
            if table["RouteTableId"] not in seen_tables:
                found.extend(_route_table_resources(account, table))
    return found


def read_instances(account: Account) -> list[Resource]:
    """Read the stack's EC2 instances that no Auto Scaling group launched."""
    ec2 = account.client("ec2")
    filters = [*account.ec2_filters(), {"Name": "instance-state-name", "Values": _LIVE_INSTANCE_STATES}]
    found = []
    for reservation in paginate(ec2, "describe_instances", "Reservations", Filters=filters):
        for instance in _owned(account, reservation.get("Instances") or ()):
            tags = tag_map(instance.get("Tags"))
            if AUTOSCALING_GROUP_TAG in tags:
                continue
            instance_id = instance["InstanceId"]
            found.append(
                account.resource(
                    INSTANCE,
                    instance_id,
                    display_name(tags, instance_id),
                    {
                        "instanceType": instance.get("InstanceType"),
                        "subnetId": instance.get("SubnetId"),
                        "availabilityZone": (instance.get("Placement") or {}).get("AvailabilityZone"),
                        "tags": tags,
                    },
                    {
                        "privateIp": instance.get("PrivateIpAddress"),
                        "publicIp": instance.get("PublicIpAddress"),
                        "privateDns": instance.get("PrivateDnsName"),
                        "publicDns": instance.get("PublicDnsName"),
                    },
                )
            )
    return found


def read_subnets(account: Account, subnet_ids: Iterable[str]) -> list[Resource]:
    """Read subnets by id: those outside the stack that its load balancers, groups or databases use."""
    ids = sorted(set(subnet_ids))
    if not ids:
        return []
    subnets = paginate(account.client("ec2"), "describe_subnets", "Subnets", SubnetIds=ids)
    return [subnet_resource(account, subnet) for subnet in subnets]
