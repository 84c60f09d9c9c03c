"""Storage rules: versioned S3 buckets and replicas, and CloudFront origin failover on valid codes."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from ..graph import BUCKET_REPLICATION, BUCKET_VERSIONINGS, BUCKETS, DISTRIBUTION, Graph, Resource, is_known
from . import Violation, rule

# The status codes CloudFront accepts in an origin group's failover criteria.
FAILOVER_STATUS_CODES = (400, 403, 404, 416, 500, 502, 503, 504)


@dataclass
class Versioning:
    """The versioning of every bucket: URNs enabled, unknown, and the statuses seen otherwise."""

    enabled: set[str] = field(default_factory=set)
    unknown: set[str] = field(default_factory=set)
    statuses: dict[str, str] = field(default_factory=dict)
    # A versioning resource whose bucket cannot be followed could enable any bucket.
    unplaced: bool = False

    def state(self, bucket: Resource) -> bool | None:
        """Return True if versioning is enabled, False if not, None when that is unknown."""
        if bucket.urn in self.enabled:
            return True
        if bucket.urn in self.unknown or self.unplaced:
            return None
        return False

    def found(self, bucket: Resource) -> str:
        status = self.statuses.get(bucket.urn)
        return f"versioning status is {status}" if status else "no versioning configuration enables it"


def _inline_enabled(bucket: Resource) -> bool | None:
    """Read the deprecated inline `versioning` (Bucket) or `versionings` (BucketV2) block."""
    blocks: list[Any] = []
    for key in ("versioning", "versionings"):
        value = bucket.props.get(key)
        if not is_known(value):
            return None
        if isinstance(value, list):
            blocks.extend(value)
        elif value is not None:
            blocks.append(value)
    for block in blocks:
        if isinstance(block, Mapping):
            if not is_known(block.get("enabled")):
                return None
            if block.get("enabled") is True:
                return True
    return False


def bucket_versioning(graph: Graph) -> Versioning:
    versioning = Versioning()
    for bucket in graph.of_type(*BUCKETS):
        inline = _inline_enabled(bucket)
        if inline is True:
            versioning.enabled.add(bucket.urn)
        elif inline is None:
            versioning.unknown.add(bucket.urn)

    for resource in graph.of_type(*BUCKET_VERSIONINGS):
        buckets = graph.resolve(resource, "bucket", *BUCKETS)
        if buckets is None:
            # A bucket named by a known value outside the graph is another stack's concern.
            if not is_known(resource.props.get("bucket")):
                versioning.unplaced = True
            continue
        configuration = resource.props.get("versioningConfiguration")
        status = configuration.get("status") if isinstance(configuration, Mapping) else configuration
        for bucket in buckets:
            if status == "Enabled":
                versioning.enabled.add(bucket.urn)
            elif not is_known(status):
                versioning.unknown.add(bucket.urn)
            elif isinstance(status, str):
                versioning.statuses[bucket.urn] = status
    return versioning


def _replication_rules(holder: Resource) -> Iterator[tuple[str, list[Any]]]:
    """Yield (dependency key, destination bucket ARNs) for the replication rules a resource holds."""
    if holder.type == BUCKET_REPLICATION:
        rules = holder.props.get("rules")
        destinations: list[Any] = []
        for rule_ in rules if isinstance(rules, list) else [rules]:
            destination = rule_.get("destination") if isinstance(rule_, Mapping) else rule_
            destinations.append(destination.get("bucket") if isinstance(destination, Mapping) else destination)
        yield "rules", destinations
        return
    # The deprecated inline forms: `replicationConfiguration` (Bucket), `replicationConfigurations`
    # (BucketV2), whose rules hold `destination` or a list of `destinations`.
    for key in ("replicationConfiguration", "replicationConfigurations"):
        value = holder.props.get(key)
        if value is None:
            continue
        destinations = []
        for configuration in value if isinstance(value, list) else [value]:
            if not isinstance(configuration, Mapping):
                destinations.append(configuration)
                continue
            for rule_ in configuration.get("rules") or ():
                if not isinstance(rule_, Mapping):
                    destinations.append(rule_)
                    continue
                for destination in [rule_.get("destination"), *(rule_.get("destinations") or ())]:
                    if isinstance(destination, Mapping):
                        destinations.append(destination.get("bucket"))
        yield key, destinations


def replication_destinations(graph: Graph) -> dict[str, tuple[Resource, Resource]] | None:
    """Return each replica bucket by URN with the resource that replicates to it, None if unknown."""
    destinations: dict[str, tuple[Resource, Resource]] = {}
    for holder in graph.of_type(BUCKET_REPLICATION, *BUCKETS):
        for key, values in _replication_rules(holder):
            if not values:
                continue
            buckets = graph.resolve(holder, key, *BUCKETS, values=values)
            if buckets is None:
                if not all(isinstance(value, str) and is_known(value) for value in values):
                    return None
                continue  # Replicas in another stack or account are checked there.
            for bucket in buckets:
                destinations.setdefault(bucket.urn, (bucket, holder))
    return destinations


@rule(
    "s3-bucket-unversioned",
    "storage",
    "Checks whether each S3 bucket has versioning enabled, so that an overwritten or deleted object can be restored.",
    security_hub="S3.14",
    checkov="CKV_AWS_21",
)
def s3_bucket_unversioned(graph: Graph) -> Iterable[Violation]:
    versioning = bucket_versioning(graph)
    for bucket in graph.of_type(*BUCKETS):
        # A replica bucket is reported here too, so that disabling s3-replica-unversioned in
        # the policy pack's configuration leaves no unversioned bucket unreported.
        if versioning.state(bucket) is not False:
            continue
        yield Violation(
            bucket,
            f"S3 bucket {bucket.name} must have versioning enabled ({versioning.found(bucket)})",
        )


@rule(
    "s3-replica-unversioned",
    "storage",
    "Checks whether each bucket that S3 replication writes to has versioning enabled, which S3 "
    "requires of a replication destination.",
)
def s3_replica_unversioned(graph: Graph) -> Iterable[Violation]:
    versioning = bucket_versioning(graph)
    for bucket, holder in (replication_destinations(graph) or {}).values():
        if versioning.state(bucket) is not False:
            continue
        yield Violation(
            bucket,
            f"S3 bucket {bucket.name} receives replicas from {holder.name} and must have versioning enabled "
            f"({versioning.found(bucket)})",
        )


def _status_code(value: Any) -> int | None:
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return int(number) if number.is_integer() else None


@rule(
    "cloudfront-invalid-failover-codes",
    "storage",
    "Checks whether each CloudFront origin group fails over only on status codes CloudFront accepts.",
)
def cloudfront_invalid_failover_codes(graph: Graph) -> Iterable[Violation]:
    allowed = ", ".join(str(code) for code in FAILOVER_STATUS_CODES)
    for distribution in graph.of_type(DISTRIBUTION):
        for group in distribution.props.get("originGroups") or ():
            if not isinstance(group, Mapping):
                continue
            criteria = group.get("failoverCriteria")
            codes = criteria.get("statusCodes") if isinstance(criteria, Mapping) else None
            if not isinstance(codes, list):
                continue
            invalid = [code for code in codes if is_known(code) and _status_code(code) not in FAILOVER_STATUS_CODES]
            if not invalid:
                continue
            shown = ", ".join(str(_status_code(code) or code) for code in invalid)
            yield Violation(
                distribution,
                f"Origin group {group.get('originId')} of CloudFront distribution {distribution.name} must fail "
                f"over only on status codes CloudFront accepts, which are {allowed} (found {shown})",
            )
