"""Private S3 buckets: the settings every bucket of the shop shares, in one place."""

from __future__ import annotations

import pulumi
import pulumi_aws as aws

ABORT_INCOMPLETE_UPLOAD_DAYS = 7


class PrivateBucket:
    """A bucket no one reaches directly: public access blocked, SSE-S3 encrypted and versioned.

    `object_ownership` is BucketOwnerEnforced, which turns ACLs off, unless a writer such as
    CloudFront's standard logging needs ACLs. Overwritten and deleted versions expire after
    `noncurrent_days`, current objects after `expire_days` when given, and incomplete uploads
    after a week.
    """

    def __init__(
        self,
        name: str,
        opts: pulumi.ResourceOptions,
        *,
        lifecycle_id: str,
        noncurrent_days: int,
        expire_days: int | None = None,
        object_ownership: str = "BucketOwnerEnforced",
    ) -> None:
        self.bucket = aws.s3.Bucket(name, force_destroy=False, opts=opts)
        aws.s3.BucketPublicAccessBlock(
            f"{name}-public-access-block",
            bucket=self.bucket.id,
            block_public_acls=True,
            block_public_policy=True,
            ignore_public_acls=True,
            restrict_public_buckets=True,
            opts=opts,
        )
        aws.s3.BucketOwnershipControls(
            f"{name}-ownership",
            bucket=self.bucket.id,
            rule={"object_ownership": object_ownership},
            opts=opts,
        )
        # Load balancer log delivery accepts SSE-S3 only, so every bucket uses it alike.
        aws.s3.BucketServerSideEncryptionConfiguration(
            f"{name}-encryption",
            bucket=self.bucket.id,
            rules=[{"apply_server_side_encryption_by_default": {"sse_algorithm": "AES256"}}],
            opts=opts,
        )
        self.versioning = aws.s3.BucketVersioning(
            f"{name}-versioning",
            bucket=self.bucket.id,
            versioning_configuration={"status": "Enabled"},
            opts=opts,
        )
        rule: aws.s3.BucketLifecycleConfigurationRuleArgsDict = {
            "id": lifecycle_id,
            "status": "Enabled",
            "filter": {},
            "noncurrent_version_expiration": {"noncurrent_days": noncurrent_days},
            "abort_incomplete_multipart_upload": {"days_after_initiation": ABORT_INCOMPLETE_UPLOAD_DAYS},
        }
        if expire_days is not None:
            rule["expiration"] = {"days": expire_days}
        aws.s3.BucketLifecycleConfiguration(
            f"{name}-lifecycle",
            bucket=self.bucket.id,
            rules=[rule],
            opts=pulumi.ResourceOptions.merge(opts, pulumi.ResourceOptions(depends_on=[self.versioning])),
        )
