"""Redundancy and security settings of each component, read from the recorded prod plan."""

from __future__ import annotations

import importlib
import inspect
import json

import pytest

from spof import graph as g
from spof.graph import Graph, Resource
from spof.report import Report
from tests.conftest import PlanFactory

PROD_AZS = {"us-east-1a", "us-east-1b", "us-east-1c"}


@pytest.fixture(scope="module")
def prod(plan: PlanFactory) -> Report:
    return plan("prod")


@pytest.fixture(scope="module")
def graph(prod: Report) -> Graph:
    return prod.graph


def one(graph: Graph, type_: str, name: str) -> Resource:
    matches = [r for r in graph.of_type(type_) if r.name == name]
    assert len(matches) == 1, f"expected one {type_} named {name}, found {len(matches)}"
    return matches[0]


def named(graph: Graph, type_: str, prefix: str) -> list[Resource]:
    return [r for r in graph.of_type(type_) if r.name.startswith(prefix)]


# Network


def test_subnets_per_tier_in_every_az(graph: Graph) -> None:
    for tier in ("public", "app", "data"):
        subnets = named(graph, g.SUBNET, f"network-{tier}-subnet-")
        assert {graph.az(s) for s in subnets} == PROD_AZS, tier
        assert all(s.props["tags"]["tier"] == tier for s in subnets)
        assert all(s.props["mapPublicIpOnLaunch"] is False for s in subnets)


def test_one_nat_gateway_per_az(graph: Graph) -> None:
    nat_gateways = graph.of_type(g.NAT_GATEWAY)
    assert len(nat_gateways) == 3
    assert {graph.az(nat) for nat in nat_gateways} == PROD_AZS
    for nat in nat_gateways:
        subnet = graph.ref(nat, "subnetId", g.SUBNET)
        assert subnet is not None and subnet.props["tags"]["tier"] == "public"


def private_routes(graph: Graph) -> dict[str, tuple[str | None, set[str | None]]]:
    """Map each private route table to its NAT gateway's AZ and the AZs of its subnets."""
    routes = {}
    for table in named(graph, g.ROUTE_TABLE, "network-private-rt-"):
        default_route = next(r for r in table.props["routes"] if r["cidrBlock"] == "0.0.0.0/0")
        nat = graph.find(default_route["natGatewayId"], g.NAT_GATEWAY)
        assert len(nat) == 1
        subnet_azs = {
            graph.az(subnet)
            for association in graph.of_type(g.ROUTE_TABLE_ASSOCIATION)
            if graph.ref(association, "routeTableId", g.ROUTE_TABLE) is table
            for subnet in graph.refs(association, "subnetId", g.SUBNET)
        }
        routes[table.name] = (graph.az(nat[0]), subnet_azs)
    return routes


def test_private_subnets_use_nat_of_own_az(graph: Graph) -> None:
    routes = private_routes(graph)
    assert len(routes) == 3
    for table, (nat_az, subnet_azs) in routes.items():
        assert subnet_azs == {nat_az}, table


def test_single_nat_serves_every_az(plan: PlanFactory) -> None:
    graph = plan("prod", "network.natGateways=single").graph
    assert len(graph.of_type(g.NAT_GATEWAY)) == 1
    nat_azs = {nat_az for nat_az, _ in private_routes(graph).values()}
    assert nat_azs == {"us-east-1a"}


def test_az_count_sets_subnets(plan: PlanFactory) -> None:
    graph = plan("dev").graph
    subnets = graph.of_type(g.SUBNET)
    assert len(subnets) == 6
    assert {graph.az(s) for s in subnets} == {"us-east-1a", "us-east-1b"}


def test_default_security_group_has_no_rules(graph: Graph) -> None:
    default = one(graph, "aws:ec2/defaultSecurityGroup:DefaultSecurityGroup", "network-default-sg")
    assert not default.props.get("ingress")
    assert not default.props.get("egress")


# Load balancers


def test_public_alb_settings(graph: Graph) -> None:
    alb = one(graph, g.LOAD_BALANCERS[0], "public-lb-alb")
    assert alb.props["internal"] is False
    assert graph.subnet_azs(alb, "subnets") == PROD_AZS
    assert alb.props["enableDeletionProtection"] is True
    assert alb.props["dropInvalidHeaderFields"] is True


def test_internal_alb_settings(graph: Graph) -> None:
    alb = one(graph, g.LOAD_BALANCERS[0], "internal-lb-alb")
    assert alb.props["internal"] is True
    assert graph.subnet_azs(alb, "subnets") == PROD_AZS
    assert all(s.props["tags"]["tier"] == "app" for s in graph.refs(alb, "subnets", g.SUBNET))


def test_dev_alb_without_deletion_protection(plan: PlanFactory) -> None:
    alb = one(plan("dev").graph, g.LOAD_BALANCERS[0], "public-lb-alb")
    assert alb.props["enableDeletionProtection"] is False


def test_https_listener_uses_validated_certificate(graph: Graph) -> None:
    https = one(graph, g.LISTENERS[0], "public-lb-https")
    assert https.props["protocol"] == "HTTPS"
    assert https.props["sslPolicy"].startswith("ELBSecurityPolicy-TLS13")
    validation = one(graph, "aws:acm/certificateValidation:CertificateValidation", "public-lb-certificate-validation")
    assert "public-lb-certificate-validation" in " ".join(
        graph.by_urn[urn].name for urn in https.property_dependencies["certificateArn"]
    )
    assert validation.props["validationRecordFqdns"]


def test_http_redirects_to_https(graph: Graph) -> None:
    http = one(graph, g.LISTENERS[0], "public-lb-http")
    action = http.props["defaultActions"][0]
    assert action["type"] == "redirect"
    assert action["redirect"] == {"protocol": "HTTPS", "port": "443", "statusCode": "HTTP_301"}


@pytest.mark.parametrize("name", ["public-lb-tg", "internal-lb-tg"])
def test_target_groups_have_explicit_health_checks(graph: Graph, name: str) -> None:
    health = one(graph, g.TARGET_GROUPS[0], name).props["healthCheck"]
    assert health["path"] == "/healthz"
    assert health["matcher"] == "200"
    assert health["interval"] == 10
    assert health["unhealthyThreshold"] == 2


# Web and app tiers


@pytest.mark.parametrize("tier", ["web", "app"])
def test_launch_template_hardening(graph: Graph, tier: str) -> None:
    template = one(graph, g.LAUNCH_TEMPLATE, f"{tier}-launch-template")
    assert template.props["metadataOptions"]["httpTokens"] == "required"
    assert template.props["networkInterfaces"][0]["associatePublicIpAddress"] == "false"
    assert template.props["blockDeviceMappings"][0]["ebs"]["encrypted"] == "true"
    assert template.props["userData"]


@pytest.mark.parametrize(("tier", "minimum"), [("web", 3), ("app", 3)])
def test_auto_scaling_group_settings(graph: Graph, tier: str, minimum: int) -> None:
    group = one(graph, g.AUTOSCALING_GROUP, f"{tier}-asg")
    assert group.props["healthCheckType"] == "ELB"
    assert group.props["minSize"] == minimum
    assert graph.subnet_azs(group, "vpcZoneIdentifiers") == PROD_AZS
    assert group.props["instanceRefresh"]["strategy"] == "Rolling"
    assert len(group.props["targetGroupArns"]) == 1
    assert {"key": "layer", "value": tier, "propagateAtLaunch": True} in group.props["tags"]


def test_user_data_serves_health_check(graph: Graph) -> None:
    import base64

    template = one(graph, g.LAUNCH_TEMPLATE, "web-launch-template")
    script = base64.b64decode(template.props["userData"]).decode()
    assert "echo ok > '/srv/shop/healthz'" in script
    assert "http.server 80" in script


def test_app_tier_reads_only_its_secrets(graph: Graph) -> None:
    policy = json.loads(one(graph, "aws:iam/rolePolicy:RolePolicy", "app-access-policy").props["policy"])
    secret_statement = policy["Statement"][0]
    assert secret_statement["Action"] == ["secretsmanager:GetSecretValue", "secretsmanager:DescribeSecret"]
    assert "*" not in secret_statement["Resource"]
    assert len(secret_statement["Resource"]) == 3


# Database


def test_database_primary(graph: Graph) -> None:
    primary = one(graph, g.RDS_INSTANCE, "database-primary")
    props = primary.props
    assert props["multiAz"] is True
    assert "availabilityZone" not in props
    assert props["backupRetentionPeriod"] == 14
    assert props["deletionProtection"] is True
    assert props["storageEncrypted"] is True
    assert props["manageMasterUserPassword"] is True
    assert "password" not in props
    group = graph.ref(primary, "dbSubnetGroupName", g.RDS_SUBNET_GROUP)
    assert group is not None
    assert {s.props["tags"]["tier"] for s in graph.refs(group, "subnetIds", g.SUBNET)} == {"data"}
    assert graph.azs(group) == PROD_AZS


def test_replicas_pinned_to_distinct_azs(graph: Graph) -> None:
    primary = one(graph, g.RDS_INSTANCE, "database-primary")
    replicas = named(graph, g.RDS_INSTANCE, "database-replica-")
    assert len(replicas) == 2
    assert all(graph.ref(r, "replicateSourceDb", g.RDS_INSTANCE) is primary for r in replicas)
    assert len({r.props["availabilityZone"] for r in replicas}) == 2


def test_dev_primary_single_az(plan: PlanFactory) -> None:
    primary = one(plan("dev").graph, g.RDS_INSTANCE, "database-primary")
    assert primary.props["multiAz"] is False
    assert primary.props["availabilityZone"] == "us-east-1a"


# Cache


def test_cache_replication_group(graph: Graph) -> None:
    group = one(graph, g.CACHE_REPLICATION_GROUP, "cache-group").props
    assert group["automaticFailoverEnabled"] is True
    assert group["multiAzEnabled"] is True
    assert group["numCacheClusters"] == 3
    assert set(group["preferredCacheClusterAzs"]) == PROD_AZS
    assert group["atRestEncryptionEnabled"] is True
    assert group["transitEncryptionEnabled"] is True
    assert group["snapshotRetentionLimit"] == 7


def test_cache_without_replicas_has_no_failover(plan: PlanFactory) -> None:
    group = one(plan("prod", "cache.replicas=0").graph, g.CACHE_REPLICATION_GROUP, "cache-group").props
    assert group["numCacheClusters"] == 1
    assert group["automaticFailoverEnabled"] is False
    assert group["multiAzEnabled"] is False


# Storage


@pytest.mark.parametrize("bucket", ["storage-images", "storage-images-replica"])
def test_image_buckets_private_versioned_encrypted(graph: Graph, bucket: str) -> None:
    def settings(type_: str, suffix: str) -> dict:
        return one(graph, type_, f"{bucket}-{suffix}").props

    assert settings(g.BUCKET_VERSIONINGS[0], "versioning")["versioningConfiguration"]["status"] == "Enabled"
    block = settings("aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock", "public-access-block")
    assert all(
        block[key] is True
        for key in ("blockPublicAcls", "blockPublicPolicy", "ignorePublicAcls", "restrictPublicBuckets")
    )
    encryption = settings(
        "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration", "encryption"
    )
    assert encryption["rules"][0]["applyServerSideEncryptionByDefault"]["sseAlgorithm"] == "AES256"
    lifecycle = settings("aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration", "lifecycle")
    assert lifecycle["rules"][0]["noncurrentVersionExpiration"]["noncurrentDays"] == 30


def test_replica_bucket_in_second_region(graph: Graph) -> None:
    replica = one(graph, g.BUCKETS[0], "storage-images-replica")
    provider = graph.provider_of(replica)
    assert provider is not None
    assert provider.props["region"] == "us-west-2"
    replication = one(graph, g.BUCKET_REPLICATION, "storage-replication")
    assert graph.refs(replication, "rules", *g.BUCKETS) == [replica]


def test_cloudfront_https_origin_group(graph: Graph) -> None:
    distribution = one(graph, g.DISTRIBUTION, "storage-cdn").props
    assert distribution["defaultCacheBehavior"]["viewerProtocolPolicy"] == "redirect-to-https"
    assert distribution["defaultCacheBehavior"]["targetOriginId"] == "images"
    group = distribution["originGroups"][0]
    assert group["failoverCriteria"]["statusCodes"] == [500, 502, 503, 504]
    assert [m["originId"] for m in group["members"]] == ["images-primary", "images-replica"]
    assert all(origin["originAccessControlId"] for origin in distribution["origins"])
    assert distribution["viewerCertificate"]["minimumProtocolVersion"] == "TLSv1.2_2021"


def test_cdn_certificate_in_us_east_1(graph: Graph) -> None:
    certificate = one(graph, "aws:acm/certificate:Certificate", "storage-cdn-certificate")
    provider = graph.provider_of(certificate)
    assert provider is not None and provider.props["region"] == "us-east-1"


# DNS


def fqdns(graph: Graph, types: tuple[str, ...]) -> set[str]:
    return {r.props["name"].rstrip(".") for r in graph.of_type(*types)}


def test_same_names_in_both_providers(graph: Graph) -> None:
    route53 = fqdns(graph, (g.ROUTE53_RECORD,))
    cloudflare = fqdns(graph, g.CLOUDFLARE_RECORDS)
    assert {"shop.example.com", "www.shop.example.com", "images.shop.example.com"} <= route53
    assert route53 == cloudflare


def test_cloudflare_records_dns_only_short_ttl(graph: Graph) -> None:
    for record in graph.of_type(*g.CLOUDFLARE_RECORDS):
        assert record.props["proxied"] is False, record.name
        if record.props["type"] != "NS":
            assert record.props["ttl"] <= 60, record.name


def test_apex_alias_and_flattened_cname(graph: Graph) -> None:
    apex = one(graph, g.ROUTE53_RECORD, "dns-records-apex-route53").props
    assert apex["type"] == "A"
    assert apex["aliases"][0]["evaluateTargetHealth"] is True
    cname = one(graph, g.CLOUDFLARE_RECORDS[0], "dns-records-apex-cloudflare").props
    assert cname["type"] == "CNAME"
    assert cname["content"] == apex["aliases"][0]["name"]


def test_cloudflare_multi_provider(graph: Graph) -> None:
    settings = one(graph, "cloudflare:index/zoneDnsSettings:ZoneDnsSettings", "dns-cloudflare-settings")
    assert settings.props["multiProvider"] is True


def test_health_check_on_public_alb(graph: Graph) -> None:
    check = one(graph, g.ROUTE53_HEALTH_CHECK, "dns-records-lb-health-check").props
    alb = one(graph, g.LOAD_BALANCERS[0], "public-lb-alb")
    assert check["fqdn"] == alb.outputs["dnsName"]
    assert check["type"] == "HTTPS"
    assert check["requestInterval"] == 30
    assert check["failureThreshold"] == 3


def test_name_servers_exported(prod: Report) -> None:
    assert len(prod.outputs["route53NameServers"]) == 4
    assert prod.outputs["cloudflareNameServers"]


def test_route53_only_stack_has_no_cloudflare(plan: PlanFactory) -> None:
    graph = plan("dev").graph
    assert not [r for r in graph.resources if r.type.startswith("cloudflare:")]
    assert plan("dev").outputs["cloudflareNameServers"] == []


# Payments


def test_secret_per_payment_provider(graph: Graph) -> None:
    secrets = graph.of_type(g.SECRET)
    assert sorted(s.props["tags"]["payment-provider"] for s in secrets) == ["adyen", "stripe"]


def test_retry_queue_has_dead_letter_queue(graph: Graph) -> None:
    queue = one(graph, "aws:sqs/queue:Queue", "payments-retry-queue")
    dead_letter = one(graph, "aws:sqs/queue:Queue", "payments-retry-dlq")
    redrive = json.loads(queue.props["redrivePolicy"])
    assert redrive["deadLetterTargetArn"] == dead_letter.outputs["arn"]
    assert redrive["maxReceiveCount"] == 5


# People and CI


def test_human_groups_enforce_mfa(graph: Graph) -> None:
    groups = graph.of_type(g.IAM_GROUP)
    assert sorted(group.name for group in groups) == [
        "identity-administrators",
        "identity-deployers",
        "identity-developers",
        "identity-on-call",
    ]
    mfa_policy = one(graph, "aws:iam/policy:Policy", "identity-require-mfa")
    for group in groups:
        attached = [
            a
            for a in graph.of_type(g.IAM_GROUP_POLICY_ATTACHMENT)
            if graph.ref(a, "group", g.IAM_GROUP) is group and graph.ref(a, "policyArn") is mfa_policy
        ]
        assert len(attached) == 1, group.name


def test_admins_in_administrators_group(graph: Graph) -> None:
    membership = one(graph, g.IAM_GROUP_MEMBERSHIP, "identity-administrators-members")
    assert sorted(u.name for u in graph.refs(membership, "users", g.IAM_USER)) == [
        "identity-admin-alice.admin",
        "identity-admin-bob.admin",
    ]
    assert graph.ref(membership, "group", g.IAM_GROUP).name == "identity-administrators"  # type: ignore[union-attr]


def test_ci_deploy_role_trusts_github_environment(graph: Graph) -> None:
    role = one(graph, "aws:iam/role:Role", "identity-ci-deploy")
    trust = json.loads(role.props["assumeRolePolicy"])
    github = trust["Statement"][0]
    assert github["Action"] == "sts:AssumeRoleWithWebIdentity"
    condition = github["Condition"]["StringEquals"]
    assert condition["token.actions.githubusercontent.com:sub"] == "repo:example-org/shop:environment:prod"
    assert condition["token.actions.githubusercontent.com:aud"] == "sts.amazonaws.com"
    assert trust["Statement"][1]["Condition"] == {"Bool": {"aws:MultiFactorAuthPresent": "true"}}


# Tags and names


def is_taggable(resource: Resource) -> bool:
    package, module_path, class_name = resource.type.split(":")
    if package != "aws" or resource.type == g.AUTOSCALING_GROUP:
        return False
    module = importlib.import_module(f"pulumi_aws.{module_path.split('/')[0]}")
    cls = getattr(module, class_name, None)
    return cls is not None and "tags" in inspect.signature(cls._internal_init).parameters


def test_every_taggable_resource_carries_layer_tags(prod: Report) -> None:
    graph = prod.graph
    taggable = [r for r in prod.deployable() if is_taggable(r)]
    assert len(taggable) > 60
    for resource in taggable:
        tags = graph.tags(resource)
        assert tags.get("pulumi:project") == "shop", resource.name
        assert tags.get("pulumi:stack") == "prod", resource.name
        assert tags.get("layer") in g.LAYERS, resource.name


def test_children_named_after_their_component(graph: Graph) -> None:
    for resource in graph.resources:
        parent = graph.by_urn.get(resource.parent or "")
        if parent is None or parent.type == "pulumi:pulumi:Stack" or parent.custom:
            continue
        assert resource.name.startswith(parent.name + "-"), (resource.name, parent.name)


def test_stack_outputs_documented(prod: Report) -> None:
    from components.outputs import STACK_OUTPUTS

    assert set(prod.outputs) == set(STACK_OUTPUTS)
