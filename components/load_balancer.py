"""Application load balancers: a public one for the web tier and an internal one for the app tier."""

from __future__ import annotations

from collections.abc import Sequence

import pulumi
import pulumi_aws as aws

from .config import LoadBalancerConfig
from .dns import DnsZones, validated_certificate
from .naming import child_name
from .security_groups import APP_PORT, WEB_PORT

# TLS 1.3 with TLS 1.2 fallback, AWS's recommended policy for internet-facing listeners.
TLS_POLICY = "ELBSecurityPolicy-TLS13-1-2-2021-06"
# Seconds a deregistering target keeps its in-flight requests; short, because requests are short.
DEREGISTRATION_DELAY_SECONDS = 30


class _ApplicationLoadBalancer(pulumi.ComponentResource):
    """An ALB over every AZ's subnet, and the target group of the tier behind it."""

    def __init__(
        self,
        type_: str,
        name: str,
        *,
        internal: bool,
        subnets: Sequence[aws.ec2.Subnet],
        security_group_id: pulumi.Input[str],
        vpc_id: pulumi.Input[str],
        config: LoadBalancerConfig,
        target_port: int,
        health_check_path: str,
        access_log_bucket: pulumi.Input[str] | None,
        opts: pulumi.ResourceOptions | None,
    ) -> None:
        super().__init__(type_, name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        self.load_balancer = aws.lb.LoadBalancer(
            child_name(name, "alb"),
            internal=internal,
            load_balancer_type="application",
            subnets=[subnet.id for subnet in subnets],
            security_groups=[security_group_id],
            enable_deletion_protection=config.deletion_protection,
            # Requests with header names that are not valid HTTP are dropped at the edge
            # instead of reaching the application.
            drop_invalid_header_fields=True,
            enable_cross_zone_load_balancing=True,
            access_logs={"bucket": access_log_bucket, "prefix": f"alb/{name}", "enabled": True}
            if access_log_bucket is not None
            else None,
            tags={"Name": child_name(name, "alb")},
            opts=child,
        )
        self.target_group = aws.lb.TargetGroup(
            child_name(name, "tg"),
            port=target_port,
            protocol="HTTP",
            target_type="instance",
            vpc_id=vpc_id,
            deregistration_delay=DEREGISTRATION_DELAY_SECONDS,
            health_check={
                "enabled": True,
                "path": health_check_path,
                "protocol": "HTTP",
                "port": "traffic-port",
                "matcher": "200",
                "interval": config.health_check_interval_seconds,
                "timeout": min(5, config.health_check_interval_seconds - 1),
                "healthy_threshold": config.healthy_threshold,
                "unhealthy_threshold": config.unhealthy_threshold,
            },
            tags={"Name": child_name(name, "tg")},
            opts=child,
        )

    def _register(self) -> None:
        """Register the outputs both kinds of load balancer share, once their listeners exist."""
        self.register_outputs(
            {
                "dnsName": self.load_balancer.dns_name,
                "targetGroupArn": self.target_group.arn,
            }
        )


class PublicLoadBalancer(_ApplicationLoadBalancer):
    """The internet-facing ALB: HTTPS with an ACM certificate, and HTTP redirected to HTTPS."""

    def __init__(
        self,
        name: str,
        *,
        subnets: Sequence[aws.ec2.Subnet],
        security_group_id: pulumi.Input[str],
        vpc_id: pulumi.Input[str],
        config: LoadBalancerConfig,
        health_check_path: str,
        domain: str,
        zones: DnsZones,
        access_log_bucket: pulumi.Input[str] | None = None,
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        super().__init__(
            "shop:loadBalancer:Public",
            name,
            internal=False,
            subnets=subnets,
            security_group_id=security_group_id,
            vpc_id=vpc_id,
            config=config,
            target_port=WEB_PORT,
            health_check_path=health_check_path,
            access_log_bucket=access_log_bucket,
            opts=opts,
        )
        child = pulumi.ResourceOptions(parent=self)
        certificate_arn: pulumi.Input[str] = config.certificate_arn or validated_certificate(
            name, [domain, f"www.{domain}"], zones, parent=self
        )
        self.https_listener = aws.lb.Listener(
            child_name(name, "https"),
            load_balancer_arn=self.load_balancer.arn,
            port=443,
            protocol="HTTPS",
            ssl_policy=TLS_POLICY,
            certificate_arn=certificate_arn,
            default_actions=[{"type": "forward", "target_group_arn": self.target_group.arn}],
            opts=child,
        )
        self.http_listener = aws.lb.Listener(
            child_name(name, "http"),
            load_balancer_arn=self.load_balancer.arn,
            port=80,
            protocol="HTTP",
            default_actions=[
                {
                    "type": "redirect",
                    "redirect": {"protocol": "HTTPS", "port": "443", "status_code": "HTTP_301"},
                }
            ],
            opts=child,
        )
        self._register()


class InternalLoadBalancer(_ApplicationLoadBalancer):
    """The ALB in front of the app tier, reachable only from inside the VPC."""

    def __init__(
        self,
        name: str,
        *,
        subnets: Sequence[aws.ec2.Subnet],
        security_group_id: pulumi.Input[str],
        vpc_id: pulumi.Input[str],
        config: LoadBalancerConfig,
        health_check_path: str,
        access_log_bucket: pulumi.Input[str] | None = None,
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        super().__init__(
            "shop:loadBalancer:Internal",
            name,
            internal=True,
            subnets=subnets,
            security_group_id=security_group_id,
            vpc_id=vpc_id,
            config=config,
            target_port=APP_PORT,
            health_check_path=health_check_path,
            access_log_bucket=access_log_bucket,
            opts=opts,
        )
        # Traffic stays inside the VPC, between security groups that admit only each other.
        self.listener = aws.lb.Listener(
            child_name(name, "http"),
            load_balancer_arn=self.load_balancer.arn,
            port=80,
            protocol="HTTP",
            default_actions=[{"type": "forward", "target_group_arn": self.target_group.arn}],
            opts=pulumi.ResourceOptions(parent=self),
        )
        self._register()
