"""Deploy a redundant online shop into an AWS account with plain boto3 calls, for the live check's tests.

This is what another team's deployment could look like: it imports nothing from this project
and tags every resource the way the Pulumi program does (`pulumi:project`, `pulumi:stack`,
`layer`). The tests point it at a moto server on 127.0.0.1. Options break one thing at a time.

Two workarounds for moto 5.2, each marked where it applies: ElastiCache creates the replicas
of a cluster-mode-disabled group from ReplicasPerNodeGroup only, and CloudFront rejects a
default cache behavior that targets an origin group.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import boto3

REGION = "us-east-1"
REPLICA_REGION = "us-west-2"
AZS = ("us-east-1a", "us-east-1b", "us-east-1c")
DOMAIN = "shop.example.com"
ADMINISTRATOR_ACCESS = "arn:aws:iam::aws:policy/AdministratorAccess"
AMI = "ami-12c6146b"
# The hosted zone of every CloudFront distribution, as AWS documents for alias records.
CLOUDFRONT_ZONE_ID = "Z2FDTNDATAQYW2"


@dataclass
class Shop:
    """The names and ids a test needs to find what it deployed."""

    vpc_id: str = ""
    subnets: dict[tuple[str, str], str] = field(default_factory=dict)
    public_lb_dns: str = ""
    cdn_domain: str = ""
    zone_id: str = ""
    web_group: str = ""
    app_group: str = ""
    primary_db: str = ""
    replicas: list[str] = field(default_factory=list)


def _tags(project: str, stack: str, layer: str, name: str | None = None) -> list[dict[str, str]]:
    tags = [
        {"Key": "pulumi:project", "Value": project},
        {"Key": "pulumi:stack", "Value": stack},
        {"Key": "layer", "Value": layer},
    ]
    if name:
        tags.append({"Key": "Name", "Value": name})
    return tags


def deploy(
    endpoint_url: str,
    *,
    stack: str = "prod",
    project: str = "shop",
    database_multi_az: bool = True,
    read_replicas: int = 2,
    web_azs: int = 3,
) -> Shop:
    """Create the shop and return its ids; `database_multi_az` and `web_azs` break it on purpose."""

    def client(service: str, region: str = REGION) -> Any:
        return boto3.client(service, region_name=region, endpoint_url=endpoint_url)

    def tags(layer: str, name: str | None = None) -> list[dict[str, str]]:
        return _tags(project, stack, layer, name)

    # Names that AWS requires unique carry the stack, so that two stacks can share an account.
    prefix = f"{project}-{stack}"
    shop = Shop()
    ec2 = client("ec2")

    # Network: three subnet tiers in every AZ, one NAT gateway per AZ.
    shop.vpc_id = ec2.create_vpc(
        CidrBlock="10.20.0.0/16", TagSpecifications=[{"ResourceType": "vpc", "Tags": tags("network", f"{prefix}-vpc")}]
    )["Vpc"]["VpcId"]
    for tier_index, tier in enumerate(("public", "app", "data")):
        for az_index, az in enumerate(AZS):
            subnet_tags = [*tags("network", f"{prefix}-{tier}-{az}"), {"Key": "tier", "Value": tier}]
            shop.subnets[(tier, az)] = ec2.create_subnet(
                VpcId=shop.vpc_id,
                CidrBlock=f"10.20.{tier_index * 10 + az_index}.0/24",
                AvailabilityZone=az,
                TagSpecifications=[{"ResourceType": "subnet", "Tags": subnet_tags}],
            )["Subnet"]["SubnetId"]
    gateway = ec2.create_internet_gateway(
        TagSpecifications=[{"ResourceType": "internet-gateway", "Tags": tags("network", f"{prefix}-igw")}]
    )["InternetGateway"]["InternetGatewayId"]
    ec2.attach_internet_gateway(InternetGatewayId=gateway, VpcId=shop.vpc_id)
    public_table = ec2.create_route_table(
        VpcId=shop.vpc_id,
        TagSpecifications=[{"ResourceType": "route-table", "Tags": tags("network", f"{prefix}-public")}],
    )["RouteTable"]["RouteTableId"]
    ec2.create_route(RouteTableId=public_table, DestinationCidrBlock="0.0.0.0/0", GatewayId=gateway)
    for az in AZS:
        ec2.associate_route_table(RouteTableId=public_table, SubnetId=shop.subnets[("public", az)])
        allocation = ec2.allocate_address(
            Domain="vpc",
            TagSpecifications=[{"ResourceType": "elastic-ip", "Tags": tags("network", f"{prefix}-nat-{az}")}],
        )["AllocationId"]
        nat = ec2.create_nat_gateway(
            SubnetId=shop.subnets[("public", az)],
            AllocationId=allocation,
            TagSpecifications=[{"ResourceType": "natgateway", "Tags": tags("network", f"{prefix}-nat-{az}")}],
        )["NatGateway"]["NatGatewayId"]
        private_table = ec2.create_route_table(
            VpcId=shop.vpc_id,
            TagSpecifications=[{"ResourceType": "route-table", "Tags": tags("network", f"{prefix}-private-{az}")}],
        )["RouteTable"]["RouteTableId"]
        ec2.create_route(RouteTableId=private_table, DestinationCidrBlock="0.0.0.0/0", NatGatewayId=nat)
        for tier in ("app", "data"):
            ec2.associate_route_table(RouteTableId=private_table, SubnetId=shop.subnets[(tier, az)])

    # Load balancers over every AZ, and a target group per tier.
    elb = client("elbv2")
    public_lb = elb.create_load_balancer(
        Name=f"{prefix}-public",
        Subnets=[shop.subnets[("public", az)] for az in AZS],
        Scheme="internet-facing",
        Type="application",
        Tags=tags("load-balancer"),
    )["LoadBalancers"][0]
    shop.public_lb_dns = public_lb["DNSName"]
    elb.create_load_balancer(
        Name=f"{prefix}-internal",
        Subnets=[shop.subnets[("app", az)] for az in AZS],
        Scheme="internal",
        Type="application",
        Tags=tags("load-balancer"),
    )
    target_groups = {
        tier: elb.create_target_group(
            Name=f"{prefix}-{tier}",
            Protocol="HTTP",
            Port=8080,
            VpcId=shop.vpc_id,
            HealthCheckPath="/health",
            Tags=tags("load-balancer"),
        )["TargetGroups"][0]["TargetGroupArn"]
        for tier in ("web", "app")
    }

    # Web and app tiers: Auto Scaling groups with ELB health checks.
    ec2.create_launch_template(
        LaunchTemplateName=f"{prefix}-instance", LaunchTemplateData={"ImageId": AMI, "InstanceType": "t3.small"}
    )
    autoscaling = client("autoscaling")
    for tier, azs in (("web", AZS[:web_azs]), ("app", AZS)):
        name = f"{prefix}-{tier}"
        autoscaling.create_auto_scaling_group(
            AutoScalingGroupName=name,
            LaunchTemplate={"LaunchTemplateName": f"{prefix}-instance"},
            MinSize=2,
            MaxSize=6,
            DesiredCapacity=2,
            VPCZoneIdentifier=",".join(shop.subnets[("app", az)] for az in azs),
            HealthCheckType="ELB",
            HealthCheckGracePeriod=180,
            TargetGroupARNs=[target_groups[tier]],
            Tags=[{**tag, "PropagateAtLaunch": True} for tag in tags(tier)],
        )
    shop.web_group, shop.app_group = f"{prefix}-web", f"{prefix}-app"

    # Database: a MySQL primary, Multi-AZ unless broken, and read replicas in the other AZs.
    rds = client("rds")
    rds.create_db_subnet_group(
        DBSubnetGroupName=f"{prefix}-data",
        DBSubnetGroupDescription="Data subnets",
        SubnetIds=[shop.subnets[("data", az)] for az in AZS],
        Tags=tags("database"),
    )
    shop.primary_db = f"{prefix}-primary"
    placement = {} if database_multi_az else {"AvailabilityZone": AZS[0]}
    rds.create_db_instance(
        DBInstanceIdentifier=shop.primary_db,
        Engine="mysql",
        DBInstanceClass="db.t4g.medium",
        MasterUsername="shop_admin",
        MasterUserPassword="not-a-real-password",
        AllocatedStorage=20,
        MultiAZ=database_multi_az,
        BackupRetentionPeriod=7,
        DBSubnetGroupName=f"{prefix}-data",
        Tags=tags("database", shop.primary_db),
        **placement,
    )
    for index in range(read_replicas):
        replica = f"{prefix}-replica-{index + 1}"
        rds.create_db_instance_read_replica(
            DBInstanceIdentifier=replica,
            SourceDBInstanceIdentifier=shop.primary_db,
            AvailabilityZone=AZS[(index + 1) % len(AZS)],
            Tags=tags("database", replica),
        )
        shop.replicas.append(replica)

    # Cache: three nodes in three AZs with automatic failover and Multi-AZ.
    elasticache = client("elasticache")
    elasticache.create_cache_subnet_group(
        CacheSubnetGroupName=f"{prefix}-cache",
        CacheSubnetGroupDescription="Data subnets",
        SubnetIds=[shop.subnets[("data", az)] for az in AZS],
        Tags=tags("cache"),
    )
    elasticache.create_replication_group(
        ReplicationGroupId=f"{prefix}-cache",
        ReplicationGroupDescription="Sessions and catalogue",
        Engine="redis",
        CacheNodeType="cache.t4g.small",
        NumCacheClusters=3,
        # moto 5.2 ignores NumCacheClusters when cluster mode is disabled and creates the
        # replicas from ReplicasPerNodeGroup.
        ReplicasPerNodeGroup=2,
        PreferredCacheClusterAZs=list(AZS),
        AutomaticFailoverEnabled=True,
        MultiAZEnabled=True,
        CacheSubnetGroupName=f"{prefix}-cache",
        Tags=tags("cache"),
    )

    # Storage: versioned image bucket replicated to a second region, and a versioned log bucket.
    images, replica, logs = f"{prefix}-images", f"{prefix}-images-replica", f"{prefix}-logs"
    s3 = client("s3")
    s3_replica = client("s3", REPLICA_REGION)
    s3.create_bucket(Bucket=images)
    s3_replica.create_bucket(Bucket=replica, CreateBucketConfiguration={"LocationConstraint": REPLICA_REGION})
    s3.create_bucket(Bucket=logs)
    for bucket, layer, s3_client in (
        (images, "storage", s3),
        (replica, "storage", s3_replica),
        (logs, "monitoring", s3),
    ):
        s3_client.put_bucket_tagging(Bucket=bucket, Tagging={"TagSet": tags(layer)})
        s3_client.put_bucket_versioning(Bucket=bucket, VersioningConfiguration={"Status": "Enabled"})
    s3.put_bucket_replication(
        Bucket=images,
        ReplicationConfiguration={
            "Role": "arn:aws:iam::123456789012:role/shop-replication",
            "Rules": [
                {
                    "ID": "images-to-replica",
                    "Status": "Enabled",
                    "Priority": 1,
                    "Filter": {},
                    "DeleteMarkerReplication": {"Status": "Enabled"},
                    "Destination": {"Bucket": f"arn:aws:s3:::{replica}"},
                }
            ],
        },
    )

    # CDN: an origin group that fails over to the replica on server errors.
    cloudfront = client("cloudfront")
    distribution = cloudfront.create_distribution_with_tags(
        DistributionConfigWithTags={
            "DistributionConfig": {
                "CallerReference": f"{stack}-images",
                "Comment": f"Images of {DOMAIN}",
                "Enabled": True,
                "Origins": {
                    "Quantity": 2,
                    "Items": [
                        {
                            "Id": "images-primary",
                            "DomainName": f"{images}.s3.us-east-1.amazonaws.com",
                            "S3OriginConfig": {"OriginAccessIdentity": ""},
                        },
                        {
                            "Id": "images-replica",
                            "DomainName": f"{replica}.s3.us-west-2.amazonaws.com",
                            "S3OriginConfig": {"OriginAccessIdentity": ""},
                        },
                    ],
                },
                "OriginGroups": {
                    "Quantity": 1,
                    "Items": [
                        {
                            "Id": "images",
                            "FailoverCriteria": {"StatusCodes": {"Quantity": 4, "Items": [500, 502, 503, 504]}},
                            "Members": {
                                "Quantity": 2,
                                "Items": [{"OriginId": "images-primary"}, {"OriginId": "images-replica"}],
                            },
                        }
                    ],
                },
                # On AWS this would target the origin group "images"; moto 5.2 accepts only an origin here.
                "DefaultCacheBehavior": {
                    "TargetOriginId": "images-primary",
                    "ViewerProtocolPolicy": "redirect-to-https",
                    "CachePolicyId": "658327ea-f89d-4fab-a63d-7e88639e58f6",
                },
            },
            "Tags": {"Items": tags("storage")},
        }
    )["Distribution"]
    shop.cdn_domain = distribution["DomainName"]

    # DNS: the public names in Route 53 and a health check on the public load balancer.
    route53 = client("route53")
    shop.zone_id = route53.create_hosted_zone(Name=DOMAIN, CallerReference=f"{stack}-zone")["HostedZone"]["Id"]
    shop.zone_id = shop.zone_id.rsplit("/", 1)[-1]
    route53.change_tags_for_resource(ResourceType="hostedzone", ResourceId=shop.zone_id, AddTags=tags("dns"))
    changes = [
        {
            "Action": "CREATE",
            "ResourceRecordSet": {
                "Name": name,
                "Type": "A",
                "AliasTarget": {"HostedZoneId": zone, "DNSName": target, "EvaluateTargetHealth": evaluate},
            },
        }
        for name, zone, target, evaluate in (
            (DOMAIN, public_lb["CanonicalHostedZoneId"], shop.public_lb_dns, True),
            (f"www.{DOMAIN}", public_lb["CanonicalHostedZoneId"], shop.public_lb_dns, True),
            (f"images.{DOMAIN}", CLOUDFRONT_ZONE_ID, shop.cdn_domain, False),
        )
    ]
    route53.change_resource_record_sets(HostedZoneId=shop.zone_id, ChangeBatch={"Changes": changes})
    check = route53.create_health_check(
        CallerReference=f"{stack}-lb",
        HealthCheckConfig={
            "Type": "HTTPS",
            "FullyQualifiedDomainName": shop.public_lb_dns,
            "Port": 443,
            "ResourcePath": "/health",
            "RequestInterval": 30,
            "FailureThreshold": 3,
            "EnableSNI": True,
        },
    )["HealthCheck"]["Id"]
    route53.change_tags_for_resource(
        ResourceType="healthcheck", ResourceId=check, AddTags=tags("dns", f"{prefix}-lb-health-check")
    )

    # People: two administrators, tagged like the admin users of the Pulumi program.
    iam = client("iam")
    administrators = f"{prefix}-administrators"
    iam.create_group(GroupName=administrators, Path="/shop/")
    iam.attach_group_policy(GroupName=administrators, PolicyArn=ADMINISTRATOR_ACCESS)
    for user in (f"alice.{stack}", f"bob.{stack}"):
        iam.create_user(UserName=user, Path="/shop/", Tags=tags("human"))
        iam.add_user_to_group(GroupName=administrators, UserName=user)

    # Payments: one secret per provider.
    secretsmanager = client("secretsmanager")
    for provider in ("stripe", "adyen"):
        secretsmanager.create_secret(
            Name=f"{project}/{stack}/payments/{provider}",
            Description=f"API credentials of the payment provider {provider}",
            Tags=[*tags("payments"), {"Key": "payment-provider", "Value": provider}],
        )
    return shop
