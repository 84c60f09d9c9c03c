"""DNS on two providers: the same records in a Route 53 zone and a Cloudflare zone.

Resolvers pick any name server the registrar lists, so every record must exist, identical, in
both zones. `DnsZones.publish` is the one place that writes records, which keeps them equal by
construction. Cloudflare records stay DNS-only (`proxied: false`): a proxied record gets
Cloudflare's addresses and an automatic TTL, which Route 53 cannot mirror. A Route 53 alias
becomes a CNAME on Cloudflare, which Cloudflare flattens at the zone apex.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import partial
from typing import Any

import pulumi
import pulumi_aws as aws

from .config import DnsConfig
from .naming import child_name

# Name servers change only when a zone is rebuilt, so NS records get a long TTL: one day, the
# most Cloudflare accepts.
NS_TTL = 86400
ROUTE53_NAME_SERVERS = 4


@dataclass(frozen=True)
class AliasTarget:
    """An AWS endpoint a Route 53 alias points at: its DNS name and its hosted zone."""

    dns_name: pulumi.Input[str]
    zone_id: pulumi.Input[str]
    evaluate_target_health: bool


class DnsZones(pulumi.ComponentResource):
    """The public zones of `dns.domain`, one per provider in `dns.providers`.

    The Cloudflare zone has multi-provider DNS switched on, so Cloudflare serves it while the
    registrar also lists Route 53's name servers. DNSSEC stays off: signing one zone on two
    providers needs multi-signer support on both sides.
    """

    def __init__(self, name: str, config: DnsConfig, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("shop:dns:Zones", name, None, opts)
        self.config = config
        self.domain = config.domain
        self.route53_zone: aws.route53.Zone | None = None
        self.cloudflare_zone: Any = None
        child = pulumi.ResourceOptions(parent=self)

        if "route53" in config.providers:
            self.route53_zone = aws.route53.Zone(
                child_name(name, "route53-zone"),
                name=config.domain,
                comment=f"Public zone of {config.domain}; Cloudflare serves the same records",
                opts=child,
            )
        if "cloudflare" in config.providers:
            # Imported here: the package takes about two seconds to load and a stack without
            # Cloudflare should not pay for it.
            import pulumi_cloudflare as cloudflare

            self.cloudflare_zone = cloudflare.Zone(
                child_name(name, "cloudflare-zone"),
                account={"id": config.cloudflare_account_id},
                name=config.domain,
                type="full",
                opts=child,
            )
            cloudflare.ZoneDnsSettings(
                child_name(name, "cloudflare-settings"),
                zone_id=self.cloudflare_zone.id,
                multi_provider=True,
                opts=child,
            )

        empty: pulumi.Output[list[str]] = pulumi.Output.from_input([])
        self.route53_name_servers = self.route53_zone.name_servers if self.route53_zone else empty
        self.cloudflare_name_servers = self.cloudflare_zone.name_servers if self.cloudflare_zone else empty
        self.register_outputs(
            {
                "route53NameServers": self.route53_name_servers,
                "cloudflareNameServers": self.cloudflare_name_servers,
            }
        )

    def publish(
        self,
        owner: pulumi.Resource,
        prefix: str,
        fqdn: pulumi.Input[str],
        *,
        cname: pulumi.Input[str] | None = None,
        alias: AliasTarget | None = None,
    ) -> list[pulumi.CustomResource]:
        """Publish one name in every zone, as children of `owner` named `<prefix>-<provider>`.

        Give exactly one of `cname`, a target name, or `alias`, an AWS endpoint: an alias record
        in Route 53 and a CNAME on Cloudflare.
        """
        if (cname is None) == (alias is None):
            raise ValueError(f"{prefix}: give exactly one of cname or alias")
        child = pulumi.ResourceOptions(parent=owner)
        created: list[pulumi.CustomResource] = []

        if self.route53_zone is not None:
            if alias is not None:
                created.append(
                    aws.route53.Record(
                        f"{prefix}-route53",
                        zone_id=self.route53_zone.zone_id,
                        name=fqdn,
                        type="A",
                        aliases=[
                            {
                                "name": alias.dns_name,
                                "zone_id": alias.zone_id,
                                "evaluate_target_health": alias.evaluate_target_health,
                            }
                        ],
                        opts=child,
                    )
                )
            else:
                created.append(
                    aws.route53.Record(
                        f"{prefix}-route53",
                        zone_id=self.route53_zone.zone_id,
                        name=fqdn,
                        type="CNAME",
                        ttl=self.config.ttl,
                        records=[cname],  # type: ignore[list-item]
                        opts=child,
                    )
                )

        if self.cloudflare_zone is not None:
            import pulumi_cloudflare as cloudflare

            created.append(
                cloudflare.DnsRecord(
                    f"{prefix}-cloudflare",
                    zone_id=self.cloudflare_zone.id,
                    name=fqdn,
                    type="CNAME",
                    content=alias.dns_name if alias is not None else cname,
                    ttl=self.config.ttl,
                    proxied=False,
                    opts=child,
                )
            )
        return created


def _validation_option(
    options: Sequence[aws.acm.outputs.CertificateDomainValidationOption], domain: str
) -> aws.acm.outputs.CertificateDomainValidationOption:
    return next(option for option in options if option.domain_name == domain)


def _nth_sorted(values: Sequence[str], index: int) -> str:
    return sorted(values)[index]


def validated_certificate(
    name: str,
    domains: Sequence[str],
    zones: DnsZones,
    parent: pulumi.Resource,
    provider: pulumi.ProviderResource | None = None,
) -> pulumi.Output[str]:
    """Request an ACM certificate for `domains`, validated through DNS records in every zone.

    Returns the ARN once ACM has issued the certificate, so a listener or distribution that uses
    it waits for validation.
    """
    opts = pulumi.ResourceOptions(parent=parent, provider=provider)
    certificate = aws.acm.Certificate(
        child_name(name, "certificate"),
        domain_name=domains[0],
        subject_alternative_names=list(domains[1:]),
        validation_method="DNS",
        opts=opts,
    )
    fqdns: list[pulumi.Output[str]] = []
    for index, domain in enumerate(domains):
        option = certificate.domain_validation_options.apply(partial(_validation_option, domain=domain))
        published = zones.publish(
            certificate,
            child_name(name, "validation", index),
            option.apply(lambda o: o.resource_record_name or ""),
            cname=option.apply(lambda o: o.resource_record_value or ""),
        )
        fqdns.extend(record.fqdn for record in published if isinstance(record, aws.route53.Record))
    validation = aws.acm.CertificateValidation(
        child_name(name, "certificate-validation"),
        certificate_arn=certificate.arn,
        validation_record_fqdns=fqdns or None,
        opts=opts,
    )
    return validation.certificate_arn


class PublicRecords(pulumi.ComponentResource):
    """The shop's public names, a Route 53 health check on the public load balancer, and NS sets.

    The apex and `www` point at the public load balancer, `images` at the CDN. Each zone's apex
    NS set lists the name servers of both providers, so a resolver that queries either provider
    learns about both.
    """

    def __init__(
        self,
        name: str,
        config: DnsConfig,
        zones: DnsZones,
        load_balancer: aws.lb.LoadBalancer,
        health_check_path: str,
        distribution: aws.cloudfront.Distribution,
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        super().__init__("shop:dns:PublicRecords", name, None, opts)
        domain = config.domain
        load_balancer_target = AliasTarget(load_balancer.dns_name, load_balancer.zone_id, evaluate_target_health=True)
        # A CloudFront alias cannot evaluate target health; CloudFront's own origin group fails over.
        cdn_target = AliasTarget(distribution.domain_name, distribution.hosted_zone_id, evaluate_target_health=False)
        zones.publish(self, child_name(name, "apex"), domain, alias=load_balancer_target)
        zones.publish(self, child_name(name, "www"), f"www.{domain}", alias=load_balancer_target)
        zones.publish(self, child_name(name, "images"), f"images.{domain}", alias=cdn_target)

        if zones.route53_zone is not None and zones.cloudflare_zone is not None:
            self._delegate_to_both(name, zones)

        self.health_check = aws.route53.HealthCheck(
            child_name(name, "lb-health-check"),
            fqdn=load_balancer.dns_name,
            port=443,
            type="HTTPS",
            resource_path=health_check_path,
            enable_sni=True,
            request_interval=config.health_check_interval_seconds,
            failure_threshold=config.health_check_failure_threshold,
            tags={"Name": child_name(name, "lb-health-check")},
            opts=pulumi.ResourceOptions(parent=self),
        )
        self.register_outputs({"healthCheckId": self.health_check.id})

    def _delegate_to_both(self, name: str, zones: DnsZones) -> None:
        """List both providers' name servers in the apex NS set of each zone.

        Route 53's apex NS set is replaced by the union. Cloudflare manages its own NS records
        and, with multi-provider DNS, serves the Route 53 ones added beside them; Route 53
        assigns every zone exactly four name servers, so the number of records is known now.
        """
        import pulumi_cloudflare as cloudflare

        assert zones.route53_zone is not None
        child = pulumi.ResourceOptions(parent=self)
        aws.route53.Record(
            child_name(name, "ns-route53"),
            zone_id=zones.route53_zone.zone_id,
            name=zones.domain,
            type="NS",
            ttl=NS_TTL,
            records=pulumi.Output.all(zones.route53_name_servers, zones.cloudflare_name_servers).apply(
                lambda sets: sorted({*sets[0], *sets[1]})
            ),
            allow_overwrite=True,
            opts=child,
        )
        for index in range(ROUTE53_NAME_SERVERS):
            cloudflare.DnsRecord(
                child_name(name, "ns-cloudflare", index),
                zone_id=zones.cloudflare_zone.id,
                name=zones.domain,
                type="NS",
                content=zones.route53_name_servers.apply(partial(_nth_sorted, index=index)),
                ttl=NS_TTL,
                proxied=False,
                opts=child,
            )
