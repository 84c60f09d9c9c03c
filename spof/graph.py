"""The resource graph that every SPOF rule reads.

A graph comes from one of three places: the mock engine's recording of a program, the
resources that `pulumi preview` hands a policy pack, or what boto3 reads from a live account.
All three use Pulumi's type tokens and camelCase property names, so one set of rules serves
them all. References between resources (an ALB's subnets, a route's NAT gateway) are followed
through the property dependencies where the source records them, and otherwise by matching
ids, ARNs and names.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

LAYERS: tuple[str, ...] = (
    "dns",
    "load-balancer",
    "web",
    "app",
    "network",
    "database",
    "cache",
    "storage",
    "payments",
    "monitoring",
    "identity",
    "human",
)

# A value that is not known before `pulumi up`, such as the id of a resource still to be
# created during `pulumi preview`. Rules treat it as "cannot tell" and never as false.
UNKNOWN = "<computed>"

SUBNET = "aws:ec2/subnet:Subnet"
VPC = "aws:ec2/vpc:Vpc"
NAT_GATEWAY = "aws:ec2/natGateway:NatGateway"
INTERNET_GATEWAY = "aws:ec2/internetGateway:InternetGateway"
ROUTE_TABLE = "aws:ec2/routeTable:RouteTable"
ROUTE = "aws:ec2/route:Route"
ROUTE_TABLE_ASSOCIATION = "aws:ec2/routeTableAssociation:RouteTableAssociation"
INSTANCE = "aws:ec2/instance:Instance"
EIP = "aws:ec2/eip:Eip"
EIP_ASSOCIATION = "aws:ec2/eipAssociation:EipAssociation"
LAUNCH_TEMPLATE = "aws:ec2/launchTemplate:LaunchTemplate"
LOAD_BALANCERS = (
    "aws:lb/loadBalancer:LoadBalancer",
    "aws:alb/loadBalancer:LoadBalancer",
    "aws:elb/loadBalancer:LoadBalancer",
)
TARGET_GROUPS = ("aws:lb/targetGroup:TargetGroup", "aws:alb/targetGroup:TargetGroup")
TARGET_GROUP_ATTACHMENTS = (
    "aws:lb/targetGroupAttachment:TargetGroupAttachment",
    "aws:alb/targetGroupAttachment:TargetGroupAttachment",
)
LISTENERS = ("aws:lb/listener:Listener", "aws:alb/listener:Listener")
AUTOSCALING_GROUP = "aws:autoscaling/group:Group"
AUTOSCALING_ATTACHMENT = "aws:autoscaling/attachment:Attachment"
RDS_INSTANCE = "aws:rds/instance:Instance"
RDS_CLUSTER = "aws:rds/cluster:Cluster"
RDS_CLUSTER_INSTANCE = "aws:rds/clusterInstance:ClusterInstance"
RDS_SUBNET_GROUP = "aws:rds/subnetGroup:SubnetGroup"
CACHE_CLUSTER = "aws:elasticache/cluster:Cluster"
CACHE_REPLICATION_GROUP = "aws:elasticache/replicationGroup:ReplicationGroup"
CACHE_SUBNET_GROUP = "aws:elasticache/subnetGroup:SubnetGroup"
BUCKETS = ("aws:s3/bucket:Bucket", "aws:s3/bucketV2:BucketV2")
BUCKET_VERSIONINGS = (
    "aws:s3/bucketVersioning:BucketVersioning",
    "aws:s3/bucketVersioningV2:BucketVersioningV2",
)
BUCKET_REPLICATION = "aws:s3/bucketReplicationConfig:BucketReplicationConfig"
DISTRIBUTION = "aws:cloudfront/distribution:Distribution"
ROUTE53_ZONE = "aws:route53/zone:Zone"
ROUTE53_RECORD = "aws:route53/record:Record"
ROUTE53_HEALTH_CHECK = "aws:route53/healthCheck:HealthCheck"
CLOUDFLARE_ZONE = "cloudflare:index/zone:Zone"
CLOUDFLARE_RECORDS = ("cloudflare:index/dnsRecord:DnsRecord", "cloudflare:index/record:Record")
SECRET = "aws:secretsmanager/secret:Secret"
IAM_GROUP = "aws:iam/group:Group"
IAM_USER = "aws:iam/user:User"
IAM_GROUP_MEMBERSHIP = "aws:iam/groupMembership:GroupMembership"
IAM_USER_GROUP_MEMBERSHIP = "aws:iam/userGroupMembership:UserGroupMembership"
IAM_GROUP_POLICY_ATTACHMENT = "aws:iam/groupPolicyAttachment:GroupPolicyAttachment"
AWS_PROVIDER = "pulumi:providers:aws"

# Outputs and inputs that identify a resource when another resource refers to it.
_IDENTITY_KEYS = (
    "arn",
    "name",
    "identifier",
    "bucket",
    "replicationGroupId",
    "clusterId",
    "clusterIdentifier",
    "allocationId",
)

_DNS_TYPE_PREFIXES = ("aws:route53/", "cloudflare:")

# The layer of a resource whose tags and component do not determine one.
_TYPE_LAYERS: tuple[tuple[str, str], ...] = (
    ("aws:ec2/instance:", "app"),
    ("aws:ec2/launchTemplate:", "app"),
    ("aws:autoscaling/", "app"),
    ("aws:ec2/", "network"),
    ("aws:lb/", "load-balancer"),
    ("aws:alb/", "load-balancer"),
    ("aws:elb/", "load-balancer"),
    ("aws:acm/", "load-balancer"),
    ("aws:rds/", "database"),
    ("aws:elasticache/", "cache"),
    ("aws:s3/", "storage"),
    ("aws:cloudfront/", "storage"),
    ("aws:route53/", "dns"),
    ("cloudflare:", "dns"),
    ("aws:cloudwatch/", "monitoring"),
    ("aws:sns/", "monitoring"),
    ("aws:backup/", "monitoring"),
    ("aws:fis/", "monitoring"),
    ("aws:iam/", "identity"),
)


def is_known(value: Any) -> bool:
    """Return whether a property value is known, as opposed to computed at deployment."""
    return value != UNKNOWN


def describe(value: Any) -> str:
    """Render a property value for a message the way a program sets it: `not set` for None."""
    if value is None:
        return "not set"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def strings_in(value: Any) -> Iterator[str]:
    """Yield every string inside a property value, however deeply nested."""
    if isinstance(value, str):
        yield value
    elif isinstance(value, Mapping):
        for item in value.values():
            yield from strings_in(item)
    elif isinstance(value, (list, tuple)):
        for item in value:
            yield from strings_in(item)


@dataclass
class Resource:
    """One resource of a stack, with its inputs and the outputs its source reports."""

    urn: str
    type: str
    name: str
    props: dict[str, Any]
    id: str | None = None
    parent: str | None = None
    provider: str | None = None
    outputs: dict[str, Any] = field(default_factory=dict)
    property_dependencies: dict[str, list[str]] = field(default_factory=dict)
    custom: bool = True

    def get(self, key: str, default: Any = None) -> Any:
        """Return an input, or the output of that name when the input is not set."""
        value = self.props.get(key)
        if value is None:
            value = self.outputs.get(key)
        return default if value is None else value

    def to_json(self) -> dict[str, Any]:
        return {
            "urn": self.urn,
            "type": self.type,
            "name": self.name,
            "parent": self.parent,
            "id": self.id,
            "props": self.props,
            "outputs": self.outputs,
            "provider": self.provider,
            "propertyDependencies": self.property_dependencies,
        }


class Graph:
    """An indexed set of resources with the look-ups the rules share."""

    def __init__(self, resources: Iterable[Resource]) -> None:
        self.resources: list[Resource] = list(resources)
        self.by_urn: dict[str, Resource] = {resource.urn: resource for resource in self.resources}
        self._by_type: dict[str, list[Resource]] = {}
        self._children: dict[str, list[Resource]] = {}
        for resource in self.resources:
            self._by_type.setdefault(resource.type, []).append(resource)
            if resource.parent:
                self._children.setdefault(resource.parent, []).append(resource)
        self._layer_cache: dict[str, str | None] = {}

    def of_type(self, *types: str) -> list[Resource]:
        """Return the resources of any of the given type tokens, in recording order."""
        if len(types) == 1:
            return list(self._by_type.get(types[0], ()))
        return [resource for resource in self.resources if resource.type in types]

    def children(self, resource: Resource) -> list[Resource]:
        return list(self._children.get(resource.urn, ()))

    @cached_property
    def _identities(self) -> dict[str, list[Resource]]:
        index: dict[str, list[Resource]] = {}
        for resource in self.resources:
            keys = {resource.id} if resource.id else set()
            for key in _IDENTITY_KEYS:
                value = resource.get(key)
                if isinstance(value, str) and value and is_known(value):
                    keys.add(value)
            for key in keys:
                index.setdefault(key, []).append(resource)
        return index

    def find(self, value: Any, *types: str) -> list[Resource]:
        """Return the resources of the given types that a property value names."""
        found: list[Resource] = []
        for text in strings_in(value):
            for resource in self._identities.get(text, ()):
                if (not types or resource.type in types) and resource not in found:
                    found.append(resource)
        return found

    def refs(self, resource: Resource, key: str, *types: str) -> list[Resource]:
        """Return the resources of the given types that property `key` refers to."""
        found = self.find(resource.props.get(key), *types)
        for urn in resource.property_dependencies.get(key, ()):
            target = self.by_urn.get(urn)
            if target is not None and (not types or target.type in types) and target not in found:
                found.append(target)
        return found

    def ref(self, resource: Resource, key: str, *types: str) -> Resource | None:
        found = self.refs(resource, key, *types)
        return found[0] if found else None

    def resolve(self, resource: Resource, key: str, *types: str, values: Any = None) -> list[Resource] | None:
        """Return the resources of the given types that property `key` refers to, or None when
        some reference cannot be followed.

        `values` replaces the property's value when only part of it holds references, such as
        the subnet ids inside `subnetMappings`. A reference cannot be followed when it is
        unknown and the property records no dependency, or when it names nothing of the given
        types in the graph (an existing resource the program only refers to). Rules treat None
        as "cannot tell".
        """
        value = resource.props.get(key) if values is None else values
        dependencies = [
            target
            for target in (self.by_urn.get(urn) for urn in resource.property_dependencies.get(key, ()))
            if target is not None and (not types or target.type in types)
        ]
        found: dict[str, Resource] = {}
        unknown = False
        for text in strings_in(value):
            if not is_known(text):
                unknown = True
                continue
            matches = self.find(text, *types)
            if not matches:
                return None
            found.update((match.urn, match) for match in matches)
        # During a preview the ids are unknown, but the dependencies name what the value was
        # computed from. They are used only then, so they never override a known value.
        if unknown:
            if not dependencies:
                return None
            found.update((target.urn, target) for target in dependencies)
        return list(found.values())

    def known_azs(self, resources: Iterable[Resource]) -> set[str] | None:
        """Return the AZs the resources sit in, or None when the AZ of any one is unknown."""
        zones: set[str] = set()
        for resource in resources:
            zone = self.az(resource)
            if zone is None:
                return None
            zones.add(zone)
        return zones

    def tags(self, resource: Resource) -> dict[str, str]:
        """Return the tags AWS would store: the provider's default tags, then the resource's."""
        merged: dict[str, str] = {}
        provider = self.provider_of(resource)
        if provider is not None:
            default_tags = provider.props.get("defaultTags")
            if isinstance(default_tags, str):
                try:
                    default_tags = json.loads(default_tags)
                except json.JSONDecodeError:
                    default_tags = None
            if isinstance(default_tags, Mapping):
                merged.update(_tag_map(default_tags.get("tags")))
        merged.update(_tag_map(resource.props.get("tags")))
        return merged

    def provider_of(self, resource: Resource) -> Resource | None:
        if not resource.provider:
            return None
        # A provider reference is the provider's URN, two colons, then its id.
        urn = resource.provider.rsplit("::", 1)[0]
        return self.by_urn.get(urn)

    def layer(self, resource: Resource) -> str | None:
        """Return the design layer of a resource.

        The `layer` tag wins; then the layer most resources of the enclosing component carry;
        then a default for the resource type. None when none of these applies.
        """
        if resource.urn in self._layer_cache:
            return self._layer_cache[resource.urn]
        layer = self.tags(resource).get("layer")
        if layer not in LAYERS and resource.type.startswith(_DNS_TYPE_PREFIXES):
            # A record is DNS wherever it is declared, such as a certificate's validation record.
            layer = "dns"
        if layer not in LAYERS:
            layer = None
            ancestor = self.by_urn.get(resource.parent) if resource.parent else None
            while layer is None and ancestor is not None:
                layer = self._component_layer(ancestor)
                ancestor = self.by_urn.get(ancestor.parent) if ancestor.parent else None
        if layer is None:
            layer = next((name for prefix, name in _TYPE_LAYERS if resource.type.startswith(prefix)), None)
        self._layer_cache[resource.urn] = layer
        return layer

    def _component_layer(self, component: Resource) -> str | None:
        if component.custom or component.type.startswith("pulumi:"):
            return None
        counts: Counter[str] = Counter()
        stack = self.children(component)
        while stack:
            child = stack.pop()
            tagged = self.tags(child).get("layer")
            if tagged in LAYERS:
                counts[tagged] += 1
            stack.extend(self.children(child))
        return counts.most_common(1)[0][0] if counts else None

    def az(self, resource: Resource) -> str | None:
        """Return the one AZ a zonal resource sits in, or None when it is not zonal or unknown."""
        for key in ("availabilityZone", "availabilityZoneId"):
            value = resource.get(key)
            if isinstance(value, str) and value and is_known(value):
                return value
        if resource.type != SUBNET:
            subnet = self.ref(resource, "subnetId", SUBNET)
            if subnet is not None:
                return self.az(subnet)
        return None

    def subnet_azs(self, resource: Resource, key: str) -> set[str] | None:
        """Return the AZs of the subnets that property `key` names, None if none resolve."""
        subnets = self.refs(resource, key, SUBNET)
        azs = {az for az in (self.az(subnet) for subnet in subnets) if az}
        return azs or None

    def azs(self, resource: Resource) -> set[str]:
        """Return every AZ a resource spans, as far as its properties show."""
        zonal = self.az(resource)
        if zonal:
            return {zonal}
        spread: set[str] = set()
        for key in ("subnets", "subnetIds", "vpcZoneIdentifiers"):
            spread |= self.subnet_azs(resource, key) or set()
        for mapping in resource.props.get("subnetMappings") or ():
            if isinstance(mapping, Mapping):
                for subnet in self.find(mapping.get("subnetId"), SUBNET):
                    spread |= {self.az(subnet)} - {None}  # type: ignore[arg-type]
        for key in ("availabilityZones", "preferredCacheClusterAzs", "preferredAvailabilityZones"):
            value = resource.get(key)
            if isinstance(value, list):
                spread |= {az for az in value if isinstance(az, str) and is_known(az)}
        for key in ("dbSubnetGroupName", "subnetGroupName"):
            for group in self.refs(resource, key, RDS_SUBNET_GROUP, CACHE_SUBNET_GROUP):
                spread |= self.azs(group)
        return spread


def _tag_map(tags: Any) -> dict[str, str]:
    """Normalise tags given as a map or as Auto Scaling's list of key/value objects."""
    if isinstance(tags, Mapping):
        return {str(key): str(value) for key, value in tags.items() if isinstance(value, str)}
    if isinstance(tags, list):
        return {
            str(tag["key"]): str(tag["value"])
            for tag in tags
            if isinstance(tag, Mapping) and "key" in tag and "value" in tag
        }
    return {}
