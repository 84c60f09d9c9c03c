"""Kinds of resource that the offline plan expects and the account lacks, reported as advisory findings.

Both graphs use the same type tokens, so one counting function per kind reads the plan's
recording and the account alike. The comparison is by count only: a plan with 2 read replicas
and an account with 1 gives one finding, whichever replica is missing. An account with more than
the plan gives none, because the rules judge what exists. A finding names no real resource, so
its URN is the kind's: `urn:<provider>:live::<stack>::<type>::expected-<kind>`.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from ..graph import (
    AUTOSCALING_GROUP,
    BUCKET_REPLICATION,
    CACHE_REPLICATION_GROUP,
    CLOUDFLARE_ZONE,
    DISTRIBUTION,
    IAM_GROUP,
    IAM_GROUP_MEMBERSHIP,
    IAM_GROUP_POLICY_ATTACHMENT,
    LOAD_BALANCERS,
    NAT_GATEWAY,
    RDS_INSTANCE,
    ROUTE53_HEALTH_CHECK,
    ROUTE53_ZONE,
    SECRET,
    SUBNET,
    Graph,
    Resource,
    strings_in,
)
from ..rules import Finding
from .account import STACK_TAG, live_urn

RULE_ID = "live-missing-resource"
SEVERITY = "advisory"
ADMINISTRATOR_ACCESS = re.compile(r"^arn:aws[a-z-]*:iam::aws:policy/AdministratorAccess$")
PAYMENT_PROVIDER_TAG = "payment-provider"


@dataclass(frozen=True)
class Kind:
    """A kind of resource the plan can expect: its layer, its type token, the service that reads it."""

    id: str
    layer: str
    type: str
    # The live reader whose failure makes the account's count unknown.
    service: str
    # The number of resources of the kind in a graph, or None when it is unknown.
    count: Callable[[Graph], int | None]
    singular: str
    plural: str


def _is_replica(resource: Resource) -> bool:
    return bool(resource.props.get("replicateSourceDb"))


def _groups_in_layer(layer: str) -> Callable[[Graph], int]:
    return lambda graph: sum(graph.layer(group) == layer for group in graph.of_type(AUTOSCALING_GROUP))


def _number(value: object) -> int | None:
    return int(value) if isinstance(value, (int, float)) and not isinstance(value, bool) else None


def _cache_nodes(graph: Graph) -> int | None:
    """Count the nodes of all replication groups, or return None when one group's count is unknown."""
    nodes = 0
    for group in graph.of_type(CACHE_REPLICATION_GROUP):
        if group.props.get("numNodeGroups") is not None:
            shards = _number(group.props["numNodeGroups"])
            replicas = _number(group.props.get("replicasPerNodeGroup") or 0)
            if shards is None or replicas is None:
                return None
            nodes += shards * (replicas + 1)
        else:
            clusters = _number(group.props.get("numCacheClusters") or 1)
            if clusters is None:
                return None
            nodes += clusters
    return nodes


def _replica_buckets(graph: Graph) -> int:
    destinations: set[str] = set()
    for configuration in graph.of_type(BUCKET_REPLICATION):
        for rule in configuration.props.get("rules") or ():
            destination = rule.get("destination") if isinstance(rule, dict) else None
            if isinstance(destination, dict) and destination.get("bucket"):
                destinations.add(str(destination["bucket"]))
    return len(destinations)


def _origin_groups(graph: Graph) -> int:
    return sum(len(distribution.props.get("originGroups") or ()) for distribution in graph.of_type(DISTRIBUTION))


def _admin_groups(graph: Graph) -> list[Resource]:
    groups: dict[str, Resource] = {}
    for attachment in graph.of_type(IAM_GROUP_POLICY_ATTACHMENT):
        if ADMINISTRATOR_ACCESS.match(str(attachment.props.get("policyArn"))):
            for group in graph.find(attachment.props.get("group"), IAM_GROUP):
                groups[group.urn] = group
    return list(groups.values())


def _administrators(graph: Graph) -> int:
    groups = {group.urn for group in _admin_groups(graph)}
    users: set[str] = set()
    for membership in graph.of_type(IAM_GROUP_MEMBERSHIP):
        if any(group.urn in groups for group in graph.find(membership.props.get("group"), IAM_GROUP)):
            users.update(strings_in(membership.props.get("users")))
    return len(users)


def _payment_providers(graph: Graph) -> int:
    return len({graph.tags(secret).get(PAYMENT_PROVIDER_TAG) for secret in graph.of_type(SECRET)} - {None})


def _stack_subnets(graph: Graph) -> int:
    # The live graph also contains subnets outside the stack that its resources use; they carry no
    # stack tag, while every subnet of the plan does, through its provider's default tags.
    return sum(bool(graph.tags(subnet).get(STACK_TAG)) for subnet in graph.of_type(SUBNET))


def _count(*types: str) -> Callable[[Graph], int]:
    return lambda graph: len(graph.of_type(*types))


def _rds_instances(replicas: bool) -> Callable[[Graph], int]:
    return lambda graph: sum(_is_replica(instance) == replicas for instance in graph.of_type(RDS_INSTANCE))


# Each kind is named in the singular and the plural, for "expects 1 ..." and "expects 2 ...".
# fmt: off
KINDS: tuple[Kind, ...] = (
    Kind("subnets", "network", SUBNET, "ec2", _stack_subnets, "subnet of the stack", "subnets of the stack"),
    Kind("nat-gateways", "network", NAT_GATEWAY, "ec2", _count(NAT_GATEWAY), "NAT gateway", "NAT gateways"),
    Kind("load-balancers", "load-balancer", LOAD_BALANCERS[0], "elbv2", _count(*LOAD_BALANCERS),
         "load balancer", "load balancers"),
    Kind("web-auto-scaling-groups", "web", AUTOSCALING_GROUP, "autoscaling", _groups_in_layer("web"),
         "Auto Scaling group in the web layer", "Auto Scaling groups in the web layer"),
    Kind("app-auto-scaling-groups", "app", AUTOSCALING_GROUP, "autoscaling", _groups_in_layer("app"),
         "Auto Scaling group in the app layer", "Auto Scaling groups in the app layer"),
    Kind("rds-primary-instances", "database", RDS_INSTANCE, "rds", _rds_instances(replicas=False),
         "RDS instance that is not a read replica", "RDS instances that are not read replicas"),
    Kind("rds-read-replicas", "database", RDS_INSTANCE, "rds", _rds_instances(replicas=True),
         "RDS read replica", "RDS read replicas"),
    Kind("elasticache-replication-groups", "cache", CACHE_REPLICATION_GROUP, "elasticache",
         _count(CACHE_REPLICATION_GROUP), "ElastiCache replication group", "ElastiCache replication groups"),
    Kind("elasticache-nodes", "cache", CACHE_REPLICATION_GROUP, "elasticache", _cache_nodes,
         "ElastiCache node in replication groups", "ElastiCache nodes in replication groups"),
    Kind("replica-buckets", "storage", BUCKET_REPLICATION, "s3", _replica_buckets,
         "S3 bucket that replication writes to", "S3 buckets that replication writes to"),
    Kind("cloudfront-origin-groups", "storage", DISTRIBUTION, "cloudfront", _origin_groups,
         "CloudFront origin group", "CloudFront origin groups"),
    Kind("route53-zones", "dns", ROUTE53_ZONE, "route53", _count(ROUTE53_ZONE),
         "Route 53 hosted zone", "Route 53 hosted zones"),
    Kind("route53-health-checks", "dns", ROUTE53_HEALTH_CHECK, "route53", _count(ROUTE53_HEALTH_CHECK),
         "Route 53 health check", "Route 53 health checks"),
    Kind("cloudflare-zones", "dns", CLOUDFLARE_ZONE, "cloudflare", _count(CLOUDFLARE_ZONE),
         "Cloudflare zone", "Cloudflare zones"),
    Kind("administrator-groups", "identity", IAM_GROUP, "iam", lambda graph: len(_admin_groups(graph)),
         "IAM group with AdministratorAccess", "IAM groups with AdministratorAccess"),
    Kind("administrators", "human", IAM_GROUP_MEMBERSHIP, "iam", _administrators,
         "member of the IAM groups with AdministratorAccess", "members of the IAM groups with AdministratorAccess"),
    Kind("payment-providers", "payments", SECRET, "secretsmanager", _payment_providers,
         "payment provider with a secret", "payment providers with a secret"),
)
# fmt: on


def missing_kinds(stack: str, plan: Graph, account: Graph, unread: Iterable[str]) -> list[Finding]:
    """Return an advisory finding for each kind of which the account has fewer than the plan.

    Kinds read by a service in `unread` (skipped, or Cloudflare without a token) are not compared,
    because the account's count is then unknown.
    """
    skipped = set(unread)
    findings = []
    for kind in KINDS:
        if kind.service in skipped:
            continue
        expected, found = kind.count(plan), kind.count(account)
        if expected is None or found is None or found >= expected:
            continue
        noun = kind.singular if expected == 1 else kind.plural
        findings.append(
            Finding(
                rule=RULE_ID,
                layer=kind.layer,
                severity=SEVERITY,
                resource=live_urn(stack, kind.type, f"expected-{kind.id}"),
                resource_type=kind.type,
                message=f"The plan of stack {stack} expects {expected} {noun}; the account has {found}",
            )
        )
    return findings
