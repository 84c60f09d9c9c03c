"""Security groups of every tier, and the traffic allowed between them, in one place."""

from __future__ import annotations

import pulumi
import pulumi_aws as aws

from .naming import child_name

WEB_PORT = 80
APP_PORT = 8080
MYSQL_PORT = 3306
REDIS_PORT = 6379


class SecurityGroups(pulumi.ComponentResource):
    """One security group per tier; each tier accepts traffic only from the tier in front of it.

    The groups live apart from the tiers that use them because the allowed paths cross tiers:
    the database admits the app tier, whose instances in turn need the database's address.
    """

    WEB_PORT = WEB_PORT
    APP_PORT = APP_PORT

    def __init__(self, name: str, vpc_id: pulumi.Input[str], opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("shop:network:SecurityGroups", name, None, opts)
        self._name = name
        self._vpc_id = vpc_id
        self._groups: dict[str, aws.ec2.SecurityGroup] = {}

        self.public_lb = self._group("public-lb", "Public load balancer: HTTPS and HTTP from anywhere")
        self.web = self._group("web", "Web instances: HTTP from the public load balancer")
        self.internal_lb = self._group("internal-lb", "Internal load balancer: HTTP from the web tier")
        self.app = self._group("app", "App instances: HTTP from the internal load balancer")
        self.database = self._group("database", "MySQL from the app tier")
        self.cache = self._group("cache", "Redis protocol from the app tier")

        for port in (443, 80):
            self._ingress_from_anywhere("public-lb", port)
        self._ingress("web", "public-lb", WEB_PORT)
        self._ingress("internal-lb", "web", WEB_PORT)
        self._ingress("app", "internal-lb", APP_PORT)
        self._ingress("database", "app", MYSQL_PORT)
        self._ingress("cache", "app", REDIS_PORT)

        self._egress_to("public-lb", "web", WEB_PORT)
        self._egress_to("internal-lb", "app", APP_PORT)
        # Instances reach the next tier, package mirrors and payment providers; the NAT gateway
        # of their AZ carries traffic bound for the internet.
        for tier in ("web", "app"):
            aws.vpc.SecurityGroupEgressRule(
                child_name(name, f"{tier}-egress-all"),
                security_group_id=self._groups[tier].id,
                ip_protocol="-1",
                cidr_ipv4="0.0.0.0/0",
                description="All outbound traffic",
                opts=pulumi.ResourceOptions(parent=self),
            )

        self.register_outputs(
            {
                "publicLbId": self.public_lb.id,
                "webId": self.web.id,
                "internalLbId": self.internal_lb.id,
                "appId": self.app.id,
                "databaseId": self.database.id,
                "cacheId": self.cache.id,
            }
        )

    def _group(self, role: str, description: str) -> aws.ec2.SecurityGroup:
        group_name = child_name(self._name, role)
        group = aws.ec2.SecurityGroup(
            group_name,
            vpc_id=self._vpc_id,
            description=description,
            tags={"Name": group_name},
            opts=pulumi.ResourceOptions(parent=self),
        )
        self._groups[role] = group
        return group

    def _ingress(self, group: str, source: str, port: int) -> None:
        aws.vpc.SecurityGroupIngressRule(
            child_name(self._name, f"{group}-from-{source}", port),
            security_group_id=self._groups[group].id,
            referenced_security_group_id=self._groups[source].id,
            ip_protocol="tcp",
            from_port=port,
            to_port=port,
            description=f"TCP {port} from the {source} security group",
            opts=pulumi.ResourceOptions(parent=self),
        )

    def _ingress_from_anywhere(self, group: str, port: int) -> None:
        aws.vpc.SecurityGroupIngressRule(
            child_name(self._name, f"{group}-from-internet", port),
            security_group_id=self._groups[group].id,
            cidr_ipv4="0.0.0.0/0",
            ip_protocol="tcp",
            from_port=port,
            to_port=port,
            description=f"TCP {port} from the internet",
            opts=pulumi.ResourceOptions(parent=self),
        )

    def _egress_to(self, group: str, target: str, port: int) -> None:
        aws.vpc.SecurityGroupEgressRule(
            child_name(self._name, f"{group}-to-{target}", port),
            security_group_id=self._groups[group].id,
            referenced_security_group_id=self._groups[target].id,
            ip_protocol="tcp",
            from_port=port,
            to_port=port,
            description=f"TCP {port} to the {target} security group",
            opts=pulumi.ResourceOptions(parent=self),
        )
