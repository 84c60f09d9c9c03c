"""Route 53 as deployed: the stack's hosted zones with every record set, and its health checks."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from ..graph import ROUTE53_HEALTH_CHECK, ROUTE53_RECORD, ROUTE53_ZONE, Resource
from .account import Account, paginate, tag_map

# ListTagsForResources accepts at most 10 ids per call.
_TAG_BATCH = 10
# Route 53 returns characters outside letters, digits, `-` and `_` as octal escapes, `*` as `\052`.
_OCTAL_ESCAPE = re.compile(r"\\(\d{3})")


def dns_name(name: str) -> str:
    """Return a Route 53 name as a program writes it: unescaped, without the trailing dot."""
    return _OCTAL_ESCAPE.sub(lambda match: chr(int(match.group(1), 8)), name).rstrip(".")


def _tags_by_id(route53: Any, resource_type: str, ids: list[str]) -> Iterator[tuple[str, dict[str, str]]]:
    for start in range(0, len(ids), _TAG_BATCH):
        batch = ids[start : start + _TAG_BATCH]
        response = route53.list_tags_for_resources(ResourceType=resource_type, ResourceIds=batch)
        for tag_set in response.get("ResourceTagSets") or ():
            yield tag_set["ResourceId"], tag_map(tag_set.get("Tags"))


def _record(account: Account, zone_id: str, record: dict[str, Any]) -> Resource:
    name = dns_name(record["Name"])
    record_type = record["Type"]
    record_id = f"{zone_id}_{name}_{record_type}"
    if record.get("SetIdentifier"):
        record_id += f"_{record['SetIdentifier']}"
    props: dict[str, Any] = {"zoneId": zone_id, "name": name, "type": record_type}
    if "TTL" in record:
        props["ttl"] = record["TTL"]
    if record.get("ResourceRecords"):
        props["records"] = [entry["Value"] for entry in record["ResourceRecords"]]
    alias = record.get("AliasTarget")
    if alias:
        props["aliases"] = [
            {
                "name": dns_name(alias["DNSName"]),
                "zoneId": alias.get("HostedZoneId"),
                "evaluateTargetHealth": bool(alias.get("EvaluateTargetHealth")),
            }
        ]
    if record.get("SetIdentifier"):
        props["setIdentifier"] = record["SetIdentifier"]
    if record.get("Failover"):
        props["failoverRoutingPolicies"] = [{"type": record["Failover"]}]
    if record.get("HealthCheckId"):
        props["healthCheckId"] = record["HealthCheckId"]
    return account.resource(ROUTE53_RECORD, record_id, f"{name} {record_type}", props)


def read_route53(account: Account) -> list[Resource]:
    """Read the stack's hosted zones with all their record sets, and the stack's health checks.

    Record sets carry no tags, so every record of a stack's zone belongs to the stack.
    """
    route53 = account.client("route53")
    found: list[Resource] = []

    zones = {zone["Id"].rsplit("/", 1)[-1]: zone for zone in paginate(route53, "list_hosted_zones", "HostedZones")}
    for zone_id, tags in _tags_by_id(route53, "hostedzone", sorted(zones)):
        if not account.owns(tags):
            continue
        zone = zones[zone_id]
        private = bool((zone.get("Config") or {}).get("PrivateZone"))
        details = route53.get_hosted_zone(Id=zone_id) if private else {}
        found.append(
            account.resource(
                ROUTE53_ZONE,
                zone_id,
                dns_name(zone["Name"]),
                {
                    "name": dns_name(zone["Name"]),
                    "comment": (zone.get("Config") or {}).get("Comment"),
                    "vpcs": [
                        {"vpcId": vpc.get("VPCId"), "vpcRegion": vpc.get("VPCRegion")}
                        for vpc in details.get("VPCs") or ()
                    ],
                    "tags": tags,
                },
                {"zoneId": zone_id, "arn": f"arn:{account.partition}:route53:::hostedzone/{zone_id}"},
            )
        )
        for record in paginate(route53, "list_resource_record_sets", "ResourceRecordSets", HostedZoneId=zone_id):
            found.append(_record(account, zone_id, record))

    checks = {check["Id"]: check for check in paginate(route53, "list_health_checks", "HealthChecks")}
    for check_id, tags in _tags_by_id(route53, "healthcheck", sorted(checks)):
        if not account.owns(tags):
            continue
        config = checks[check_id].get("HealthCheckConfig") or {}
        found.append(
            account.resource(
                ROUTE53_HEALTH_CHECK,
                check_id,
                tags.get("Name") or check_id,
                {
                    "type": config.get("Type"),
                    "fqdn": config.get("FullyQualifiedDomainName"),
                    "ipAddress": config.get("IPAddress"),
                    "port": config.get("Port"),
                    "resourcePath": config.get("ResourcePath"),
                    "requestInterval": config.get("RequestInterval"),
                    "failureThreshold": config.get("FailureThreshold"),
                    "tags": tags,
                },
                {"arn": f"arn:{account.partition}:route53:::healthcheck/{check_id}"},
            )
        )
    return found
