"""Table-driven tests of every SPOF rule.

Each case starts from a small valid graph that no rule reports, changes one field, and expects
exactly one finding: from the case's rule, on the named resource, with the message fragment.
Further tables check that unknown values silence a rule, and that property dependencies stand
in for ids that are unknown, as in a preview.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from spof.docs import rules_table, with_rules_table
from spof.graph import (
    AUTOSCALING_ATTACHMENT,
    AUTOSCALING_GROUP,
    AWS_PROVIDER,
    BUCKET_REPLICATION,
    BUCKET_VERSIONINGS,
    BUCKETS,
    CACHE_CLUSTER,
    CACHE_REPLICATION_GROUP,
    CACHE_SUBNET_GROUP,
    CLOUDFLARE_RECORDS,
    CLOUDFLARE_ZONE,
    DISTRIBUTION,
    EIP,
    IAM_GROUP,
    IAM_GROUP_MEMBERSHIP,
    IAM_GROUP_POLICY_ATTACHMENT,
    IAM_USER,
    IAM_USER_GROUP_MEMBERSHIP,
    INSTANCE,
    INTERNET_GATEWAY,
    LOAD_BALANCERS,
    NAT_GATEWAY,
    RDS_CLUSTER,
    RDS_CLUSTER_INSTANCE,
    RDS_INSTANCE,
    RDS_SUBNET_GROUP,
    ROUTE,
    ROUTE53_RECORD,
    ROUTE53_ZONE,
    ROUTE_TABLE,
    ROUTE_TABLE_ASSOCIATION,
    SECRET,
    SUBNET,
    TARGET_GROUP_ATTACHMENTS,
    TARGET_GROUPS,
    UNKNOWN,
    VPC,
    Graph,
    Resource,
)
from spof.rules import RULES, all_rules, evaluate
from tests.builders import by_name, make, set_dependencies, set_path

AZ_A, AZ_B, AZ_C = "us-east-1a", "us-east-1b", "us-east-1c"
ADMINISTRATOR_ACCESS = "arn:aws:iam::aws:policy/AdministratorAccess"


def subnet(name: str, id: str, zone: str, **props: Any) -> Resource:
    return make(SUBNET, name, id, availabilityZone=zone, **props)


# --- Fixtures: each builds a fresh, valid graph that no rule reports. ---


def network() -> list[Resource]:
    """A two-AZ VPC: public subnets behind an internet gateway, private ones with a NAT gateway each."""
    resources = [
        make(VPC, "main", "vpc-1", cidrBlock="10.0.0.0/16"),
        make(INTERNET_GATEWAY, "igw", "igw-1", vpcId="vpc-1"),
        make(
            ROUTE_TABLE,
            "public-rt",
            "rtb-public",
            vpcId="vpc-1",
            routes=[{"cidrBlock": "0.0.0.0/0", "gatewayId": "igw-1"}],
        ),
        make(LOAD_BALANCERS[0], "web-alb", "arn:alb/web", subnets=["subnet-pa", "subnet-pb"]),
    ]
    for zone, suffix in ((AZ_A, "a"), (AZ_B, "b")):
        resources += [
            subnet(f"public-{suffix}", f"subnet-p{suffix}", zone, vpcId="vpc-1", mapPublicIpOnLaunch=False),
            subnet(f"private-{suffix}", f"subnet-q{suffix}", zone, vpcId="vpc-1", mapPublicIpOnLaunch=False),
            make(NAT_GATEWAY, f"nat-{suffix}", f"nat-{suffix}", subnetId=f"subnet-p{suffix}"),
            make(
                ROUTE_TABLE,
                f"private-rt-{suffix}",
                f"rtb-{suffix}",
                vpcId="vpc-1",
                routes=[{"cidrBlock": "0.0.0.0/0", "natGatewayId": f"nat-{suffix}"}],
            ),
            make(
                ROUTE_TABLE_ASSOCIATION, f"public-{suffix}-rta", subnetId=f"subnet-p{suffix}", routeTableId="rtb-public"
            ),
            make(
                ROUTE_TABLE_ASSOCIATION,
                f"private-{suffix}-rta",
                subnetId=f"subnet-q{suffix}",
                routeTableId=f"rtb-{suffix}",
            ),
        ]
    return resources


def network_separate_routes() -> list[Resource]:
    """The same VPC with the private default routes as aws:ec2/route resources."""
    resources = network()
    for suffix in ("a", "b"):
        set_path(resources, f"private-rt-{suffix}", ("routes",), [])
        resources.append(
            make(
                ROUTE,
                f"private-{suffix}-default",
                routeTableId=f"rtb-{suffix}",
                destinationCidrBlock="0.0.0.0/0",
                natGatewayId=f"nat-{suffix}",
            )
        )
    return resources


def network_load_balancer() -> list[Resource]:
    """A network load balancer that names its subnets through subnet mappings."""
    return [
        subnet("lb-a", "subnet-la", AZ_A),
        subnet("lb-b", "subnet-lb", AZ_B),
        subnet("lb-c", "subnet-lc", AZ_A),
        make(EIP, "nlb-ip", "eipalloc-1", domain="vpc"),
        make(
            LOAD_BALANCERS[0],
            "nlb",
            "arn:nlb/1",
            loadBalancerType="network",
            subnetMappings=[{"subnetId": "subnet-la"}, {"subnetId": "subnet-lb", "allocationId": "eipalloc-1"}],
        ),
    ]


def compute() -> list[Resource]:
    """Auto Scaling groups in two AZs behind target groups, two EC2 instances and a bastion."""
    return [
        subnet("app-a", "subnet-aa", AZ_A),
        subnet("app-b", "subnet-ab", AZ_B),
        make(TARGET_GROUPS[0], "web-tg", "arn:tg/web"),
        make(TARGET_GROUPS[0], "api-tg", "arn:tg/api"),
        make(TARGET_GROUPS[0], "app-tg", "arn:tg/app"),
        make(
            AUTOSCALING_GROUP,
            "web-asg",
            "web-asg",
            minSize=2,
            maxSize=6,
            healthCheckType="ELB",
            vpcZoneIdentifiers=["subnet-aa", "subnet-ab"],
            targetGroupArns=["arn:tg/web"],
        ),
        make(
            AUTOSCALING_GROUP,
            "api-asg",
            "api-asg",
            minSize=2,
            maxSize=6,
            healthCheckType="ELB",
            vpcZoneIdentifiers=["subnet-aa", "subnet-ab"],
        ),
        make(AUTOSCALING_ATTACHMENT, "api-attachment", autoscalingGroupName="api-asg", lbTargetGroupArn="arn:tg/api"),
        make(AUTOSCALING_GROUP, "batch-asg", "batch-asg", minSize=2, maxSize=20, availabilityZones=[AZ_A, AZ_B]),
        make(INSTANCE, "app-1", "i-1", subnetId="subnet-aa"),
        make(INSTANCE, "app-2", "i-2", subnetId="subnet-ab"),
        make(TARGET_GROUP_ATTACHMENTS[0], "app-1-attachment", targetGroupArn="arn:tg/app", targetId="i-1"),
        make(TARGET_GROUP_ATTACHMENTS[0], "app-2-attachment", targetGroupArn="arn:tg/app", targetId="i-2"),
        make(INSTANCE, "bastion", "i-3", subnetId="subnet-aa"),
        make(EIP, "bastion-ip", "eipalloc-3", domain="vpc"),
    ]


def database() -> list[Resource]:
    """A Multi-AZ primary, two replicas and a replica of a replica, and a two-instance Aurora cluster."""
    return [
        subnet("data-a", "subnet-da", AZ_A),
        subnet("data-b", "subnet-db", AZ_B),
        make(RDS_SUBNET_GROUP, "orders-subnets", "orders-subnets", subnetIds=["subnet-da", "subnet-db"]),
        make(
            RDS_INSTANCE,
            "orders",
            "orders",
            identifier="orders",
            multiAz=True,
            backupRetentionPeriod=7,
            availabilityZone=AZ_A,
            dbSubnetGroupName="orders-subnets",
        ),
        make(
            RDS_INSTANCE,
            "orders-replica-1",
            "orders-replica-1",
            identifier="orders-replica-1",
            replicateSourceDb="orders",
            availabilityZone=AZ_B,
            backupRetentionPeriod=1,
        ),
        make(
            RDS_INSTANCE,
            "orders-replica-2",
            "orders-replica-2",
            identifier="orders-replica-2",
            replicateSourceDb="orders",
            availabilityZone=AZ_C,
        ),
        make(
            RDS_INSTANCE,
            "orders-replica-3",
            "orders-replica-3",
            identifier="orders-replica-3",
            replicateSourceDb="orders-replica-1",
            availabilityZone=AZ_A,
        ),
        make(RDS_CLUSTER, "search", "search", clusterIdentifier="search", engine="aurora-postgresql"),
        make(RDS_CLUSTER_INSTANCE, "search-1", "search-1", clusterIdentifier="search", availabilityZone=AZ_A),
        make(RDS_CLUSTER_INSTANCE, "search-2", "search-2", clusterIdentifier="search", availabilityZone=AZ_B),
    ]


def cache() -> list[Resource]:
    """Two replication groups, one pinned to two AZs and one sharded, and a two-node Memcached cluster."""
    return [
        subnet("cache-a", "subnet-ca", AZ_A),
        subnet("cache-b", "subnet-cb", AZ_B),
        subnet("cache-c", "subnet-cc", AZ_C),
        make(
            CACHE_SUBNET_GROUP,
            "cache-subnets",
            "cache-subnets",
            name="cache-subnets",
            subnetIds=["subnet-ca", "subnet-cb"],
        ),
        make(
            CACHE_SUBNET_GROUP,
            "spare-subnets",
            "spare-subnets",
            name="spare-subnets",
            subnetIds=["subnet-ca", "subnet-cc"],
        ),
        make(
            CACHE_REPLICATION_GROUP,
            "sessions",
            "sessions",
            replicationGroupId="sessions",
            automaticFailoverEnabled=True,
            multiAzEnabled=True,
            numCacheClusters=2,
            preferredCacheClusterAzs=[AZ_A, AZ_B],
        ),
        make(
            CACHE_REPLICATION_GROUP,
            "carts",
            "carts",
            replicationGroupId="carts",
            automaticFailoverEnabled=True,
            multiAzEnabled=True,
            numNodeGroups=2,
            replicasPerNodeGroup=1,
            subnetGroupName="cache-subnets",
        ),
        make(CACHE_CLUSTER, "catalog", "catalog", clusterId="catalog", engine="memcached", numCacheNodes=2),
    ]


def storage() -> list[Resource]:
    """Versioned buckets, one replicated to a versioned replica, and a CloudFront origin group."""
    return [
        make(BUCKETS[0], "images", "images", bucket="images", outputs={"arn": "arn:aws:s3:::images"}),
        make(
            BUCKET_VERSIONINGS[0],
            "images-versioning",
            "images",
            bucket="images",
            versioningConfiguration={"status": "Enabled"},
        ),
        make(
            BUCKETS[1],
            "images-replica",
            "images-replica",
            bucket="images-replica",
            outputs={"arn": "arn:aws:s3:::images-replica"},
        ),
        make(
            BUCKET_VERSIONINGS[1],
            "replica-versioning",
            "images-replica",
            bucket="images-replica",
            versioningConfiguration={"status": "Enabled"},
        ),
        make(BUCKETS[0], "logs", "logs", bucket="logs", versioning={"enabled": True}),
        make(
            BUCKET_REPLICATION,
            "images-replication",
            "images",
            bucket="images",
            role="arn:aws:iam::1:role/r",
            rules=[{"id": "all", "status": "Enabled", "destination": {"bucket": "arn:aws:s3:::images-replica"}}],
        ),
        make(
            DISTRIBUTION,
            "cdn",
            "E1",
            originGroups=[
                {
                    "originId": "images",
                    "failoverCriteria": {"statusCodes": [500, 502, 503, 504]},
                    "members": [{"originId": "primary"}, {"originId": "replica"}],
                }
            ],
        ),
    ]


def dns() -> list[Resource]:
    """The same names on Route 53 and Cloudflare, written in different but equivalent forms."""
    return [
        make(ROUTE53_ZONE, "zone", "Z1", name="example.com"),
        make(ROUTE53_ZONE, "internal", "Z2", name="example.com", vpcs=[{"vpcId": "vpc-1"}]),
        make(CLOUDFLARE_ZONE, "cf-zone", "cfz1", name="example.com"),
        make(
            ROUTE53_RECORD,
            "www",
            zoneId="Z1",
            name="www",
            type="A",
            aliases=[
                {"name": "Web-LB-123.us-east-1.elb.amazonaws.com.", "zoneId": "Z35", "evaluateTargetHealth": True}
            ],
        ),
        make(ROUTE53_RECORD, "api", zoneId="Z1", name="api.example.com", type="A", records=["203.0.113.10"]),
        make(
            ROUTE53_RECORD,
            "shop-primary",
            zoneId="Z1",
            name="shop",
            type="CNAME",
            setIdentifier="primary",
            records=["primary.example.net"],
            healthCheckId="hc-1",
            failoverRoutingPolicies=[{"type": "PRIMARY"}],
        ),
        make(
            ROUTE53_RECORD,
            "shop-secondary",
            zoneId="Z1",
            name="shop",
            type="CNAME",
            setIdentifier="secondary",
            records=["standby.example.net"],
            failoverRoutingPolicies=[{"type": "SECONDARY"}],
        ),
        make(ROUTE53_RECORD, "acme", zoneId="Z1", name="_acme-challenge", type="TXT", records=['"token"']),
        make(
            CLOUDFLARE_RECORDS[0],
            "cf-www",
            zoneId="cfz1",
            name="www",
            type="CNAME",
            proxied=False,
            content="web-lb-123.us-east-1.elb.amazonaws.com",
        ),
        make(CLOUDFLARE_RECORDS[1], "cf-api", zoneId="cfz1", name="api.example.com", type="A", content="203.0.113.10"),
        make(CLOUDFLARE_RECORDS[0], "cf-shop", zoneId="cfz1", name="shop", type="CNAME", content="primary.example.net"),
        make(ROUTE53_RECORD, "apex", zoneId="Z1", name="example.com", type="CNAME", records=["shop.example.net."]),
        make(
            CLOUDFLARE_RECORDS[0],
            "cf-apex",
            zoneId="cfz1",
            name="@",
            type="CNAME",
            content="shop.example.net",
            proxied=False,
        ),
    ]


def payments() -> list[Resource]:
    return [
        make(SECRET, "payments-stripe", "arn:secret:stripe", tags={"payment-provider": "stripe"}),
        make(SECRET, "payments-adyen", "arn:secret:adyen", tags={"payment-provider": "adyen"}),
        make(SECRET, "database", "arn:secret:db"),
    ]


def people() -> list[Resource]:
    """An administrators group with two members through one group membership."""
    return [
        make(IAM_GROUP, "admins", "admins", name="admins"),
        make(IAM_GROUP_POLICY_ATTACHMENT, "admins-policy", group="admins", policyArn=ADMINISTRATOR_ACCESS),
        make(IAM_USER, "alice", "alice", name="alice"),
        make(IAM_USER, "bob", "bob", name="bob"),
        make(IAM_GROUP_MEMBERSHIP, "admins-members", group="admins", users=["alice", "bob"]),
    ]


def people_by_user() -> list[Resource]:
    """The same administrators, each user listing their groups."""
    return [
        make(IAM_GROUP, "admins", "admins", name="admins"),
        make(IAM_GROUP, "developers", "developers", name="developers"),
        make(IAM_GROUP_POLICY_ATTACHMENT, "admins-policy", group="admins", policyArn=ADMINISTRATOR_ACCESS),
        make(IAM_USER, "alice", "alice", name="alice"),
        make(IAM_USER, "bob", "bob", name="bob"),
        make(IAM_USER_GROUP_MEMBERSHIP, "alice-groups", user="alice", groups=["admins"]),
        make(IAM_USER_GROUP_MEMBERSHIP, "bob-groups", user="bob", groups=["admins", "developers"]),
    ]


FIXTURES: dict[str, Callable[[], list[Resource]]] = {
    "network": network,
    "network_separate_routes": network_separate_routes,
    "network_load_balancer": network_load_balancer,
    "compute": compute,
    "database": database,
    "cache": cache,
    "storage": storage,
    "dns": dns,
    "payments": payments,
    "people": people,
    "people_by_user": people_by_user,
}


@dataclass(frozen=True)
class Case:
    """One field changed in a valid fixture, and the one finding it must cause."""

    rule: str
    fixture: str
    target: str
    path: tuple[Any, ...]
    value: Any
    resource: str
    message: str
    # Other rules that the same change must fire, because they check an overlapping concern.
    also: tuple[str, ...] = ()

    @property
    def id(self) -> str:
        return f"{self.rule}:{self.target}.{'.'.join(map(str, self.path))}"


CASES = [
    Case(
        "subnet-tier-single-az",
        "network",
        "private-b",
        ("mapPublicIpOnLaunch",),
        True,
        "main",
        "The private subnets of VPC main must sit in at least 2 AZs (found 1: us-east-1a",
    ),
    Case(
        "subnet-tier-single-az",
        "network",
        "private-b",
        ("tags",),
        {"tier": "public"},
        "main",
        "The private subnets of VPC main must sit in at least 2 AZs",
    ),
    Case(
        "nat-gateway-cross-az",
        "network",
        "private-rt-b",
        ("routes", 0, "natGatewayId"),
        "nat-a",
        "private-rt-b",
        "uses NAT gateway nat-a in us-east-1a for subnets private-b in us-east-1b",
    ),
    Case(
        "nat-gateway-cross-az",
        "network_separate_routes",
        "private-b-default",
        ("natGatewayId",),
        "nat-a",
        "private-rt-b",
        "Route table private-rt-b must send 0.0.0.0/0 to a NAT gateway in the AZ of its subnets",
    ),
    Case(
        "lb-single-az",
        "network",
        "web-alb",
        ("subnets",),
        ["subnet-pa", "subnet-qa"],
        "web-alb",
        "Load balancer web-alb must use subnets in at least 2 AZs (found 1: us-east-1a)",
    ),
    Case(
        "lb-single-az",
        "network_load_balancer",
        "nlb",
        ("subnetMappings", 1, "subnetId"),
        "subnet-lc",
        "nlb",
        "Load balancer nlb must use subnets in at least 2 AZs (found 1: us-east-1a)",
    ),
    Case(
        "asg-single-az",
        "compute",
        "web-asg",
        ("vpcZoneIdentifiers",),
        ["subnet-aa"],
        "web-asg",
        "Auto Scaling group web-asg must launch instances in at least 2 AZs (found 1: us-east-1a)",
    ),
    Case(
        "asg-single-az",
        "compute",
        "batch-asg",
        ("availabilityZones",),
        [AZ_B, AZ_B],
        "batch-asg",
        "(found 1: us-east-1b)",
    ),
    Case(
        "asg-min-size-below-two",
        "compute",
        "web-asg",
        ("minSize",),
        1,
        "web-asg",
        "Auto Scaling group web-asg must keep at least 2 instances (minSize is 1)",
    ),
    Case(
        "asg-no-elb-health-check",
        "compute",
        "web-asg",
        ("healthCheckType",),
        "EC2",
        "web-asg",
        "receives traffic from target group web-tg and must use ELB health checks (healthCheckType is EC2)",
    ),
    Case(
        "asg-no-elb-health-check",
        "compute",
        "api-asg",
        ("healthCheckType",),
        None,
        "api-asg",
        "target group api-tg and must use ELB health checks (healthCheckType is not set)",
    ),
    Case(
        "ec2-lone-instance",
        "compute",
        "app-2-attachment",
        ("targetId",),
        "i-1",
        "app-1",
        "EC2 instance app-1 serves traffic (target group app-tg) and must have a peer instance in "
        "another AZ behind the same target group (it has no peer)",
    ),
    Case(
        "ec2-lone-instance",
        "compute",
        "bastion-ip",
        ("instance",),
        "i-3",
        "bastion",
        "EC2 instance bastion serves traffic (Elastic IP bastion-ip)",
    ),
    Case(
        "rds-not-multi-az",
        "database",
        "orders",
        ("multiAz",),
        False,
        "orders",
        "RDS instance orders must be Multi-AZ (multiAz is false)",
    ),
    Case(
        "aurora-instances-single-az",
        "database",
        "search-2",
        ("availabilityZone",),
        AZ_A,
        "search",
        "Aurora cluster search must have cluster instances in at least 2 AZs (all 2 are pinned to us-east-1a",
    ),
    Case(
        "aurora-instances-single-az",
        "database",
        "search-2",
        ("clusterIdentifier",),
        "reporting",
        "search",
        "must have at least 2 cluster instances in distinct AZs (found 1: search-1)",
    ),
    Case(
        "rds-replica-source-no-backups",
        "database",
        "orders-replica-1",
        ("backupRetentionPeriod",),
        None,
        "orders-replica-1",
        "RDS instance orders-replica-1 must keep automated backups because read replica "
        "orders-replica-3 replicates it (backupRetentionPeriod is not set, which is 0",
    ),
    Case(
        "rds-replica-source-no-backups",
        "database",
        "orders",
        ("backupRetentionPeriod",),
        0,
        "orders",
        "because read replicas orders-replica-1, orders-replica-2 replicate it (backupRetentionPeriod is 0)",
    ),
    Case(
        "rds-replicas-same-az",
        "database",
        "orders-replica-2",
        ("availabilityZone",),
        AZ_B,
        "orders-replica-2",
        "Read replica orders-replica-2 must sit in a different AZ from orders-replica-1, "
        "another replica of orders (both are pinned to us-east-1b)",
    ),
    Case(
        "rds-replicas-same-az",
        "database",
        "orders-replica-2",
        ("availabilityZone",),
        AZ_A,
        "orders-replica-2",
        "must sit in a different AZ from its source orders (both are pinned to us-east-1a)",
    ),
    Case(
        "rds-subnet-group-single-az",
        "database",
        "data-b",
        ("availabilityZone",),
        AZ_A,
        "orders-subnets",
        "DB subnet group orders-subnets must have subnets in at least 2 AZs (found 1: us-east-1a)",
    ),
    Case(
        "elasticache-single-node",
        "cache",
        "catalog",
        ("numCacheNodes",),
        1,
        "catalog",
        "ElastiCache cluster catalog must be a member of a replication group or have at least 2 nodes "
        "(numCacheNodes is 1)",
    ),
    Case(
        "elasticache-no-automatic-failover",
        "cache",
        "sessions",
        ("automaticFailoverEnabled",),
        False,
        "sessions",
        "ElastiCache replication group sessions must enable automatic failover (automaticFailoverEnabled is false)",
    ),
    Case(
        "elasticache-not-multi-az",
        "cache",
        "sessions",
        ("multiAzEnabled",),
        None,
        "sessions",
        "must enable Multi-AZ (multiAzEnabled is not set)",
    ),
    Case(
        "elasticache-fewer-than-two-nodes",
        "cache",
        "sessions",
        ("numCacheClusters",),
        1,
        "sessions",
        "must have at least 2 nodes per shard (numCacheClusters is 1)",
    ),
    Case(
        "elasticache-fewer-than-two-nodes",
        "cache",
        "carts",
        ("replicasPerNodeGroup",),
        0,
        "carts",
        "must have at least 2 nodes per shard (replicasPerNodeGroup is 0)",
    ),
    Case(
        "elasticache-nodes-single-az",
        "cache",
        "sessions",
        ("preferredCacheClusterAzs",),
        [AZ_A, AZ_A],
        "sessions",
        "must place its nodes in at least 2 AZs (all 2 are pinned to us-east-1a)",
    ),
    Case(
        "elasticache-nodes-single-az",
        "cache",
        "cache-b",
        ("availabilityZone",),
        AZ_A,
        "carts",
        "(its subnet group cache-subnets has subnets in 1: us-east-1a)",
    ),
    Case(
        "elasticache-nodes-single-az",
        "cache",
        "spare-subnets",
        ("subnetIds",),
        ["subnet-ca"],
        "spare-subnets",
        "Cache subnet group spare-subnets must have subnets in at least 2 AZs (found 1: us-east-1a)",
    ),
    Case(
        "s3-bucket-unversioned",
        "storage",
        "images-versioning",
        ("versioningConfiguration", "status"),
        "Suspended",
        "images",
        "S3 bucket images must have versioning enabled (versioning status is Suspended)",
    ),
    Case(
        "s3-bucket-unversioned",
        "storage",
        "logs",
        ("versioning", "enabled"),
        False,
        "logs",
        "S3 bucket logs must have versioning enabled (no versioning configuration enables it)",
    ),
    Case(
        "s3-replica-unversioned",
        "storage",
        "replica-versioning",
        ("versioningConfiguration", "status"),
        "Suspended",
        "images-replica",
        "S3 bucket images-replica receives replicas from images-replication and must have versioning enabled",
        also=("s3-bucket-unversioned",),
    ),
    Case(
        "cloudfront-invalid-failover-codes",
        "storage",
        "cdn",
        ("originGroups", 0, "failoverCriteria", "statusCodes"),
        [500, 501],
        "cdn",
        "Origin group images of CloudFront distribution cdn must fail over only on status codes "
        "CloudFront accepts, which are 400, 403, 404, 416, 500, 502, 503, 504 (found 501)",
    ),
    Case(
        "dns-single-provider",
        "dns",
        "api",
        ("zoneId",),
        "Z2",
        "cf-api",
        "Name api.example.com must be published on both Route 53 and Cloudflare (found only on Cloudflare",
    ),
    Case(
        "dns-failover-no-health-check",
        "dns",
        "shop-primary",
        ("healthCheckId",),
        None,
        "shop-primary",
        "Route 53 record shop-primary is a failover PRIMARY and must have a health check",
    ),
    Case(
        "dns-providers-differ",
        "dns",
        "cf-www",
        ("content",),
        "old-lb.us-east-1.elb.amazonaws.com",
        "cf-www",
        "Name www.example.com must have the same records on Route 53 and Cloudflare (Route 53: CNAME "
        "web-lb-123.us-east-1.elb.amazonaws.com; Cloudflare: CNAME old-lb.us-east-1.elb.amazonaws.com)",
    ),
    Case(
        "dns-providers-differ",
        "dns",
        "cf-apex",
        ("proxied",),
        True,
        "cf-apex",
        "Name example.com must have the same records on Route 53 and Cloudflare "
        "(Route 53: CNAME shop.example.net; Cloudflare: CNAME shop.example.net, proxied)",
    ),
    Case(
        "payments-single-provider",
        "payments",
        "payments-adyen",
        ("tags",),
        {"payment-provider": "Stripe"},
        "payments-stripe",
        "The stack must hold credentials for at least 2 payment providers, counted from the payment-provider tag "
        "of Secrets Manager secrets (found 1: stripe, in secret payments-stripe)",
    ),
    Case(
        "admins-fewer-than-two",
        "people",
        "admins-members",
        ("users",),
        ["alice"],
        "admins",
        "IAM group admins holds AdministratorAccess and must have at least 2 member users (found 1: alice)",
    ),
    Case(
        "admins-fewer-than-two",
        "people_by_user",
        "bob-groups",
        ("groups",),
        ["developers"],
        "admins",
        "(found 1: alice)",
    ),
]


def changed(case: Case) -> list[Resource]:
    resources = FIXTURES[case.fixture]()
    set_path(resources, case.target, case.path, case.value)
    return resources


@pytest.mark.parametrize("fixture", sorted(FIXTURES))
def test_valid_fixture_is_silent(fixture: str) -> None:
    assert evaluate(Graph(FIXTURES[fixture]())) == []


@pytest.mark.parametrize("case", CASES, ids=lambda case: case.id)
def test_one_change_fires_rule(case: Case) -> None:
    resources = changed(case)
    findings = evaluate(Graph(resources))
    assert sorted(finding.rule for finding in findings) == sorted([case.rule, *case.also])
    (finding,) = [finding for finding in findings if finding.rule == case.rule]
    assert finding.resource == by_name(resources, case.resource).urn
    assert case.message in finding.message
    assert finding.layer == RULES[case.rule].layer


def test_every_rule_has_case() -> None:
    assert {rule.id for rule in all_rules()} == {case.rule for case in CASES}


def test_rules_are_documented() -> None:
    for rule in all_rules():
        assert rule.description.startswith("Checks whether "), rule.id
        assert rule.description.endswith("."), rule.id


# --- Unknown values: a rule that cannot tell reports nothing. ---


@dataclass(frozen=True)
class Silent:
    """A firing case plus one more change that makes the evidence unknown."""

    case: Case
    target: str
    path: tuple[Any, ...]
    value: Any

    @property
    def id(self) -> str:
        return f"{self.case.rule}:{self.target}.{'.'.join(map(str, self.path))}"


def _case(rule: str, index: int = 0) -> Case:
    return [case for case in CASES if case.rule == rule][index]


SILENT = [
    Silent(_case("lb-single-az"), "web-alb", ("subnets", 1), UNKNOWN),
    Silent(_case("nat-gateway-cross-az"), "private-rt-b", ("routes", 0, "natGatewayId"), UNKNOWN),
    Silent(_case("asg-single-az"), "web-asg", ("vpcZoneIdentifiers",), ["subnet-aa", "subnet-elsewhere"]),
    Silent(_case("asg-min-size-below-two"), "web-asg", ("minSize",), UNKNOWN),
    Silent(_case("asg-no-elb-health-check"), "web-asg", ("healthCheckType",), UNKNOWN),
    Silent(_case("ec2-lone-instance"), "app-2-attachment", ("targetId",), UNKNOWN),
    Silent(_case("rds-not-multi-az"), "orders", ("multiAz",), UNKNOWN),
    Silent(_case("aurora-instances-single-az", 1), "search-2", ("clusterIdentifier",), UNKNOWN),
    Silent(_case("rds-replica-source-no-backups"), "orders-replica-1", ("backupRetentionPeriod",), UNKNOWN),
    Silent(_case("rds-replicas-same-az"), "orders-replica-2", ("availabilityZone",), UNKNOWN),
    Silent(_case("rds-subnet-group-single-az"), "orders-subnets", ("subnetIds", 1), UNKNOWN),
    Silent(_case("elasticache-single-node"), "catalog", ("numCacheNodes",), UNKNOWN),
    Silent(_case("elasticache-nodes-single-az"), "sessions", ("preferredCacheClusterAzs", 1), UNKNOWN),
    Silent(_case("s3-bucket-unversioned"), "images-versioning", ("bucket",), UNKNOWN),
    Silent(_case("s3-replica-unversioned"), "images-replication", ("rules", 0, "destination", "bucket"), UNKNOWN),
    Silent(
        _case("cloudfront-invalid-failover-codes"),
        "cdn",
        ("originGroups", 0, "failoverCriteria", "statusCodes", 1),
        UNKNOWN,
    ),
    Silent(_case("dns-single-provider"), "internal", ("vpcs",), UNKNOWN),
    Silent(_case("dns-providers-differ"), "cf-www", ("content",), UNKNOWN),
    Silent(_case("dns-failover-no-health-check"), "shop-primary", ("aliases",), UNKNOWN),
    Silent(_case("payments-single-provider"), "payments-adyen", ("tags",), UNKNOWN),
    Silent(_case("admins-fewer-than-two"), "admins-members", ("users",), ["alice", UNKNOWN]),
]


@pytest.mark.parametrize("silent", SILENT, ids=lambda silent: silent.id)
def test_unknown_value_is_silent(silent: Silent) -> None:
    resources = changed(silent.case)
    set_path(resources, silent.target, silent.path, silent.value)
    assert [f for f in evaluate(Graph(resources)) if f.rule == silent.case.rule] == []


# --- Previews: ids are unknown, and the property dependencies name the resources. ---


@pytest.mark.parametrize(
    ("case", "target", "path", "key", "dependencies"),
    [
        (_case("nat-gateway-cross-az"), "private-rt-b", ("routes", 0, "natGatewayId"), "routes", ["nat-a"]),
        (_case("lb-single-az"), "web-alb", ("subnets",), "subnets", ["public-a", "private-a"]),
        (_case("asg-single-az"), "web-asg", ("vpcZoneIdentifiers",), "vpcZoneIdentifiers", ["app-a"]),
        (_case("rds-subnet-group-single-az"), "orders-subnets", ("subnetIds",), "subnetIds", ["data-a", "data-b"]),
        (_case("admins-fewer-than-two"), "admins-members", ("users",), "users", ["alice"]),
    ],
    ids=lambda value: value.rule if isinstance(value, Case) else "",
)
def test_dependencies_replace_unknown_ids(
    case: Case, target: str, path: tuple[Any, ...], key: str, dependencies: list[str]
) -> None:
    resources = changed(case)
    set_path(resources, target, path, UNKNOWN)
    set_dependencies(resources, target, key, dependencies)
    findings = [f for f in evaluate(Graph(resources)) if f.rule == case.rule]
    assert [f.resource for f in findings] == [by_name(resources, case.resource).urn]


def test_replica_source_followed_by_dependency() -> None:
    resources = database()
    set_path(resources, "orders-replica-1", ("backupRetentionPeriod",), None)
    set_path(resources, "orders-replica-3", ("replicateSourceDb",), UNKNOWN)
    set_dependencies(resources, "orders-replica-3", "replicateSourceDb", ["orders-replica-1"])
    findings = evaluate(Graph(resources))
    assert [(f.rule, f.resource) for f in findings] == [
        ("rds-replica-source-no-backups", by_name(resources, "orders-replica-1").urn)
    ]


def test_provider_default_tags_set_layer() -> None:
    provider = make(
        AWS_PROVIDER, "aws-web", "provider-1", defaultTags='{"tags": {"layer": "web", "payment-provider": "ignored"}}'
    )
    resources = [provider, *compute()]
    web_asg = by_name(resources, "web-asg")
    resources[resources.index(web_asg)] = make(
        AUTOSCALING_GROUP, "web-asg", "web-asg", provider=provider, **{**web_asg.props, "minSize": 1}
    )
    (finding,) = evaluate(Graph(resources))
    assert finding.rule == "asg-min-size-below-two"
    assert finding.layer == "web"


# --- The README's rules table, generated by spof.docs. ---


def test_readme_rules_table_current() -> None:
    readme = Path(__file__).resolve().parent.parent / "README.md"
    text = readme.read_text()
    assert with_rules_table(text, rules_table()) == text, (
        "README.md's rules table differs from the registry: run `venv/bin/python -m spof.docs` and commit README.md"
    )


def test_rules_table_lists_every_rule() -> None:
    rows = rules_table().splitlines()[2:]
    assert len(rows) == len(RULES)
    for rule in all_rules():
        (row,) = [row for row in rows if row.startswith(f"| `{rule.id}` |")]
        layer = f"`{rule.layer}` or the tier's tag" if rule.tier else f"`{rule.layer}`"
        assert f"| {layer} | {rule.description} |" in row
        assert row.endswith(f"| {rule.security_hub or '-'} | {rule.checkov or '-'} |")


def test_rules_table_needs_markers() -> None:
    with pytest.raises(ValueError, match="rules markers not found"):
        with_rules_table("# README without markers\n", rules_table())
