"""Compute rules: Auto Scaling groups across AZs, their size and health checks, and lone EC2 instances."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from ..graph import (
    AUTOSCALING_ATTACHMENT,
    AUTOSCALING_GROUP,
    CLOUDFLARE_RECORDS,
    EIP,
    EIP_ASSOCIATION,
    INSTANCE,
    ROUTE53_RECORD,
    SUBNET,
    TARGET_GROUP_ATTACHMENTS,
    TARGET_GROUPS,
    Graph,
    Resource,
    describe,
    is_known,
    strings_in,
)
from . import Violation, join_sorted, rule

TRAFFIC_SOURCE_ATTACHMENT = "aws:autoscaling/trafficSourceAttachment:TrafficSourceAttachment"
# Traffic source types that are load balancers: Classic (`elb`) and ALB, NLB or GWLB (`elbv2`).
_LOAD_BALANCER_SOURCES = ("elb", "elbv2")
# Instance outputs that DNS records and IP targets use to name an instance.
_ADDRESS_KEYS = ("privateIp", "publicIp", "privateDns", "publicDns", "ipv6Addresses")


def group_azs(graph: Graph, group: Resource) -> set[str] | None:
    """Return the AZs an Auto Scaling group launches into, or None when they are unknown."""
    identifiers = group.props.get("vpcZoneIdentifiers")
    if identifiers:
        subnets = graph.resolve(group, "vpcZoneIdentifiers", SUBNET)
        return graph.known_azs(subnets) if subnets else None
    listed = group.props.get("availabilityZones")
    if isinstance(listed, list) and listed and all(isinstance(zone, str) and is_known(zone) for zone in listed):
        return set(listed)
    return None


@rule(
    "asg-single-az",
    "app",
    "Checks whether each Auto Scaling group launches instances in at least two AZs.",
    security_hub="AutoScaling.2",
    tier=True,
)
def asg_single_az(graph: Graph) -> Iterable[Violation]:
    for group in graph.of_type(AUTOSCALING_GROUP):
        zones = group_azs(graph, group)
        if zones is None or len(zones) >= 2:
            continue
        yield Violation(
            group,
            f"Auto Scaling group {group.name} must launch instances in at least 2 AZs "
            f"(found {len(zones)}: {join_sorted(zones)})",
        )


@rule(
    "asg-min-size-below-two",
    "app",
    "Checks whether each Auto Scaling group keeps at least two instances running.",
    tier=True,
)
def asg_min_size_below_two(graph: Graph) -> Iterable[Violation]:
    for group in graph.of_type(AUTOSCALING_GROUP):
        minimum = group.props.get("minSize")
        if not isinstance(minimum, (int, float)) or isinstance(minimum, bool) or minimum >= 2:
            continue
        yield Violation(
            group,
            f"Auto Scaling group {group.name} must keep at least 2 instances (minSize is {describe(minimum)})",
        )


def load_balancer_sources(graph: Graph) -> dict[str, list[str]]:
    """Return, per Auto Scaling group URN, what sends it load-balanced traffic, in words."""
    sources: dict[str, list[str]] = {}

    def add(group: Resource, source: str) -> None:
        sources.setdefault(group.urn, []).append(source)

    for group in graph.of_type(AUTOSCALING_GROUP):
        target_groups = group.props.get("targetGroupArns")
        if target_groups:
            names = graph.resolve(group, "targetGroupArns", *TARGET_GROUPS)
            add(group, "target group " + join_sorted(t.name for t in names) if names else "a target group")
        classic = group.props.get("loadBalancers")
        if classic:
            add(group, "a Classic Load Balancer")
        for source in group.props.get("trafficSources") or ():
            if isinstance(source, Mapping) and source.get("type") in _LOAD_BALANCER_SOURCES:
                add(group, "a load balancer traffic source")

    for attachment in graph.of_type(AUTOSCALING_ATTACHMENT):
        for group in graph.resolve(attachment, "autoscalingGroupName", AUTOSCALING_GROUP) or ():
            if attachment.props.get("lbTargetGroupArn"):
                names = graph.resolve(attachment, "lbTargetGroupArn", *TARGET_GROUPS)
                add(group, "target group " + join_sorted(t.name for t in names) if names else "a target group")
            elif attachment.props.get("elb"):
                add(group, "a Classic Load Balancer")
    for attachment in graph.of_type(TRAFFIC_SOURCE_ATTACHMENT):
        source = attachment.props.get("trafficSource")
        if not isinstance(source, Mapping) or source.get("type") not in _LOAD_BALANCER_SOURCES:
            continue
        for group in graph.resolve(attachment, "autoscalingGroupName", AUTOSCALING_GROUP) or ():
            add(group, "a load balancer traffic source")
    return sources


@rule(
    "asg-no-elb-health-check",
    "app",
    "Checks whether each Auto Scaling group behind a load balancer replaces instances that fail "
    "the load balancer's health check.",
    security_hub="AutoScaling.1",
    checkov="CKV2_AWS_15",
    tier=True,
)
def asg_no_elb_health_check(graph: Graph) -> Iterable[Violation]:
    sources = load_balancer_sources(graph)
    for group in graph.of_type(AUTOSCALING_GROUP):
        if group.urn not in sources:
            continue
        check_type = group.props.get("healthCheckType")
        if not is_known(check_type):
            continue
        # The API takes a comma-separated list such as "EBS,ELB", and EC2 checks always apply.
        if isinstance(check_type, str) and "ELB" in {part.strip().upper() for part in check_type.split(",")}:
            continue
        yield Violation(
            group,
            f"Auto Scaling group {group.name} receives traffic from {sources[group.urn][0]} and must use "
            f"ELB health checks (healthCheckType is {describe(check_type)})",
        )


@dataclass
class Serving:
    """Traffic sources of EC2 instances: their target groups, and the other sources in words."""

    target_groups: dict[str, list[Resource]] = field(default_factory=dict)
    reasons: dict[str, list[str]] = field(default_factory=dict)
    # Instances attached to a target group that cannot be followed.
    unknown_target_group: set[str] = field(default_factory=set)
    members: dict[str, list[Resource]] = field(default_factory=dict)
    # Target groups with an attachment whose target cannot be followed.
    unknown_members: set[str] = field(default_factory=set)


def _instances_named(graph: Graph, holder: Resource, key: str, values: list) -> list[Resource] | None:
    """Return the instances that values name by id or by address, None if one is unknown."""
    found = graph.resolve(holder, key, INSTANCE, values=values)
    if found is not None:
        return found
    addresses = set(strings_in(values))
    if not all(is_known(address) for address in addresses):
        return None
    named = [
        instance
        for instance in graph.of_type(INSTANCE)
        if addresses & set(strings_in([instance.get(address) for address in _ADDRESS_KEYS]))
    ]
    return named or None


def serving_instances(graph: Graph) -> Serving:
    """Collect the instances that serve traffic and the target groups they sit behind."""
    serving = Serving()

    for attachment in graph.of_type(*TARGET_GROUP_ATTACHMENTS):
        target_groups = graph.resolve(attachment, "targetGroupArn", *TARGET_GROUPS)
        instances = _instances_named(graph, attachment, "targetId", [attachment.props.get("targetId")])
        if instances is None:
            for target_group in target_groups or ():
                serving.unknown_members.add(target_group.urn)
            continue
        for instance in instances:
            serving.reasons.setdefault(instance.urn, [])
            if not target_groups or len(target_groups) != 1:
                serving.unknown_target_group.add(instance.urn)
                continue
            target_group = target_groups[0]
            if target_group not in serving.target_groups.setdefault(instance.urn, []):
                serving.target_groups[instance.urn].append(target_group)
            serving.members.setdefault(target_group.urn, []).append(instance)

    addresses: dict[str, Resource] = {}
    for eip in graph.of_type(EIP):
        instance_id = eip.props.get("instance")
        if instance_id:
            for instance in graph.resolve(eip, "instance", INSTANCE) or ():
                serving.reasons.setdefault(instance.urn, []).append(f"Elastic IP {eip.name}")
                addresses[eip.urn] = instance
    for association in graph.of_type(EIP_ASSOCIATION):
        if association.props.get("instanceId"):
            for instance in graph.resolve(association, "instanceId", INSTANCE) or ():
                serving.reasons.setdefault(instance.urn, []).append(f"Elastic IP association {association.name}")
                for eip in graph.resolve(association, "allocationId", EIP) or ():
                    addresses[eip.urn] = instance

    for record in graph.of_type(ROUTE53_RECORD, *CLOUDFLARE_RECORDS):
        for instance in _instances_in_record(graph, record, addresses):
            serving.reasons.setdefault(instance.urn, []).append(f"DNS record {record.name}")
    return serving


def _instances_in_record(graph: Graph, record: Resource, addresses: Mapping[str, Resource]) -> list[Resource]:
    """Return the instances a DNS record points at, directly or through their Elastic IP."""
    found: dict[str, Resource] = {}
    for key in ("records", "content", "value"):
        value = record.props.get(key)
        if value is None:
            continue
        texts = {text for text in strings_in(value) if is_known(text)}
        for instance in graph.of_type(INSTANCE):
            named = set(strings_in([instance.get(address) for address in _ADDRESS_KEYS]))
            if texts & named:
                found[instance.urn] = instance
        for eip in graph.of_type(EIP):
            if eip.urn in addresses and texts & set(strings_in([eip.get("publicIp"), eip.get("publicDns")])):
                found[addresses[eip.urn].urn] = addresses[eip.urn]
        for urn in record.property_dependencies.get(key, ()):
            target = graph.by_urn.get(urn)
            if target is not None and target.type == INSTANCE:
                found[target.urn] = target
            elif target is not None and target.urn in addresses:
                found[addresses[target.urn].urn] = addresses[target.urn]
    return list(found.values())


def _group_peers(graph: Graph, target_group: Resource) -> list[set[str] | None]:
    """Return the AZ sets of the Auto Scaling groups that register with a target group."""
    peers: list[set[str] | None] = []
    for group in graph.of_type(AUTOSCALING_GROUP):
        if target_group in (graph.resolve(group, "targetGroupArns", *TARGET_GROUPS) or ()):
            peers.append(group_azs(graph, group))
    for attachment in graph.of_type(AUTOSCALING_ATTACHMENT):
        if target_group in (graph.resolve(attachment, "lbTargetGroupArn", *TARGET_GROUPS) or ()):
            for group in graph.resolve(attachment, "autoscalingGroupName", AUTOSCALING_GROUP) or ():
                peers.append(group_azs(graph, group))
    return peers


@rule(
    "ec2-lone-instance",
    "app",
    "Checks whether each EC2 instance that serves traffic has a peer in another AZ behind the same target group.",
    tier=True,
)
def ec2_lone_instance(graph: Graph) -> Iterable[Violation]:
    serving = serving_instances(graph)
    for instance in graph.of_type(INSTANCE):
        if instance.urn not in serving.reasons or instance.urn in serving.unknown_target_group:
            continue
        zone = graph.az(instance)
        target_groups = serving.target_groups.get(instance.urn, [])
        peer_zones: list[set[str] | None] = []
        for target_group in target_groups:
            if target_group.urn in serving.unknown_members:
                peer_zones.append(None)
            for peer in serving.members.get(target_group.urn, ()):
                if peer is not instance:
                    peer_zone = graph.az(peer)
                    peer_zones.append({peer_zone} if peer_zone else None)
            peer_zones.extend(_group_peers(graph, target_group))
        if peer_zones and (zone is None or None in peer_zones):
            continue  # A peer exists, but its AZ or this instance's AZ is unknown.
        elsewhere = set().union(*(zones for zones in peer_zones if zones)) - {zone}
        if elsewhere:
            continue
        reasons = [*(f"target group {t.name}" for t in target_groups), *serving.reasons[instance.urn]]
        found = f"its peers sit only in {zone}" if peer_zones else "it has no peer"
        yield Violation(
            instance,
            f"EC2 instance {instance.name} serves traffic ({', '.join(reasons)}) and must have a peer "
            f"instance in another AZ behind the same target group ({found})",
        )
