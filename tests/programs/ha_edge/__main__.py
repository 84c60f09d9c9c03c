"""The shop's edge: product images in a versioned bucket replicated to a second region, served by
CloudFront with origin failover, the shop's names on both Route 53 and Cloudflare, two payment
providers and two administrators."""

import json

import pulumi
import pulumi_aws as aws
import pulumi_cloudflare as cloudflare

domain = "shop.example.com"
replica_region = aws.Provider("replica-region", region="us-west-2")

images = aws.s3.Bucket("images")
aws.s3.BucketVersioning(
    "images",
    bucket=images.id,
    versioning_configuration=aws.s3.BucketVersioningVersioningConfigurationArgs(status="Enabled"),
)
replica = aws.s3.Bucket("images-replica", opts=pulumi.ResourceOptions(provider=replica_region))
replica_versioning = aws.s3.BucketVersioning(
    "images-replica",
    bucket=replica.id,
    versioning_configuration={"status": "Enabled"},
    opts=pulumi.ResourceOptions(provider=replica_region),
)

replication_role = aws.iam.Role(
    "images-replication",
    assume_role_policy=json.dumps(
        {
            "Version": "2012-10-17",
            "Statement": [
                {"Effect": "Allow", "Principal": {"Service": "s3.amazonaws.com"}, "Action": "sts:AssumeRole"}
            ],
        }
    ),
)
aws.s3.BucketReplicationConfig(
    "images",
    bucket=images.id,
    role=replication_role.arn,
    rules=[
        aws.s3.BucketReplicationConfigRuleArgs(
            id="all",
            status="Enabled",
            destination=aws.s3.BucketReplicationConfigRuleDestinationArgs(bucket=replica.arn, storage_class="STANDARD"),
        )
    ],
    opts=pulumi.ResourceOptions(depends_on=[replica_versioning]),
)

oac = aws.cloudfront.OriginAccessControl(
    "images", origin_access_control_origin_type="s3", signing_behavior="always", signing_protocol="sigv4"
)
cdn = aws.cloudfront.Distribution(
    "images",
    enabled=True,
    origins=[
        {"origin_id": "primary", "domain_name": images.bucket_regional_domain_name, "origin_access_control_id": oac.id},
        {
            "origin_id": "replica",
            "domain_name": replica.bucket_regional_domain_name,
            "origin_access_control_id": oac.id,
        },
    ],
    origin_groups=[
        {
            "origin_id": "images",
            "failover_criteria": {"status_codes": [500, 502, 503, 504]},
            "members": [{"origin_id": "primary"}, {"origin_id": "replica"}],
        }
    ],
    default_cache_behavior={
        "target_origin_id": "images",
        "viewer_protocol_policy": "redirect-to-https",
        "allowed_methods": ["GET", "HEAD"],
        "cached_methods": ["GET", "HEAD"],
        "cache_policy_id": "658327ea-f89d-4fab-a63d-7e88639e58f6",
    },
    restrictions={"geo_restriction": {"restriction_type": "none"}},
    viewer_certificate={"cloudfront_default_certificate": True},
)

zone = aws.route53.Zone("shop", name=domain)
cf_zone = cloudflare.Zone("shop", name=domain, account={"id": "0123456789abcdef0123456789abcdef"})

aws.route53.Record(
    "images",
    zone_id=zone.zone_id,
    name=f"images.{domain}",
    type="A",
    aliases=[{"name": cdn.domain_name, "zone_id": cdn.hosted_zone_id, "evaluate_target_health": False}],
)
cloudflare.DnsRecord(
    "images", zone_id=cf_zone.id, name="images", type="CNAME", ttl=60, proxied=False, content=cdn.domain_name
)

health = aws.route53.HealthCheck(
    "www",
    fqdn=cdn.domain_name,
    port=443,
    type="HTTPS",
    resource_path="/health",
    failure_threshold=3,
    request_interval=10,
)
aws.route53.Record(
    "www-primary",
    zone_id=zone.zone_id,
    name="www",
    type="CNAME",
    ttl=60,
    set_identifier="primary",
    health_check_id=health.id,
    failover_routing_policies=[{"type": "PRIMARY"}],
    records=[cdn.domain_name],
)
aws.route53.Record(
    "www-secondary",
    zone_id=zone.zone_id,
    name="www",
    type="CNAME",
    ttl=60,
    set_identifier="secondary",
    failover_routing_policies=[{"type": "SECONDARY"}],
    records=[replica.bucket_regional_domain_name],
)
cloudflare.DnsRecord(
    "www", zone_id=cf_zone.id, name=f"www.{domain}", type="CNAME", ttl=60, proxied=False, content=cdn.domain_name
)

for provider in ("stripe", "adyen"):
    aws.secretsmanager.Secret(
        f"payments-{provider}", name=f"shop/payments/{provider}", tags={"payment-provider": provider}
    )

admins = aws.iam.Group("administrators", name="administrators")
aws.iam.GroupPolicyAttachment(
    "administrators", group=admins.name, policy_arn="arn:aws:iam::aws:policy/AdministratorAccess"
)
users = [aws.iam.User(name, name=name) for name in ("alice", "bob")]
aws.iam.GroupMembership("administrators", group=admins.name, users=[user.name for user in users])

pulumi.export("images_url", pulumi.Output.concat("https://images.", domain))
