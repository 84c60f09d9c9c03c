"""Redundancy facts read from a stack's resource graph, once, for the failure scenarios.

Every fact here is derived from the recorded resources and the references between them: the AZ
of a NAT gateway through its subnet, the route tables that send traffic to it, the AZs of an Auto
Scaling group's subnets, the replicas of a database primary, the origin group of a CDN. Nothing
is written per stack, so a fork that changes a setting sees the numbers change with it.

A value the graph does not give (a setting left to its default) falls back to the documented
default in spof/data/sla.json, and the description of each figure says which one was used.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

from .graph import (
    AUTOSCALING_ATTACHMENT,
    AUTOSCALING_GROUP,
    BUCKET_REPLICATION,
    BUCKETS,
    CACHE_CLUSTER,
    CACHE_REPLICATION_GROUP,
    CLOUDFLARE_RECORDS,
    CLOUDFLARE_ZONE,
    DISTRIBUTION,
    IAM_GROUP,
    IAM_GROUP_MEMBERSHIP,
    IAM_GROUP_POLICY_ATTACHMENT,
    IAM_USER_GROUP_MEMBERSHIP,
    LOAD_BALANCERS,
    NAT_GATEWAY,
    RDS_CLUSTER,
    RDS_CLUSTER_INSTANCE,
    RDS_INSTANCE,
    ROUTE,
    ROUTE53_HEALTH_CHECK,
    ROUTE53_RECORD,
    ROUTE53_ZONE,
    ROUTE_TABLE,
    ROUTE_TABLE_ASSOCIATION,
    SECRET,
    SUBNET,
    TARGET_GROUPS,
    Graph,
    Resource,
    is_known,
    strings_in,
)

FIGURES_PATH = Path(__file__).resolve().parent / "data" / "sla.json"
PAYMENT_PROVIDER_TAG = "payment-provider"
ADMINISTRATOR_POLICY_SUFFIX = ":policy/AdministratorAccess"
SQS_QUEUE = "aws:sqs/queue:Queue"


@cache
def figures() -> dict[str, Any]:
    """Return the published figures and recovery times, read once from spof/data/sla.json."""
    with FIGURES_PATH.open(encoding="utf-8") as handle:
        document: dict[str, Any] = json.load(handle)
    return document


def recovery_figure(name: str) -> dict[str, Any]:
    entry: dict[str, Any] = figures()["recovery"][name]
    return entry


def number(value: Any, default: float | None = None) -> float | None:
    """Return a property as a number; the mock engine hands numbers over as floats or strings."""
    if isinstance(value, bool):
        return default
    if isinstance(value, (int, float)):
        return float(value)
    if isinstance(value, str) and is_known(value):
        try:
            return float(value)
        except ValueError:
            return default
    return default


def truthy(value: Any) -> bool:
    if isinstance(value, str):
        return value.strip().lower() == "true"
    return bool(value)


@dataclass(frozen=True)
class Detection:
    """How long a failure takes to notice and route around, and the settings it comes from."""

    seconds: float
    basis: str


@dataclass
class LoadBalancer:
    resource: Resource
    internal: bool
    azs: set[str]
    # Time until clients stop reaching the node of a lost AZ.
    node_loss: Detection


@dataclass
class Tier:
    """An Auto Scaling group, named by its layer tag, and the health checks that watch it."""

    resource: Resource
    layer: str
    azs: set[str]
    instances: int
    # None when no load balancer health check takes a dead instance out of service.
    detection: Detection | None
    grace_seconds: float | None


@dataclass
class DatabasePrimary:
    resource: Resource
    kind: str  # "instance" or "cluster"
    multi_az: bool
    # The primary's AZ when it is pinned to one; None when RDS chooses or the graph does not record it.
    az: str | None
    member_azs: set[str]
    replicas: list[tuple[Resource, str | None]]
    failover: Detection | None


@dataclass
class CacheGroup:
    resource: Resource
    automatic_failover: bool
    multi_az: bool
    nodes: int
    node_azs: list[str]
    failover: Detection | None

    @property
    def primary_az(self) -> str | None:
        return self.node_azs[0] if self.node_azs else None


@dataclass
class ImageOrigin:
    """The bucket a CDN reads first, and the replica it fails over to, if any."""

    distribution: Resource
    bucket: Resource
    region: str | None
    replica: Resource | None
    replica_region: str | None
    replicated: bool
    has_origin_group: bool
    failover: Detection


@dataclass
class Egress:
    """A private route table: the AZs of its subnets and the AZ of the NAT gateway it uses."""

    route_table: Resource
    subnet_azs: set[str]
    nat_gateway: Resource
    nat_az: str | None


@dataclass
class Topology:
    azs: list[str]
    load_balancers: list[LoadBalancer] = field(default_factory=list)
    tiers: list[Tier] = field(default_factory=list)
    databases: list[DatabasePrimary] = field(default_factory=list)
    caches: list[CacheGroup] = field(default_factory=list)
    dns_providers: dict[str, list[Resource]] = field(default_factory=dict)
    payment_providers: list[str] = field(default_factory=list)
    payment_retry: Detection | None = None
    image_origins: list[ImageOrigin] = field(default_factory=list)
    egress: list[Egress] = field(default_factory=list)
    administrator_groups: dict[str, list[str]] = field(default_factory=dict)


def read_topology(graph: Graph) -> Topology:
    """Read every fact the failure scenarios and the availability model need from `graph`."""
    subnet_azs = {graph.az(subnet) for subnet in graph.of_type(SUBNET)}
    return Topology(
        azs=sorted(az for az in subnet_azs if az),
        load_balancers=_load_balancers(graph),
        tiers=_tiers(graph),
        databases=_databases(graph),
        caches=_caches(graph),
        dns_providers=_dns_providers(graph),
        payment_providers=_payment_providers(graph),
        payment_retry=_payment_retry(graph),
        image_origins=_image_origins(graph),
        egress=_egress(graph),
        administrator_groups=_administrator_groups(graph),
    )


def _names(resource: Resource) -> set[str]:
    """Return the strings by which other resources may name `resource`: id, ARN, name, DNS name."""
    names = {resource.id} if resource.id else set()
    for key in ("arn", "name", "dnsName", "bucket", "bucketRegionalDomainName", "bucketDomainName"):
        value = resource.get(key)
        if isinstance(value, str) and value and is_known(value):
            names.add(value)
    return names


def _refers_to(resource: Resource, key: str, target: Resource) -> bool:
    """Return whether property `key` of `resource` names `target`, by value or by dependency."""
    if target.urn in resource.property_dependencies.get(key, ()):
        return True
    names = _names(target)
    return any(text in names for text in strings_in(resource.props.get(key)))


# Load balancers and the time to route around the node of a lost AZ.


def _load_balancers(graph: Graph) -> list[LoadBalancer]:
    health_checks = graph.of_type(ROUTE53_HEALTH_CHECK)
    records = graph.of_type(ROUTE53_RECORD, *CLOUDFLARE_RECORDS)
    found = []
    for resource in graph.of_type(*LOAD_BALANCERS):
        found.append(
            LoadBalancer(
                resource=resource,
                internal=truthy(resource.props.get("internal")),
                azs=graph.azs(resource),
                node_loss=_node_loss(resource, health_checks, records),
            )
        )
    return found


def _node_loss(load_balancer: Resource, health_checks: list[Resource], records: list[Resource]) -> Detection:
    """Estimate how long clients keep reaching a load balancer node in a lost AZ.

    NOTE: ELB does not publish how fast it drops a failed node from its DNS name. Where a Route 53
    health check watches the load balancer, its interval x failure threshold is used as that
    detection time; where none does, detection is not counted and only the TTL remains, so the
    figure is a lower bound. Either way the longest TTL that clients cache the answer for is added.
    """
    defaults = recovery_figure("route53-health-check")
    alias_ttl = float(recovery_figure("elb-dns-ttl")["value_s"])
    ttls = []
    for record in records:
        if _refers_to(record, "aliases", load_balancer):
            ttls.append(alias_ttl)
        elif _refers_to(record, "records", load_balancer) or _refers_to(record, "content", load_balancer):
            ttls.append(number(record.props.get("ttl"), alias_ttl) or alias_ttl)
    ttl = max(ttls) if ttls else alias_ttl

    watching = [check for check in health_checks if _refers_to(check, "fqdn", load_balancer)]
    if not watching:
        return Detection(ttl, f"its {ttl:g} s DNS TTL (no health check watches it, so detection is not counted)")
    interval = max(number(check.props.get("requestInterval"), defaults["interval_s"]) or 0 for check in watching)
    threshold = max(
        number(check.props.get("failureThreshold"), defaults["failure_threshold"]) or 0 for check in watching
    )
    return Detection(
        interval * threshold + ttl,
        f"Route 53 health check {watching[0].name}: {interval:g} s x {threshold:g} failures + {ttl:g} s TTL",
    )


# Tiers: Auto Scaling groups and the target group health checks that take an instance out.


def _tiers(graph: Graph) -> list[Tier]:
    attachments = graph.of_type(AUTOSCALING_ATTACHMENT)
    found = []
    for group in graph.of_type(AUTOSCALING_GROUP):
        target_groups = graph.refs(group, "targetGroupArns", *TARGET_GROUPS)
        for attachment in attachments:
            if _refers_to(attachment, "autoscalingGroupName", group):
                target_groups += [
                    tg for tg in graph.refs(attachment, "lbTargetGroupArn", *TARGET_GROUPS) if tg not in target_groups
                ]
        instances = number(group.props.get("desiredCapacity")) or number(group.props.get("minSize"), 0) or 0
        found.append(
            Tier(
                resource=group,
                layer=graph.layer(group) or "app",
                azs=graph.azs(group),
                instances=int(instances),
                detection=_target_detection(target_groups),
                grace_seconds=number(group.props.get("healthCheckGracePeriod")),
            )
        )
    return found


def _target_detection(target_groups: list[Resource]) -> Detection | None:
    """Return the slowest interval x unhealthy threshold over the group's target groups."""
    if not target_groups:
        return None
    defaults = recovery_figure("alb-health-check")
    slowest: Detection | None = None
    for target_group in target_groups:
        check = target_group.props.get("healthCheck")
        check = check if isinstance(check, Mapping) else {}
        if check.get("enabled") is False:
            return None
        interval = number(check.get("interval"), defaults["interval_s"]) or 0
        threshold = number(check.get("unhealthyThreshold"), defaults["unhealthy_threshold"]) or 0
        seconds = interval * threshold
        if slowest is None or seconds > slowest.seconds:
            slowest = Detection(
                seconds, f"target group {target_group.name}: {interval:g} s x {threshold:g} failed health checks"
            )
    return slowest


# Databases: primaries, their standby and their read replicas.


def _databases(graph: Graph) -> list[DatabasePrimary]:
    instances = graph.of_type(RDS_INSTANCE)
    found = []
    for primary in instances:
        if primary.props.get("replicateSourceDb") or primary.props.get("clusterIdentifier"):
            continue
        replicas = [
            (replica, graph.az(replica))
            for replica in instances
            if replica is not primary and _refers_to(replica, "replicateSourceDb", primary)
        ]
        multi_az = truthy(primary.props.get("multiAz"))
        failover = recovery_figure("rds-multi-az-failover")
        low, high = failover["range_s"]
        found.append(
            DatabasePrimary(
                resource=primary,
                kind="instance",
                multi_az=multi_az,
                az=graph.az(primary),
                member_azs=graph.azs(primary),
                replicas=replicas,
                failover=Detection(float(failover["value_s"]), f"RDS Multi-AZ failover, typically {low}-{high} s")
                if multi_az
                else None,
            )
        )

    members = graph.of_type(RDS_CLUSTER_INSTANCE)
    for cluster in graph.of_type(RDS_CLUSTER):
        own = [member for member in members if _refers_to(member, "clusterIdentifier", cluster)]
        member_azs = {az for az in (graph.az(member) for member in own) if az}
        # A Multi-AZ DB cluster sets its instance class on the cluster and gets a writer and two
        # readers in three AZs. An Aurora cluster fails over only to the instances it declares.
        multi_az_cluster = bool(cluster.props.get("dbClusterInstanceClass"))
        can_fail_over = multi_az_cluster or len(own) >= 2
        figure = recovery_figure("rds-cluster-failover")
        found.append(
            DatabasePrimary(
                resource=cluster,
                kind="cluster",
                multi_az=can_fail_over and (multi_az_cluster or len(member_azs) >= 2),
                az=None,
                member_azs=member_azs or graph.azs(cluster),
                replicas=[(member, graph.az(member)) for member in own[1:]],
                failover=Detection(
                    float(figure["value_s"]), f"RDS cluster failover, typically under {figure['value_s']} s"
                )
                if can_fail_over
                else None,
            )
        )
    return found


# Caches: replication groups and stand-alone cache clusters.


def _caches(graph: Graph) -> list[CacheGroup]:
    figure = recovery_figure("elasticache-failover")
    failover = Detection(float(figure["value_s"]), f"ElastiCache replica promotion, estimated {figure['value_s']} s")
    found = []
    for group in graph.of_type(CACHE_REPLICATION_GROUP):
        nodes = number(group.props.get("numCacheClusters"))
        if nodes is None:
            shards = number(group.props.get("numNodeGroups"), 1) or 1
            replicas = number(group.props.get("replicasPerNodeGroup"), 0) or 0
            nodes = replicas + 1 if shards else 1
        node_azs = [az for az in (group.props.get("preferredCacheClusterAzs") or []) if isinstance(az, str)]
        automatic = truthy(group.props.get("automaticFailoverEnabled"))
        found.append(
            CacheGroup(
                resource=group,
                automatic_failover=automatic,
                multi_az=truthy(group.props.get("multiAzEnabled")),
                nodes=int(nodes),
                node_azs=node_azs,
                failover=failover if automatic and nodes >= 2 else None,
            )
        )
    for cluster in graph.of_type(CACHE_CLUSTER):
        if cluster.props.get("replicationGroupId"):
            continue
        node_azs = [az for az in (cluster.props.get("preferredAvailabilityZones") or []) if isinstance(az, str)]
        if not node_azs and graph.az(cluster):
            node_azs = [graph.az(cluster) or ""]
        found.append(
            CacheGroup(
                resource=cluster,
                automatic_failover=False,
                multi_az=cluster.props.get("azMode") == "cross-az",
                nodes=int(number(cluster.props.get("numCacheNodes"), 1) or 1),
                node_azs=node_azs,
                failover=None,
            )
        )
    return found


# DNS providers, payment providers and people.


def _dns_providers(graph: Graph) -> dict[str, list[Resource]]:
    providers: dict[str, list[Resource]] = {}
    route53 = graph.of_type(ROUTE53_ZONE) + graph.of_type(ROUTE53_RECORD)
    cloudflare = graph.of_type(CLOUDFLARE_ZONE) + graph.of_type(*CLOUDFLARE_RECORDS)
    if route53:
        providers["Route 53"] = route53
    if cloudflare:
        providers["Cloudflare"] = cloudflare
    return providers


def _payment_providers(graph: Graph) -> list[str]:
    names = []
    for secret in graph.of_type(SECRET):
        provider = graph.tags(secret).get(PAYMENT_PROVIDER_TAG)
        if provider and provider not in names:
            names.append(provider)
    return names


def _payment_retry(graph: Graph) -> Detection | None:
    """Return how long a failed payment waits in a retry queue (one with a dead-letter queue)."""
    default = recovery_figure("sqs-visibility-timeout")["value_s"]
    for queue in graph.of_type(SQS_QUEUE):
        if graph.layer(queue) == "payments" and queue.props.get("redrivePolicy"):
            seconds = number(queue.props.get("visibilityTimeoutSeconds"), default) or 0
            return Detection(seconds, f"retry queue {queue.name}: {seconds:g} s visibility timeout")
    return None


def _administrator_groups(graph: Graph) -> dict[str, list[str]]:
    """Return the members of each IAM group that holds AdministratorAccess, by group name."""
    groups: dict[str, list[str]] = {}
    for attachment in graph.of_type(IAM_GROUP_POLICY_ATTACHMENT):
        arn = attachment.props.get("policyArn")
        if isinstance(arn, str) and arn.endswith(ADMINISTRATOR_POLICY_SUFFIX):
            for group in graph.refs(attachment, "group", IAM_GROUP):
                groups.setdefault(group.name, [])
                for membership in graph.of_type(IAM_GROUP_MEMBERSHIP):
                    if _refers_to(membership, "group", group):
                        _add_users(groups[group.name], strings_in(membership.props.get("users")))
                for membership in graph.of_type(IAM_USER_GROUP_MEMBERSHIP):
                    if _refers_to(membership, "groups", group):
                        _add_users(groups[group.name], strings_in(membership.props.get("user")))
    return groups


def _add_users(members: list[str], users: Iterable[str]) -> None:
    for user in users:
        if is_known(user) and user not in members:
            members.append(user)


# Image storage: the bucket behind a CDN and its replica.


def _bucket_region(graph: Graph, bucket: Resource) -> str | None:
    # The provider's region wins: a simulated output may carry the stack's default region.
    provider = graph.provider_of(bucket)
    region = provider.props.get("region") if provider is not None else None
    if not isinstance(region, str) or not is_known(region):
        region = bucket.get("region")
    return region if isinstance(region, str) and is_known(region) else None


def _origin_bucket(buckets: list[Resource], origin: Mapping[str, Any]) -> Resource | None:
    domain = origin.get("domainName")
    if not isinstance(domain, str):
        return None
    for bucket in buckets:
        if domain in _names(bucket):
            return bucket
        name = bucket.get("bucket")
        if isinstance(name, str) and domain.startswith(name + ".s3"):
            return bucket
    return None


def _image_origins(graph: Graph) -> list[ImageOrigin]:
    buckets = graph.of_type(*BUCKETS)
    replications = graph.of_type(BUCKET_REPLICATION)
    defaults = recovery_figure("cloudfront-origin-failover")
    found = []
    for distribution in graph.of_type(DISTRIBUTION):
        origins = {o.get("originId"): o for o in distribution.props.get("origins") or [] if isinstance(o, Mapping)}
        groups = {g.get("originId"): g for g in distribution.props.get("originGroups") or [] if isinstance(g, Mapping)}
        behaviour = distribution.props.get("defaultCacheBehavior")
        target = behaviour.get("targetOriginId") if isinstance(behaviour, Mapping) else None
        group = groups.get(target)
        members = [m.get("originId") for m in (group or {}).get("members") or [] if isinstance(m, Mapping)]
        primary_id = members[0] if members else target
        primary_origin = origins.get(primary_id)
        if primary_origin is None:
            continue
        primary = _origin_bucket(buckets, primary_origin)
        if primary is None:
            continue
        replica = None
        for member in members[1:]:
            candidate = origins.get(member)
            replica = _origin_bucket(buckets, candidate) if candidate is not None else None
            if replica is not None:
                break
        replicated = replica is not None and any(
            _refers_to(config, "bucket", primary) and _refers_to(config, "rules", replica) for config in replications
        )
        attempts = number(primary_origin.get("connectionAttempts"), defaults["connection_attempts"]) or 0
        timeout = number(primary_origin.get("connectionTimeout"), defaults["connection_timeout_s"]) or 0
        found.append(
            ImageOrigin(
                distribution=distribution,
                bucket=primary,
                region=_bucket_region(graph, primary),
                replica=replica,
                replica_region=_bucket_region(graph, replica) if replica is not None else None,
                replicated=replicated,
                has_origin_group=group is not None,
                failover=Detection(
                    attempts * timeout, f"origin {primary_id}: {attempts:g} connection attempts x {timeout:g} s timeout"
                ),
            )
        )
    return found


# Private egress: which NAT gateway each private route table depends on.


def _egress(graph: Graph) -> list[Egress]:
    associations = graph.of_type(ROUTE_TABLE_ASSOCIATION)
    routes = graph.of_type(ROUTE)
    found = []
    for table in graph.of_type(ROUTE_TABLE):
        gateways: list[Resource] = []
        for entry in table.props.get("routes") or []:
            if isinstance(entry, Mapping) and entry.get("natGatewayId"):
                gateways += graph.find(entry.get("natGatewayId"), NAT_GATEWAY)
        if not gateways:
            # During a preview the id is unknown and only the dependency names the gateway.
            gateways = graph.refs(table, "routes", NAT_GATEWAY)
        for route in routes:
            if _refers_to(route, "routeTableId", table):
                gateways += graph.refs(route, "natGatewayId", NAT_GATEWAY)
        if not gateways:
            continue
        subnet_azs: set[str] = set()
        for association in associations:
            if _refers_to(association, "routeTableId", table):
                for subnet in graph.refs(association, "subnetId", SUBNET):
                    zone = graph.az(subnet)
                    if zone:
                        subnet_azs.add(zone)
        gateway = gateways[0]
        found.append(Egress(table, subnet_azs, gateway, graph.az(gateway)))
    return found
