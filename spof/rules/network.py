"""Network rules: subnet tiers across AZs, NAT gateways per AZ, and load balancers across AZs.

Routes are read from both places a program can put them: the inline `routes` of a route table
and separate `aws:ec2/route` resources. A subnet uses the route table it is associated with,
or its VPC's main route table when it has no association.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from ..graph import (
    INTERNET_GATEWAY,
    LOAD_BALANCERS,
    NAT_GATEWAY,
    ROUTE,
    ROUTE_TABLE,
    ROUTE_TABLE_ASSOCIATION,
    SUBNET,
    VPC,
    Graph,
    Resource,
    is_known,
)
from . import Violation, join_sorted, rule

DEFAULT_ROUTE_TABLE = "aws:ec2/defaultRouteTable:DefaultRouteTable"
MAIN_ROUTE_TABLE_ASSOCIATION = "aws:ec2/mainRouteTableAssociation:MainRouteTableAssociation"
ROUTE_TABLES = (ROUTE_TABLE, DEFAULT_ROUTE_TABLE)
DEFAULT_ROUTE = "0.0.0.0/0"

# Route keys that send traffic somewhere other than a NAT or internet gateway.
_OTHER_TARGET_KEYS = (
    "transitGatewayId",
    "vpcPeeringConnectionId",
    "networkInterfaceId",
    "vpcEndpointId",
    "egressOnlyGatewayId",
    "carrierGatewayId",
    "localGatewayId",
    "coreNetworkArn",
)


@dataclass(frozen=True)
class Egress:
    """The target of a route table's 0.0.0.0/0 route: its kind (`nat`, `internet`, `other` or
    `none`) and the gateway resource, if any."""

    kind: str
    gateway: Resource | None = None


@dataclass
class RoutingIndex:
    """Route tables with their default route, and the route table each subnet uses."""

    egress: dict[str, Egress | None] = field(default_factory=dict)
    table_of: dict[str, Resource] = field(default_factory=dict)
    # Subnets with an association whose route table cannot be followed.
    unknown_table: set[str] = field(default_factory=set)
    main_table_of_vpc: dict[str, Resource] = field(default_factory=dict)
    # An association whose subnet or VPC cannot be followed could concern any subnet that has
    # no known association.
    unresolved_association: bool = False

    def route_table(self, graph: Graph, subnet: Resource) -> Resource | None:
        """Return the route table a subnet uses, or None when it is unknown or the VPC's implicit one."""
        if subnet.urn in self.table_of:
            return self.table_of[subnet.urn]
        if subnet.urn in self.unknown_table or self.unresolved_association:
            return None
        vpcs = graph.resolve(subnet, "vpcId", VPC)
        return self.main_table_of_vpc.get(vpcs[0].urn) if vpcs and len(vpcs) == 1 else None

    def subnet_egress(self, graph: Graph, subnet: Resource) -> Egress | None:
        """Return where a subnet sends 0.0.0.0/0, or None when that is unknown."""
        table = self.route_table(graph, subnet)
        if table is not None:
            return self.egress.get(table.urn)
        if subnet.urn in self.unknown_table or self.unresolved_association:
            return None
        # Without an association or a managed main table, the VPC's main route table applies,
        # and AWS creates it with the local route only.
        return Egress("none")


def _route_target(graph: Graph, holder: Resource, key: str, route: Mapping[str, Any]) -> Egress | None:
    """Return the target of one default route; `holder` and `key` carry the recorded dependencies."""
    nat_id = route.get("natGatewayId")
    if nat_id:
        nats = graph.resolve(holder, key, NAT_GATEWAY, values=[nat_id])
        return Egress("nat", nats[0]) if nats and len(nats) == 1 else None
    gateway_id = route.get("gatewayId")
    if gateway_id:
        gateways = graph.resolve(holder, key, INTERNET_GATEWAY, values=[gateway_id])
        return Egress("internet", gateways[0]) if gateways and len(gateways) == 1 else None
    if any(route.get(other) for other in _OTHER_TARGET_KEYS):
        return Egress("other")
    return None


def _default_routes(
    table: Resource, separate: Iterable[Resource]
) -> list[tuple[Resource, str, Mapping[str, Any]]] | None:
    """Return the 0.0.0.0/0 routes of a table as (holder, dependency key, route), None if unknown."""
    routes: list[tuple[Resource, str, Mapping[str, Any]]] = []
    inline = table.props.get("routes")
    if not is_known(inline):
        return None
    for route in inline or ():
        if not isinstance(route, Mapping) or not is_known(route.get("cidrBlock")):
            return None
        if route.get("cidrBlock") == DEFAULT_ROUTE:
            routes.append((table, "routes", route))
    for route_resource in separate:
        cidr = route_resource.props.get("destinationCidrBlock")
        if not is_known(cidr):
            return None
        if cidr == DEFAULT_ROUTE:
            routes.append(
                (
                    route_resource,
                    "natGatewayId" if route_resource.props.get("natGatewayId") else "gatewayId",
                    route_resource.props,
                )
            )
    return routes


def routing_index(graph: Graph) -> RoutingIndex:
    """Index the route tables, their default routes and the subnets associated with them."""
    index = RoutingIndex()

    separate_routes: dict[str, list[Resource]] = {}
    unplaced_default_route = False
    for route_resource in graph.of_type(ROUTE):
        tables = graph.resolve(route_resource, "routeTableId", *ROUTE_TABLES)
        destination = route_resource.props.get("destinationCidrBlock")
        if tables and len(tables) == 1:
            separate_routes.setdefault(tables[0].urn, []).append(route_resource)
        elif destination == DEFAULT_ROUTE or not is_known(destination):
            # A default route whose table is unknown could belong to any table.
            unplaced_default_route = True

    for table in graph.of_type(*ROUTE_TABLES):
        routes = _default_routes(table, separate_routes.get(table.urn, ()))
        if routes is None or unplaced_default_route:
            index.egress[table.urn] = None
        elif not routes:
            index.egress[table.urn] = Egress("none")
        else:
            holder, key, route = routes[0]
            index.egress[table.urn] = _route_target(graph, holder, key, route)

    for association in graph.of_type(ROUTE_TABLE_ASSOCIATION):
        if association.props.get("gatewayId") and not association.props.get("subnetId"):
            continue  # An edge association routes a gateway's inbound traffic, not a subnet's.
        subnets = graph.resolve(association, "subnetId", SUBNET)
        tables = graph.resolve(association, "routeTableId", *ROUTE_TABLES)
        if not subnets or len(subnets) != 1:
            index.unresolved_association = True
        elif not tables or len(tables) != 1:
            index.unknown_table.add(subnets[0].urn)
        else:
            index.table_of[subnets[0].urn] = tables[0]

    for association in graph.of_type(MAIN_ROUTE_TABLE_ASSOCIATION):
        vpcs = graph.resolve(association, "vpcId", VPC)
        tables = graph.resolve(association, "routeTableId", *ROUTE_TABLES)
        if vpcs and tables and len(vpcs) == 1 and len(tables) == 1:
            index.main_table_of_vpc[vpcs[0].urn] = tables[0]
        else:
            index.unresolved_association = True
    for table in graph.of_type(DEFAULT_ROUTE_TABLE):
        # The default route table is the VPC's main table, so its id comes from the VPC.
        vpcs = graph.resolve(table, "defaultRouteTableId", VPC)
        if vpcs and len(vpcs) == 1:
            index.main_table_of_vpc.setdefault(vpcs[0].urn, table)
        else:
            index.unresolved_association = True
    return index


def subnet_tier(graph: Graph, index: RoutingIndex, subnet: Resource) -> str | None:
    """Return a subnet's tier: its `tier` tag, else public or private from its routes; None if unknown."""
    tagged = graph.tags(subnet).get("tier")
    if tagged:
        return tagged
    public_ip = subnet.props.get("mapPublicIpOnLaunch")
    if public_ip is True:
        return "public"
    egress = index.subnet_egress(graph, subnet)
    if egress is None or not is_known(public_ip):
        return None
    return "public" if egress.kind == "internet" else "private"


def _vpc_key(graph: Graph, subnet: Resource) -> tuple[str, Resource | None] | None:
    vpc_id = subnet.props.get("vpcId")
    vpcs = graph.resolve(subnet, "vpcId", VPC)
    if vpcs and len(vpcs) == 1:
        return vpcs[0].urn, vpcs[0]
    if isinstance(vpc_id, str) and vpc_id and is_known(vpc_id):
        return vpc_id, None
    return None


@rule(
    "subnet-tier-single-az",
    "network",
    "Checks whether the subnets of each tier of a VPC sit in at least two AZs.",
)
def subnet_tier_single_az(graph: Graph) -> Iterable[Violation]:
    index = routing_index(graph)
    groups: dict[tuple[str, str], list[Resource]] = {}
    vpcs: dict[str, Resource | None] = {}
    undecided: dict[str, list[Resource]] = {}
    for subnet in graph.of_type(SUBNET):
        key = _vpc_key(graph, subnet)
        if key is None:
            continue
        vpc_key, vpc = key
        vpcs[vpc_key] = vpc
        tier = subnet_tier(graph, index, subnet)
        if tier is None:
            undecided.setdefault(vpc_key, []).append(subnet)
        else:
            groups.setdefault((vpc_key, tier), []).append(subnet)

    for (vpc_key, tier), subnets in groups.items():
        zones = {zone for zone in (graph.az(subnet) for subnet in subnets) if zone}
        if len(zones) >= 2:
            continue
        # A subnet whose AZ or tier is unknown could add the missing AZ, so it stops the rule
        # unless it sits in the one AZ found already.
        possible = graph.known_azs([*subnets, *undecided.get(vpc_key, ())])
        if possible is None or len(possible) >= 2:
            continue
        vpc = vpcs[vpc_key]
        where = f"VPC {vpc.name}" if vpc is not None else f"VPC {vpc_key}"
        yield Violation(
            vpc if vpc is not None else subnets[0],
            f"The {tier} subnets of {where} must sit in at least 2 AZs "
            f"(found {len(zones)}: {join_sorted(zones) or 'none'}; subnets {join_sorted(s.name for s in subnets)})",
        )


def subnets_of_table(graph: Graph, index: RoutingIndex, table: Resource) -> list[Resource]:
    """Return the subnets known to use a route table, through an association or as the main table."""
    return [subnet for subnet in graph.of_type(SUBNET) if index.route_table(graph, subnet) is table]


@rule(
    "nat-gateway-cross-az",
    "network",
    "Checks whether each route table sends 0.0.0.0/0 to a NAT gateway in the AZ of its subnets.",
)
def nat_gateway_cross_az(graph: Graph) -> Iterable[Violation]:
    index = routing_index(graph)
    for table in graph.of_type(*ROUTE_TABLES):
        egress = index.egress.get(table.urn)
        if egress is None or egress.kind != "nat" or egress.gateway is None:
            continue
        nat = egress.gateway
        if nat.props.get("availabilityMode") not in (None, "zonal"):
            continue  # A regional NAT gateway spans AZs, and an unknown mode cannot be judged.
        nat_zone = graph.az(nat)
        if nat_zone is None:
            continue
        elsewhere = {
            subnet.name: zone
            for subnet in subnets_of_table(graph, index, table)
            if (zone := graph.az(subnet)) is not None and zone != nat_zone
        }
        if not elsewhere:
            continue
        subnets = ", ".join(f"{name} in {zone}" for name, zone in sorted(elsewhere.items()))
        yield Violation(
            table,
            f"Route table {table.name} must send 0.0.0.0/0 to a NAT gateway in the AZ of its subnets "
            f"(it uses NAT gateway {nat.name} in {nat_zone} for subnets {subnets})",
        )


def load_balancer_subnets(graph: Graph, balancer: Resource) -> list[Resource] | None:
    """Return the subnets a load balancer uses, from `subnets` and `subnetMappings`; None if unknown."""
    found: dict[str, Resource] = {}
    for key in ("subnets", "subnetMappings"):
        value = balancer.props.get(key)
        if value is None:
            continue
        if key == "subnetMappings" and isinstance(value, list):
            value = [mapping.get("subnetId") if isinstance(mapping, Mapping) else mapping for mapping in value]
        subnets = graph.resolve(balancer, key, SUBNET, values=value)
        if subnets is None:
            return None
        found.update((subnet.urn, subnet) for subnet in subnets)
    return list(found.values())


@rule(
    "lb-single-az",
    "load-balancer",
    "Checks whether each load balancer uses subnets in at least two AZs.",
    security_hub="ELB.10, ELB.13",
)
def lb_single_az(graph: Graph) -> Iterable[Violation]:
    for balancer in graph.of_type(*LOAD_BALANCERS):
        subnets = load_balancer_subnets(graph, balancer)
        if subnets is None:
            continue
        zones = graph.known_azs(subnets)
        if zones is None:
            continue
        # A Classic Load Balancer outside a VPC names its AZs directly.
        listed = balancer.props.get("availabilityZones")
        if isinstance(listed, list):
            if not all(isinstance(zone, str) and is_known(zone) for zone in listed):
                continue
            zones |= set(listed)
        if not subnets and not isinstance(listed, list):
            continue
        if len(zones) >= 2:
            continue
        yield Violation(
            balancer,
            f"Load balancer {balancer.name} must use subnets in at least 2 AZs "
            f"(found {len(zones)}: {join_sorted(zones) or 'none'})",
        )
