"""Product images: a versioned S3 bucket, its replica in a second region, and CloudFront in front."""

from __future__ import annotations

import json

import pulumi
import pulumi_aws as aws

from .buckets import PrivateBucket
from .config import StorageConfig
from .dns import DnsZones, validated_certificate
from .iam import service_trust_policy
from .naming import child_name

# AWS managed cache policy "CachingOptimized".
CACHING_OPTIMIZED_POLICY_ID = "658327ea-f89d-4fab-a63d-7e88639e58f6"
# Server errors of the primary bucket that send CloudFront to the replica. Client errors such as
# 404 are left out: a missing image is missing in the replica too.
FAILOVER_STATUS_CODES = [500, 502, 503, 504]
PRIMARY_ORIGIN = "images-primary"
REPLICA_ORIGIN = "images-replica"
ORIGIN_GROUP = "images"


class ImageStorage(pulumi.ComponentResource):
    """Images in S3, replicated to `storage.replicaRegion`, served by CloudFront over HTTPS only.

    CloudFront reads both buckets through origin access control, so neither bucket is public. An
    origin group sends GET, HEAD and OPTIONS requests to the replica when the primary returns
    a 5xx error, after CloudFront's default of three connection attempts.
    """

    def __init__(
        self,
        name: str,
        config: StorageConfig,
        *,
        domain: str,
        zones: DnsZones,
        replica_provider: pulumi.ProviderResource,
        certificate_provider: pulumi.ProviderResource,
        log_bucket_domain_name: pulumi.Input[str] | None = None,
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        super().__init__("shop:storage:ImageStorage", name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        # Overwritten and deleted images stay restorable for a while, then stop costing storage.
        primary = PrivateBucket(
            child_name(name, "images"),
            child,
            lifecycle_id="expire-old-versions",
            noncurrent_days=config.noncurrent_version_days,
        )
        replica = PrivateBucket(
            child_name(name, "images-replica"),
            pulumi.ResourceOptions(parent=self, provider=replica_provider),
            lifecycle_id="expire-old-versions",
            noncurrent_days=config.noncurrent_version_days,
        )
        self.bucket = primary.bucket
        self.replica_bucket = replica.bucket
        self._replicate(name, primary, replica)

        access_control = aws.cloudfront.OriginAccessControl(
            child_name(name, "oac"),
            description="CloudFront reads the image buckets with signed requests",
            origin_access_control_origin_type="s3",
            signing_behavior="always",
            signing_protocol="sigv4",
            opts=child,
        )
        images_domain = f"images.{domain}"
        # CloudFront accepts certificates from us-east-1 only, whatever the stack's region.
        certificate_arn = validated_certificate(
            child_name(name, "cdn"), [images_domain], zones, parent=self, provider=certificate_provider
        )
        self.distribution = aws.cloudfront.Distribution(
            child_name(name, "cdn"),
            enabled=True,
            is_ipv6_enabled=True,
            http_version="http2and3",
            comment=f"Images of {domain}",
            aliases=[images_domain],
            price_class=config.price_class,
            origins=[
                {
                    "origin_id": origin_id,
                    "domain_name": bucket.bucket_regional_domain_name,
                    "origin_access_control_id": access_control.id,
                }
                for origin_id, bucket in ((PRIMARY_ORIGIN, primary.bucket), (REPLICA_ORIGIN, replica.bucket))
            ],
            origin_groups=[
                {
                    "origin_id": ORIGIN_GROUP,
                    "failover_criteria": {"status_codes": FAILOVER_STATUS_CODES},
                    "members": [{"origin_id": PRIMARY_ORIGIN}, {"origin_id": REPLICA_ORIGIN}],
                }
            ],
            default_cache_behavior={
                "target_origin_id": ORIGIN_GROUP,
                "viewer_protocol_policy": "redirect-to-https",
                # Origin groups fail over only for these methods, so no other is allowed.
                "allowed_methods": ["GET", "HEAD", "OPTIONS"],
                "cached_methods": ["GET", "HEAD"],
                "cache_policy_id": CACHING_OPTIMIZED_POLICY_ID,
                "compress": True,
            },
            restrictions={"geo_restriction": {"restriction_type": "none"}},
            viewer_certificate={
                "acm_certificate_arn": certificate_arn,
                "ssl_support_method": "sni-only",
                "minimum_protocol_version": "TLSv1.2_2021",
            },
            logging_config={"bucket": log_bucket_domain_name, "prefix": "cloudfront/"}
            if log_bucket_domain_name is not None
            else None,
            opts=child,
        )
        for role, bucket, provider in (
            ("images", primary.bucket, None),
            ("images-replica", replica.bucket, replica_provider),
        ):
            aws.s3.BucketPolicy(
                child_name(name, f"{role}-policy"),
                bucket=bucket.id,
                policy=pulumi.Output.all(bucket.arn, self.distribution.arn).apply(
                    lambda arns: json.dumps(_cloudfront_read_policy(arns[0], arns[1]))
                ),
                opts=pulumi.ResourceOptions(parent=self, provider=provider),
            )
        self.register_outputs(
            {
                "bucket": primary.bucket.bucket,
                "replicaBucket": replica.bucket.bucket,
                "cdnDomainName": self.distribution.domain_name,
            }
        )

    def _replicate(self, name: str, primary: PrivateBucket, replica: PrivateBucket) -> None:
        child = pulumi.ResourceOptions(parent=self)
        role = aws.iam.Role(
            child_name(name, "replication-role"),
            description="S3 replication of the image bucket to its replica",
            assume_role_policy=service_trust_policy("s3.amazonaws.com"),
            opts=child,
        )
        aws.iam.RolePolicy(
            child_name(name, "replication-policy"),
            role=role.id,
            policy=pulumi.Output.all(primary.bucket.arn, replica.bucket.arn).apply(
                lambda arns: json.dumps(_replication_policy(arns[0], arns[1]))
            ),
            opts=child,
        )
        # Both sides must be versioned before S3 accepts a replication configuration.
        aws.s3.BucketReplicationConfig(
            child_name(name, "replication"),
            role=role.arn,
            bucket=primary.bucket.id,
            rules=[
                {
                    "id": "images-to-replica",
                    "status": "Enabled",
                    "filter": {},
                    "delete_marker_replication": {"status": "Enabled"},
                    "destination": {"bucket": replica.bucket.arn, "storage_class": "STANDARD"},
                }
            ],
            opts=pulumi.ResourceOptions(parent=self, depends_on=[primary.versioning, replica.versioning]),
        )


def _cloudfront_read_policy(bucket_arn: str, distribution_arn: str) -> dict:
    return {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Sid": "CloudFrontReadsImages",
                "Effect": "Allow",
                "Principal": {"Service": "cloudfront.amazonaws.com"},
                "Action": "s3:GetObject",
                "Resource": f"{bucket_arn}/*",
                "Condition": {"StringEquals": {"AWS:SourceArn": distribution_arn}},
            }
        ],
    }


def _replication_policy(source_arn: str, destination_arn: str) -> dict:
    return {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Action": ["s3:GetReplicationConfiguration", "s3:ListBucket"],
                "Resource": source_arn,
            },
            {
                "Effect": "Allow",
                "Action": ["s3:GetObjectVersionForReplication", "s3:GetObjectVersionAcl", "s3:GetObjectVersionTagging"],
                "Resource": f"{source_arn}/*",
            },
            {
                "Effect": "Allow",
                "Action": ["s3:ReplicateObject", "s3:ReplicateDelete", "s3:ReplicateTags"],
                "Resource": f"{destination_arn}/*",
            },
        ],
    }
