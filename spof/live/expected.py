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
from .account import live_urn

RULE_ID = "live-missing-resource"
SEVERITY = "advisory"
ADMINISTRATOR_ACCESS = re.compile(r"^arn:aws[a-z-]*:iam::aws:policy/AdministratorAccess$")
PAYMENT_PROVIDER_TAG = "payment-provider"


@dataclass(frozen=True)
class Kind:
    """A kind of resource the plan can expect: its layer, its type token, the service that reads it."""

    id: str
    noun: str
    layer: str
    type: str
    # The live reader whose failure makes the account's count unknown.
    service: str
    count: Callable[[Graph], int]


def _is_replica(resource: Resource) -> bool:
    return bool(resource.props.get("replicateSourceDb"))


def _groups_in_layer(layer: str) -> Callable[[Graph], int]:
    return lambda graph: sum(graph.layer(group) == layer for group in graph.of_type(AUTOSCALING_GROUP))


def _cache_nodes(graph: Graph) -> int:
    nodes = 0
    for group in graph.of_type(CACHE_REPLICATION_GROUP):
        if group.props.get("numNodeGroups") is not None:
            replicas = group.props.get("replicasPerNodeGroup") or 0
            nodes += int(group.props["numNodeGroups"]) * (int(replicas) + 1)
        else:
            nodes += int(group.props.get("numCacheClusters") or 1)
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


KINDS: tuple[Kind, ...] = (
    Kind("subnets", "subnets", "network", SUBNET, "ec2", lambda g: len(g.of_type(SUBNET))),
    Kind("nat-gateways", "NAT gateways", "network", NAT_GATEWAY, "ec2", lambda g: len(g.of_type(NAT_GATEWAY))),
    Kind(
        "load-balancers",
        "load balancers",
        "load-balancer",
        LOAD_BALANCERS[0],
        "elbv2",
        lambda g: len(g.of_type(*LOAD_BALANCERS)),
    ),
    Kind(
        "web-auto-scaling-groups",
        "Auto Scaling groups in the web layer",
        "web",
        AUTOSCALING_GROUP,
        "autoscaling",
        _groups_in_layer("web"),
    ),
    Kind(
        "app-auto-scaling-groups",
        "Auto Scaling groups in the app layer",
        "app",
        AUTOSCALING_GROUP,
        "autoscaling",
        _groups_in_layer("app"),
    ),
    Kind(
        "rds-primary-instances",
        "RDS instances that are not read replicas",
        "database",
        RDS_INSTANCE,
        "rds",
        lambda g: sum(not _is_replica(r) for r in g.of_type(RDS_INSTANCE)),
    ),
    Kind(
        "rds-read-replicas",
        "RDS read replicas",
        "database",
        RDS_INSTANCE,
        "rds",
        lambda g: sum(_is_replica(r) for r in g.of_type(RDS_INSTANCE)),
    ),
    Kind(
        "elasticache-replication-groups",
        "ElastiCache replication groups",
        "cache",
        CACHE_REPLICATION_GROUP,
        "elasticache",
        lambda g: len(g.of_type(CACHE_REPLICATION_GROUP)),
    ),
    Kind(
        "elasticache-nodes",
        "ElastiCache nodes in replication groups",
        "cache",
        CACHE_REPLICATION_GROUP,
        "elasticache",
        _cache_nodes,
    ),
    Kind(
        "replica-buckets",
        "S3 buckets that replication writes to",
        "storage",
        BUCKET_REPLICATION,
        "s3",
        _replica_buckets,
    ),
    Kind("cloudfront-origin-groups", "CloudFront origin groups", "storage", DISTRIBUTION, "cloudfront", _origin_groups),
    Kind(
        "route53-zones", "Route 53 hosted zones", "dns", ROUTE53_ZONE, "route53", lambda g: len(g.of_type(ROUTE53_ZONE))
    ),
    Kind(
        "route53-health-checks",
        "Route 53 health checks",
        "dns",
        ROUTE53_HEALTH_CHECK,
        "route53",
        lambda g: len(g.of_type(ROUTE53_HEALTH_CHECK)),
    ),
    Kind(
        "cloudflare-zones",
        "Cloudflare zones",
        "dns",
        CLOUDFLARE_ZONE,
        "cloudflare",
        lambda g: len(g.of_type(CLOUDFLARE_ZONE)),
    ),
    Kind(
        "administrator-groups",
        "IAM groups that hold AdministratorAccess",
        "identity",
        IAM_GROUP,
        "iam",
        lambda g: len(_admin_groups(g)),
    ),
    Kind(
        "administrators",
        "members of the IAM groups that hold AdministratorAccess",
        "human",
        IAM_GROUP_MEMBERSHIP,
        "iam",
        _administrators,
    ),
    Kind(
        "payment-providers", "payment providers with a secret", "payments", SECRET, "secretsmanager", _payment_providers
    ),
)


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
        if found >= expected:
            continue
        findings.append(
            Finding(
                rule=RULE_ID,
                layer=kind.layer,
                severity=SEVERITY,
                resource=live_urn(stack, kind.type, f"expected-{kind.id}"),
                resource_type=kind.type,
                message=f"The plan of stack {stack} expects {expected} {kind.noun}; the account has {found}",
            )
        )
    return findings
