"""The Cloudflare zone as deployed, read with the official `cloudflare` SDK.

Its records join the graph as `cloudflare:index/dnsRecord:DnsRecord` resources, so that the DNS
rules compare them with the Route 53 records exactly as they do for a program.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from ..graph import CLOUDFLARE_RECORDS, CLOUDFLARE_ZONE, Resource
from .account import LiveAccessError, live_urn

DEFAULT_BASE_URL = "https://api.cloudflare.com/client/v4"
# As for AWS, an unreachable API is reported within seconds, after one retry.
CONNECT_TIMEOUT_SECONDS = 3
READ_TIMEOUT_SECONDS = 20
MAX_RETRIES = 1


@dataclass
class CloudflareZones:
    """The Cloudflare zones found with their records, and the zone names not found."""

    resources: list[Resource] = field(default_factory=list)
    zones: list[str] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)


def _resource(stack: str, type_: str, resource_id: str, name: str, props: dict[str, Any]) -> Resource:
    return Resource(urn=live_urn(stack, type_, resource_id), type=type_, name=name, props=props, id=resource_id)


def read_cloudflare(stack: str, token: str, zone_names: Iterable[str], base_url: str | None = None) -> CloudflareZones:
    """Read each named zone and all its DNS records; raise LiveAccessError when the API cannot be used.

    `base_url` defaults to the SDK's: CLOUDFLARE_BASE_URL, else the public API.
    """
    try:
        import cloudflare
        import httpx
    except ImportError:
        raise LiveAccessError(
            "the cloudflare package is not installed: run `make` or "
            "`venv/bin/pip install -r requirements-dev.txt`, or drop the token to skip the Cloudflare comparison"
        ) from None

    client = cloudflare.Cloudflare(
        api_token=token,
        base_url=base_url,
        max_retries=MAX_RETRIES,
        timeout=httpx.Timeout(READ_TIMEOUT_SECONDS, connect=CONNECT_TIMEOUT_SECONDS),
    )
    shown_url = str(client.base_url).rstrip("/")
    read = CloudflareZones()
    try:
        for zone_name in sorted(set(zone_names)):
            zone = next(iter(client.zones.list(name=zone_name)), None)
            if zone is None:
                read.missing.append(zone_name)
                continue
            read.zones.append(zone.name)
            read.resources.append(
                _resource(
                    stack,
                    CLOUDFLARE_ZONE,
                    zone.id,
                    zone.name,
                    {
                        "name": zone.name,
                        "type": zone.type,
                        "account": {"id": zone.account.id if zone.account else None},
                    },
                )
            )
            for record in client.dns.records.list(zone_id=zone.id):
                props: dict[str, Any] = {
                    "zoneId": zone.id,
                    "name": record.name,
                    "type": record.type,
                    "content": getattr(record, "content", None),
                    "ttl": getattr(record, "ttl", None),
                    "proxied": getattr(record, "proxied", False),
                }
                priority = getattr(record, "priority", None)
                if priority is not None:
                    props["priority"] = priority
                read.resources.append(
                    _resource(
                        stack,
                        CLOUDFLARE_RECORDS[0],
                        record.id,
                        f"{record.name} {record.type}",
                        props,
                    )
                )
    except (cloudflare.AuthenticationError, cloudflare.PermissionDeniedError) as error:
        raise LiveAccessError(
            f"Cloudflare rejected the API token at {shown_url}: HTTP {error.status_code}; use a token "
            "with the Zone:Read and DNS:Read permissions for the zone"
        ) from None
    except cloudflare.APIConnectionError:
        raise LiveAccessError(
            f"cannot reach the Cloudflare API at {shown_url}: connection failed or timed out; check "
            "--cloudflare-base-url and the network, then retry"
        ) from None
    except cloudflare.APIStatusError as error:
        raise LiveAccessError(
            f"the Cloudflare API at {shown_url} failed: HTTP {error.status_code}: {error.message}"
        ) from None
    except cloudflare.APIError as error:
        raise LiveAccessError(f"the Cloudflare API at {shown_url} returned an invalid response: {error}") from None
    return read
