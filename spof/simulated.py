"""Plausible cloud responses for the mock engine: resource ids, computed outputs and invokes.

Nothing here talks to a cloud. Ids look like AWS ids and are derived from the resource's URN,
so two runs of the same program give the same plan. Outputs that a program commonly reads
(an ALB's DNS name, a zone's name servers, a cache node's address) get simulated values so
that programs which use them keep running. Everything else stays as the program set it.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from typing import Any

ACCOUNT_ID = "123456789012"
DEFAULT_REGION = "us-east-1"

# The AZ letters a new account is offered in regions where they are not simply a, b and c.
# NOTE: an estimate for planning only: AWS maps letters to physical AZs per account, and older
# accounts may see more or other letters. `pulumi up` reads the real list from the account.
_REGION_AZ_LETTERS = {
    "us-east-1": "abcdef",
    "us-west-1": "ac",
    "us-west-2": "abcd",
    "ap-northeast-1": "acd",
    "ap-northeast-2": "abcd",
    "ca-central-1": "abd",
}

# Resource types whose AWS id carries a well-known prefix.
_ID_PREFIXES = {
    "aws:ec2/vpc:Vpc": "vpc-",
    "aws:ec2/subnet:Subnet": "subnet-",
    "aws:ec2/natGateway:NatGateway": "nat-",
    "aws:ec2/internetGateway:InternetGateway": "igw-",
    "aws:ec2/routeTable:RouteTable": "rtb-",
    "aws:ec2/routeTableAssociation:RouteTableAssociation": "rtbassoc-",
    "aws:ec2/eip:Eip": "eipalloc-",
    "aws:ec2/securityGroup:SecurityGroup": "sg-",
    "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule": "sgr-",
    "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule": "sgr-",
    "aws:ec2/launchTemplate:LaunchTemplate": "lt-",
    "aws:ec2/instance:Instance": "i-",
    "aws:ec2/vpcEndpoint:VpcEndpoint": "vpce-",
    "aws:ec2/flowLog:FlowLog": "fl-",
}

# Types whose id is their ARN, as the AWS provider reports it.
_ARN_IDS = {
    "aws:lb/loadBalancer:LoadBalancer": "elasticloadbalancing:{region}:{account}:loadbalancer/app/{name}/{hex16}",
    "aws:alb/loadBalancer:LoadBalancer": "elasticloadbalancing:{region}:{account}:loadbalancer/app/{name}/{hex16}",
    "aws:lb/targetGroup:TargetGroup": "elasticloadbalancing:{region}:{account}:targetgroup/{name}/{hex16}",
    "aws:alb/targetGroup:TargetGroup": "elasticloadbalancing:{region}:{account}:targetgroup/{name}/{hex16}",
    "aws:lb/listener:Listener": "elasticloadbalancing:{region}:{account}:listener/app/{name}/{hex16}",
    "aws:alb/listener:Listener": "elasticloadbalancing:{region}:{account}:listener/app/{name}/{hex16}",
    "aws:acm/certificate:Certificate": "acm:{region}:{account}:certificate/{uuid}",
    "aws:sns/topic:Topic": "sns:{region}:{account}:{name}",
    "aws:iam/openIdConnectProvider:OpenIdConnectProvider": (
        "iam::{account}:oidc-provider/token.actions.githubusercontent.com"
    ),
    "aws:iam/policy:Policy": "iam::{account}:policy/{name}",
    "aws:secretsmanager/secret:Secret": "secretsmanager:{region}:{account}:secret:{name}-{hex6}",
}

# Types whose id is opaque: neither a prefixed hex string, an ARN nor the physical name.
_OPAQUE_IDS = {
    "aws:route53/zone:Zone": "Z{upper14}",
    "aws:route53/healthCheck:HealthCheck": "{uuid}",
    "aws:cloudfront/distribution:Distribution": "E{upper14}",
    "aws:backup/plan:Plan": "{uuid}",
    "aws:fis/experimentTemplate:ExperimentTemplate": "EXT{upper14}",
    "aws:kms/key:Key": "{uuid}",
    "cloudflare:index/zone:Zone": "{hex32}",
    "cloudflare:index/dnsRecord:DnsRecord": "{hex32}",
    "cloudflare:index/record:Record": "{hex32}",
}

# ARN templates of the types whose id is not their ARN, filled in from the resource's name.
_ARNS = {
    "aws:s3/bucket:Bucket": "s3:::{name}",
    "aws:s3/bucketV2:BucketV2": "s3:::{name}",
    "aws:rds/instance:Instance": "rds:{region}:{account}:db:{name}",
    "aws:rds/cluster:Cluster": "rds:{region}:{account}:cluster:{name}",
    "aws:rds/clusterInstance:ClusterInstance": "rds:{region}:{account}:db:{name}",
    "aws:elasticache/replicationGroup:ReplicationGroup": "elasticache:{region}:{account}:replicationgroup:{name}",
    "aws:elasticache/cluster:Cluster": "elasticache:{region}:{account}:cluster:{name}",
    "aws:iam/role:Role": "iam::{account}:role/{name}",
    "aws:iam/user:User": "iam::{account}:user/{name}",
    "aws:iam/group:Group": "iam::{account}:group/{name}",
    "aws:sqs/queue:Queue": "sqs:{region}:{account}:{name}",
    "aws:cloudwatch/metricAlarm:MetricAlarm": "cloudwatch:{region}:{account}:alarm:{name}",
    "aws:cloudfront/distribution:Distribution": "cloudfront::{account}:distribution/E{upper14}",
    "aws:route53/zone:Zone": "route53:::hostedzone/Z{upper14}",
    "aws:route53/healthCheck:HealthCheck": "route53:::healthcheck/{uuid}",
    "aws:kms/key:Key": "kms:{region}:{account}:key/{uuid}",
    "aws:backup/vault:Vault": "backup:{region}:{account}:backup-vault:{name}",
    "aws:backup/plan:Plan": "backup:{region}:{account}:backup-plan:{uuid}",
    "aws:fis/experimentTemplate:ExperimentTemplate": "fis:{region}:{account}:experiment-template/EXT{upper14}",
}

# The input that carries a resource's physical name; Pulumi auto-names it when unset.
_NAME_KEYS = {
    "aws:s3/bucket:Bucket": "bucket",
    "aws:s3/bucketV2:BucketV2": "bucket",
    "aws:rds/instance:Instance": "identifier",
    "aws:rds/cluster:Cluster": "clusterIdentifier",
    "aws:rds/clusterInstance:ClusterInstance": "identifier",
    "aws:elasticache/replicationGroup:ReplicationGroup": "replicationGroupId",
    "aws:elasticache/cluster:Cluster": "clusterId",
}


def _has_name(type_: str) -> bool:
    """Return whether a resource type carries a physical name that Pulumi auto-generates."""
    if type_ in _NAME_KEYS:
        return True
    if type_.startswith("aws:ec2/"):
        return type_ in ("aws:ec2/securityGroup:SecurityGroup", "aws:ec2/launchTemplate:LaunchTemplate")
    module_type = type_.rsplit(":", 1)[-1]
    if any(
        word in module_type
        for word in (
            "Attachment",
            "Association",
            "Membership",
            "Configuration",
            "Config",
            "Versioning",
            "Policy",
            "Rule",
            "Record",
            "Block",
        )
    ):
        return type_ in ("aws:iam/policy:Policy", "aws:iam/rolePolicy:RolePolicy")
    return type_.startswith("aws:")


def _digest(seed: str, length: int) -> str:
    return hashlib.sha256(seed.encode()).hexdigest()[:length]


def _uuid(seed: str) -> str:
    digits = _digest(seed, 32)
    return f"{digits[:8]}-{digits[8:12]}-{digits[12:16]}-{digits[16:20]}-{digits[20:]}"


def availability_zones(region: str) -> list[str]:
    """Return the simulated AZ names of a region: a, b and c unless the table above lists others."""
    return [f"{region}{letter}" for letter in _REGION_AZ_LETTERS.get(region, "abc")]


def physical_name(name: str, seed: str) -> str:
    """Return a name in the style of Pulumi's auto-naming: the logical name and a suffix."""
    return f"{name}-{_digest(seed, 7)}".lower()


def resource_state(
    type_: str, name: str, inputs: Mapping[str, Any], urn: str, region: str
) -> tuple[str, dict[str, Any]]:
    """Return a simulated id and the outputs of a new resource, beside its inputs."""
    outputs: dict[str, Any] = {}
    physical = inputs.get(_NAME_KEYS.get(type_, "name"))
    if not isinstance(physical, str) or not physical:
        physical = physical_name(name, urn)
        if _has_name(type_):
            outputs[_NAME_KEYS.get(type_, "name")] = physical
    fields = {
        "region": region,
        "account": ACCOUNT_ID,
        "name": physical,
        "hex16": _digest(urn, 16),
        "hex6": _digest(urn, 6),
        "hex32": _digest(urn, 32),
        "uuid": _uuid(urn),
        "upper14": _digest(urn, 14).upper(),
    }
    if type_ in _ID_PREFIXES:
        resource_id = _ID_PREFIXES[type_] + _digest(urn, 17)
    elif type_ in _ARN_IDS:
        resource_id = "arn:aws:" + _ARN_IDS[type_].format(**fields)
        outputs["arn"] = resource_id
    elif type_ in _OPAQUE_IDS:
        resource_id = _OPAQUE_IDS[type_].format(**fields)
    elif type_ == "aws:sqs/queue:Queue":
        resource_id = f"https://sqs.{region}.amazonaws.com/{ACCOUNT_ID}/{physical}"
    else:
        resource_id = physical
    if type_ in _ARNS:
        outputs["arn"] = "arn:aws:" + _ARNS[type_].format(**fields)
    outputs.update(_type_outputs(type_, inputs, physical, resource_id, fields))
    return resource_id, outputs


def _type_outputs(
    type_: str, inputs: Mapping[str, Any], physical: str, resource_id: str, fields: Mapping[str, str]
) -> dict[str, Any]:
    region = fields["region"]
    hex16 = fields["hex16"]
    if type_ in ("aws:lb/loadBalancer:LoadBalancer", "aws:alb/loadBalancer:LoadBalancer"):
        internal = "internal-" if inputs.get("internal") else ""
        return {
            "dnsName": f"{internal}{physical}-{hex16[:10]}.{region}.elb.amazonaws.com",
            "zoneId": "Z35SXDOTRQ7X7K",
            "arnSuffix": resource_id.split(":loadbalancer/", 1)[-1],
        }
    if type_ in ("aws:lb/targetGroup:TargetGroup", "aws:alb/targetGroup:TargetGroup"):
        return {"arnSuffix": resource_id.split(":", 5)[-1]}
    if type_ == "aws:cloudfront/distribution:Distribution":
        return {"domainName": f"d{hex16[:13]}.cloudfront.net", "hostedZoneId": "Z2FDTNDATAQYW2"}
    if type_ == "aws:route53/zone:Zone":
        return {
            "zoneId": resource_id,
            "nameServers": [
                f"ns-{int(hex16[i : i + 3], 16) % 2048}.awsdns-{i:02d}.{tld}"
                for i, tld in zip((0, 3, 6, 9), ("com", "net", "org", "co.uk"), strict=True)
            ],
        }
    if type_ == "cloudflare:index/zone:Zone":
        return {"nameServers": ["ada.ns.cloudflare.com", "bob.ns.cloudflare.com"], "status": "pending"}
    if type_ in ("aws:s3/bucket:Bucket", "aws:s3/bucketV2:BucketV2"):
        return {
            "bucketDomainName": f"{physical}.s3.amazonaws.com",
            "bucketRegionalDomainName": f"{physical}.s3.{region}.amazonaws.com",
            "region": region,
        }
    if type_ == "aws:rds/instance:Instance":
        return {
            "address": f"{physical}.{hex16[:12]}.{region}.rds.amazonaws.com",
            "endpoint": f"{physical}.{hex16[:12]}.{region}.rds.amazonaws.com:3306",
            "resourceId": f"db-{hex16.upper()}",
            "masterUserSecrets": [
                {
                    "secretArn": f"arn:aws:secretsmanager:{region}:{fields['account']}:"
                    f"secret:rds!db-{fields['uuid']}-{fields['hex6']}"
                }
            ],
        }
    if type_ == "aws:elasticache/replicationGroup:ReplicationGroup":
        count = _node_count(inputs.get("numCacheClusters"))
        return {
            "primaryEndpointAddress": f"master.{physical}.{fields['hex6']}.cache.amazonaws.com",
            "readerEndpointAddress": f"replica.{physical}.{fields['hex6']}.cache.amazonaws.com",
            "memberClusters": [f"{physical}-{index + 1:03d}" for index in range(count)],
        }
    if type_ == "aws:elasticache/cluster:Cluster":
        count = _node_count(inputs.get("numCacheNodes"))
        return {
            "cacheNodes": [
                {
                    "id": f"{index + 1:04d}",
                    "address": f"{physical}.{fields['hex6']}.{index + 1:04d}.cache.amazonaws.com",
                    "port": inputs.get("port") or 6379,
                    "availabilityZone": inputs.get("availabilityZone"),
                }
                for index in range(count)
            ],
            "clusterAddress": f"{physical}.{fields['hex6']}.cfg.cache.amazonaws.com",
        }
    if type_ == "aws:acm/certificate:Certificate":
        names = [inputs.get("domainName"), *(inputs.get("subjectAlternativeNames") or [])]
        return {
            "domainValidationOptions": [
                {
                    "domainName": domain,
                    "resourceRecordName": f"_{_digest(str(domain), 32)}.{domain}.",
                    "resourceRecordType": "CNAME",
                    "resourceRecordValue": f"_{_digest(str(domain) + 'v', 32)}.acm-validations.aws.",
                }
                for domain in names
                if isinstance(domain, str)
            ]
        }
    if type_ == "aws:ec2/eip:Eip":
        octets = [int(hex16[i : i + 2], 16) for i in (0, 2)]
        return {"publicIp": f"203.0.113.{octets[0] % 254 + 1}", "allocationId": resource_id}
    if type_ == "aws:ec2/instance:Instance":
        return {"privateIp": f"10.0.{int(hex16[:2], 16)}.{int(hex16[2:4], 16) % 254 + 1}"}
    if type_ == "aws:sqs/queue:Queue":
        return {"url": f"https://sqs.{region}.amazonaws.com/{fields['account']}/{physical}"}
    if type_ == "aws:cloudfront/originAccessControl:OriginAccessControl":
        return {"etag": hex16.upper()}
    return {}


def _node_count(value: Any) -> int:
    """Return a node count input as an int. An unset or unknown count simulates one node."""
    return int(value) if isinstance(value, (int, float)) and not isinstance(value, bool) and value >= 1 else 1


def invoke_result(token: str, args: Mapping[str, Any], region: str) -> dict[str, Any] | None:
    """Return the simulated result of a data-source call, or None when the token is not simulated."""
    if token == "aws:index/getAvailabilityZones:getAvailabilityZones":
        names = availability_zones(region)
        prefix = {"us-east-1": "use1", "us-west-2": "usw2"}.get(region, region.replace("-", "")[:6])
        return {
            "names": names,
            "zoneIds": [f"{prefix}-az{index + 1}" for index in range(len(names))],
            "id": region,
            "groupNames": [region],
        }
    if token == "aws:index/getCallerIdentity:getCallerIdentity":
        return {
            "accountId": ACCOUNT_ID,
            "arn": f"arn:aws:iam::{ACCOUNT_ID}:user/simulated",
            "userId": "AIDASIMULATED",
            "id": ACCOUNT_ID,
        }
    if token == "aws:index/getRegion:getRegion":
        return {
            "name": region,
            "region": region,
            "id": region,
            "endpoint": f"ec2.{region}.amazonaws.com",
            "description": region,
        }
    if token == "aws:index/getPartition:getPartition":
        return {"partition": "aws", "dnsSuffix": "amazonaws.com", "id": "aws", "reverseDnsPrefix": "com.amazonaws"}
    if token == "aws:ec2/getAmi:getAmi":
        return {
            "id": "ami-0abcdef1234567890",
            "imageId": "ami-0abcdef1234567890",
            "architecture": "x86_64",
            "name": "simulated-ami",
        }
    if token == "aws:ssm/getParameter:getParameter":
        return {"value": "ami-0abcdef1234567890", "name": args.get("name"), "type": "String"}
    if token == "aws:iam/getPolicyDocument:getPolicyDocument":
        return {"json": '{"Version":"2012-10-17","Statement":[]}', "id": "simulated"}
    if token == "aws:ec2/getVpc:getVpc":
        return {"id": "vpc-0simulated0default", "cidrBlock": "172.31.0.0/16"}
    if token == "aws:ec2/getSubnets:getSubnets":
        zones = availability_zones(region)
        return {"ids": [f"subnet-0simulated{index}" for index in range(len(zones))]}
    if token == "aws:elb/getServiceAccount:getServiceAccount":
        return {"arn": "arn:aws:iam::127311923021:root", "id": "127311923021"}
    if token == "aws:route53/getZone:getZone":
        name = str(args.get("name") or "example.com").rstrip(".")
        return {"zoneId": "Z0SIMULATED", "id": "Z0SIMULATED", "name": name, "nameServers": ["ns-1.awsdns-01.com"]}
    if token == "aws:acm/getCertificate:getCertificate":
        return {"arn": f"arn:aws:acm:{region}:{ACCOUNT_ID}:certificate/{_uuid(str(args))}"}
    return None
