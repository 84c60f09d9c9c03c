"""DNS rules: every public name on both Route 53 and Cloudflare, answering alike, with health checks.

Names are compared as FQDNs, lower case and without the trailing dot, built from the record's
name and its zone's name. A Route 53 alias is compared as the CNAME that Cloudflare publishes
for it, to the alias target's name.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from ..graph import CLOUDFLARE_RECORDS, CLOUDFLARE_ZONE, ROUTE53_RECORD, ROUTE53_ZONE, Graph, Resource, is_known
from . import Violation, rule

ROUTE53 = "Route 53"
CLOUDFLARE = "Cloudflare"
# Record types that each provider manages itself at a zone's apex. With multi-provider DNS,
# each provider lists the other's name servers beside its own, so the sets always differ.
_APEX_OWN_TYPES = ("NS", "SOA")


def normalize(name: str) -> str:
    return name.strip().rstrip(".").lower()


def fqdn(name: str, zone: str) -> str:
    """Return a record's FQDN: names already inside the zone stay, others get the zone appended."""
    name, zone = normalize(name), normalize(zone)
    if name in ("", "@"):
        return zone
    if name == zone or name.endswith("." + zone):
        return name
    return f"{name}.{zone}"


@dataclass(frozen=True)
class PublishedRecord:
    """A record of a public zone: its FQDN, or None when unknown, and the answers it returns."""

    resource: Resource
    provider: str
    name: str | None
    # (type, value) pairs as resolvers see them, or None when a value is unknown.
    answers: frozenset[tuple[str, str]] | None
    proxied: bool = False
    # Route 53 returns a failover SECONDARY only while the PRIMARY is unhealthy.
    standby: bool = False


def _zone_name(
    graph: Graph, record: Resource, zone_type: str, name_keys: tuple[str, ...]
) -> tuple[Resource | None, str | None]:
    zones = graph.resolve(record, "zoneId", zone_type)
    # NOTE: a zone the program does not create, named by an id from configuration or found with
    # get_zone, has no known name. Its records then have no FQDN, and dns-single-provider reports
    # no name as missing from that provider.
    if not zones or len(zones) != 1:
        return None, None
    zone = zones[0]
    for key in name_keys:
        value = zone.get(key)
        if isinstance(value, str) and value and is_known(value):
            return zone, value
    return zone, None


def _record_name(record: Resource, zone_name: str | None) -> str | None:
    name = record.props.get("name")
    if zone_name is None or not isinstance(name, str) or not is_known(name):
        return None
    return fqdn(name, zone_name)


def _is_apex_own(record: Resource, name: str | None, zone_name: str | None) -> bool:
    record_type = record.props.get("type")
    return (
        name is not None
        and zone_name is not None
        and name == normalize(zone_name)
        and isinstance(record_type, str)
        and record_type.upper() in _APEX_OWN_TYPES
    )


def _route53_answers(record: Resource) -> frozenset[tuple[str, str]] | None:
    answers: set[tuple[str, str]] = set()
    record_type = record.props.get("type")
    aliases = record.props.get("aliases")
    if not is_known(aliases) or not is_known(record_type):
        return None
    if aliases:
        for alias in aliases:
            target = alias.get("name") if isinstance(alias, Mapping) else alias
            if not isinstance(target, str) or not is_known(target):
                return None
            answers.add(("CNAME", normalize(target)))
        return frozenset(answers)
    values = record.props.get("records")
    if not isinstance(values, list):
        return None if not is_known(values) else frozenset()
    for value in values:
        if not isinstance(value, str) or not is_known(value):
            return None
        answers.add((str(record_type).upper(), _normalize_value(str(record_type), value)))
    return frozenset(answers)


def _normalize_value(record_type: str, value: str) -> str:
    value = normalize(value)
    if record_type.upper() == "TXT" and len(value) >= 2 and value[0] == value[-1] == '"':
        value = value[1:-1]
    return value


def _cloudflare_answers(record: Resource) -> frozenset[tuple[str, str]] | None:
    record_type = record.props.get("type")
    content = record.props.get("content", record.props.get("value"))
    if (
        not isinstance(record_type, str)
        or not isinstance(content, str)
        or not is_known(record_type)
        or not is_known(content)
    ):
        return None
    value = _normalize_value(record_type, content)
    priority = record.props.get("priority")
    if record_type.upper() == "MX":
        if not isinstance(priority, (int, float)):
            return None
        value = f"{int(priority)} {value}"
    return frozenset({(record_type.upper(), value)})


def published_records(graph: Graph) -> list[PublishedRecord]:
    """Return the records of public zones on both providers. A name or an answer may be unknown."""
    records: list[PublishedRecord] = []
    for record in graph.of_type(ROUTE53_RECORD):
        zone, zone_name = _zone_name(graph, record, ROUTE53_ZONE, ("name",))
        if zone is not None:
            vpcs = zone.props.get("vpcs")
            if not is_known(vpcs):
                zone_name = None
            elif vpcs:
                continue  # A private hosted zone answers only inside its VPCs.
        name = _record_name(record, zone_name)
        if _is_apex_own(record, name, zone_name):
            continue
        policies = record.props.get("failoverRoutingPolicies") or ()
        standby = any(
            isinstance(policy, Mapping) and str(policy.get("type")).upper() == "SECONDARY" for policy in policies
        )
        records.append(PublishedRecord(record, ROUTE53, name, _route53_answers(record), standby=standby))
    for record in graph.of_type(*CLOUDFLARE_RECORDS):
        # Cloudflare v5 and later call a zone's domain `name`, and earlier versions `zone`.
        _, zone_name = _zone_name(graph, record, CLOUDFLARE_ZONE, ("name", "zone"))
        name = _record_name(record, zone_name)
        if _is_apex_own(record, name, zone_name):
            continue
        proxied = record.props.get("proxied")
        records.append(PublishedRecord(record, CLOUDFLARE, name, _cloudflare_answers(record), proxied=proxied is True))
    return records


def _is_service_name(name: str) -> bool:
    """Return whether a name is a validation or service record, such as `_acme-challenge.shop.com`."""
    return name.startswith("_")


def _by_name(records: Iterable[PublishedRecord]) -> dict[str, dict[str, list[PublishedRecord]]]:
    names: dict[str, dict[str, list[PublishedRecord]]] = {}
    for record in records:
        if record.name is not None:
            names.setdefault(record.name, {}).setdefault(record.provider, []).append(record)
    return names


@rule(
    "dns-single-provider",
    "dns",
    "Checks whether each public name is published on both Route 53 and Cloudflare, so that either "
    "provider can answer alone.",
)
def dns_single_provider(graph: Graph) -> Iterable[Violation]:
    records = published_records(graph)
    # A record whose name is unknown could be the missing one on its provider.
    uncertain = {record.provider for record in records if record.name is None}
    for name, providers in sorted(_by_name(records).items()):
        if _is_service_name(name) or len(providers) == 2:
            continue
        provider, found = next(iter(providers.items()))
        missing = CLOUDFLARE if provider == ROUTE53 else ROUTE53
        if missing in uncertain:
            continue
        yield Violation(
            found[0].resource,
            f"Name {name} must be published on both Route 53 and Cloudflare (found only on {provider}, "
            f"in record {found[0].resource.name})",
        )


def _describe_answers(records: list[PublishedRecord]) -> str:
    answers = sorted(set().union(*(record.answers or () for record in records)))
    shown = "; ".join(f"{record_type} {value}" for record_type, value in answers) or "no records"
    if any(record.proxied for record in records):
        shown += ", proxied"
    return shown


@rule(
    "dns-providers-differ",
    "dns",
    "Checks whether each name published on both Route 53 and Cloudflare has the same record type and target on both.",
)
def dns_providers_differ(graph: Graph) -> Iterable[Violation]:
    for name, providers in sorted(_by_name(published_records(graph)).items()):
        if len(providers) != 2:
            continue
        route53 = [record for record in providers[ROUTE53] if not record.standby]
        cloudflare = providers[CLOUDFLARE]
        if not route53 or any(record.answers is None for record in [*route53, *cloudflare]):
            continue
        route53_answers = set().union(*(record.answers or () for record in route53))
        cloudflare_answers = set().union(*(record.answers or () for record in cloudflare))
        # A proxied record answers with Cloudflare's own addresses, which Route 53 cannot mirror.
        if route53_answers == cloudflare_answers and not any(record.proxied for record in cloudflare):
            continue
        yield Violation(
            cloudflare[0].resource,
            f"Name {name} must have the same records on Route 53 and Cloudflare "
            f"(Route 53: {_describe_answers(route53)}; Cloudflare: {_describe_answers(cloudflare)})",
        )


@rule(
    "dns-failover-no-health-check",
    "dns",
    "Checks whether each Route 53 failover PRIMARY record has a health check, without which Route 53 never fails over.",
)
def dns_failover_no_health_check(graph: Graph) -> Iterable[Violation]:
    for record in graph.of_type(ROUTE53_RECORD):
        policies = record.props.get("failoverRoutingPolicies")
        if not isinstance(policies, list):
            continue
        primary = any(isinstance(policy, Mapping) and policy.get("type") == "PRIMARY" for policy in policies)
        if not primary or record.props.get("healthCheckId"):
            continue
        aliases = record.props.get("aliases")
        if not is_known(aliases):
            continue
        evaluations = [alias.get("evaluateTargetHealth") for alias in aliases or () if isinstance(alias, Mapping)]
        if any(value is True or not is_known(value) for value in evaluations):
            continue
        yield Violation(
            record,
            f"Route 53 record {record.name} is a failover PRIMARY and must have a health check "
            f"(healthCheckId is not set{' and its alias does not evaluate target health' if evaluations else ''})",
        )
