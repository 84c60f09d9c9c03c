"""S3 buckets with their versioning and replication, and CloudFront distributions with origin groups."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from botocore.exceptions import ClientError

from ..graph import BUCKET_REPLICATION, BUCKET_VERSIONINGS, BUCKETS, DISTRIBUTION, Resource
from .account import Account, failure_reason, tag_map

# CloudFront is global, and its resources are listed by the Resource Groups Tagging API in us-east-1.
CLOUDFRONT_REGION = "us-east-1"


def _bucket_name(arn: str) -> str:
    return arn.rsplit(":", 1)[-1]


def _bucket_resources(account: Account, s3: Any, name: str, tags: dict[str, str]) -> list[Resource]:
    """Return a bucket, its versioning and its enabled replication rules as Pulumi resources."""
    arn = f"arn:{account.partition}:s3:::{name}"
    found = [account.resource(BUCKETS[0], name, name, {"bucket": name, "tags": tags}, {"arn": arn})]

    status = s3.get_bucket_versioning(Bucket=name).get("Status")
    # A bucket whose versioning was never enabled has no status, as a program without a
    # BucketVersioning resource has none.
    if status:
        found.append(
            account.resource(
                BUCKET_VERSIONINGS[0],
                name,
                f"{name}-versioning",
                {"bucket": name, "versioningConfiguration": {"status": status}},
            )
        )

    try:
        configuration = s3.get_bucket_replication(Bucket=name).get("ReplicationConfiguration") or {}
    except ClientError as error:
        if error.response.get("Error", {}).get("Code") != "ReplicationConfigurationNotFoundError":
            raise
        configuration = {}
    rules = [
        {
            "id": rule.get("ID"),
            "status": rule.get("Status"),
            "destination": {"bucket": (rule.get("Destination") or {}).get("Bucket")},
        }
        for rule in configuration.get("Rules") or ()
        if rule.get("Status") == "Enabled"
    ]
    if rules:
        found.append(
            account.resource(
                BUCKET_REPLICATION,
                name,
                f"{name}-replication",
                {"bucket": name, "role": configuration.get("Role"), "rules": rules},
            )
        )
    return found


def _bucket_tags(s3: Any, name: str) -> dict[str, str]:
    try:
        return tag_map(s3.get_bucket_tagging(Bucket=name).get("TagSet"))
    except ClientError as error:
        if error.response.get("Error", {}).get("Code") == "NoSuchTagSet":
            return {}
        raise


def read_buckets(account: Account, regions: Iterable[str]) -> list[Resource]:
    """Read the stack's buckets in `regions`, and every bucket they replicate to, wherever it is.

    NOTE: the Resource Groups Tagging API lists a bucket only in the bucket's own region, so a
    stack bucket in a region outside `regions` is not found unless a stack bucket replicates to it.
    """
    s3 = account.client("s3")
    found: list[Resource] = []
    read: set[str] = set()
    for arn, tags in sorted(account.tagged_arns(":s3:::", regions).items()):
        name = _bucket_name(arn)
        read.add(name)
        found.extend(_bucket_resources(account, s3, name, tags))

    destinations = {
        _bucket_name(str(rule["destination"]["bucket"]))
        for resource in found
        if resource.type == BUCKET_REPLICATION
        for rule in resource.props["rules"]
        if rule["destination"]["bucket"]
    }
    for name in sorted(destinations - read):
        # A replica may belong to another stack or account; the rules still need its versioning.
        try:
            found.extend(_bucket_resources(account, s3, name, _bucket_tags(s3, name)))
        except ClientError as error:
            account.notes.append(
                f"Replica bucket {name} could not be read ({failure_reason(error)}); its versioning was not checked."
            )
    return found


def _items(container: dict[str, Any] | None) -> list[Any]:
    """Return the `Items` of CloudFront's `{Quantity, Items}` lists, which omit Items when empty."""
    return list((container or {}).get("Items") or ())


def read_distributions(account: Account) -> list[Resource]:
    """Read the stack's CloudFront distributions with their origins and origin groups."""
    cloudfront = account.client("cloudfront", CLOUDFRONT_REGION)
    found = []
    for page in cloudfront.get_paginator("list_distributions").paginate():
        for distribution in (page.get("DistributionList") or {}).get("Items") or ():
            tags = account.stack_tags(distribution["ARN"], CLOUDFRONT_REGION)
            if tags is None:
                continue
            origin_groups = [
                {
                    "originId": group.get("Id"),
                    "failoverCriteria": {
                        "statusCodes": _items((group.get("FailoverCriteria") or {}).get("StatusCodes"))
                    },
                    "members": [{"originId": member.get("OriginId")} for member in _items(group.get("Members"))],
                }
                for group in _items(distribution.get("OriginGroups"))
            ]
            found.append(
                account.resource(
                    DISTRIBUTION,
                    distribution["Id"],
                    distribution["Id"],
                    {
                        "enabled": distribution.get("Enabled"),
                        "aliases": _items(distribution.get("Aliases")),
                        "origins": [
                            {"originId": origin.get("Id"), "domainName": origin.get("DomainName")}
                            for origin in _items(distribution.get("Origins"))
                        ],
                        "originGroups": origin_groups,
                        "defaultCacheBehavior": {
                            "targetOriginId": (distribution.get("DefaultCacheBehavior") or {}).get("TargetOriginId"),
                        },
                        "tags": tags,
                    },
                    {"arn": distribution["ARN"], "domainName": distribution.get("DomainName")},
                )
            )
    return found
