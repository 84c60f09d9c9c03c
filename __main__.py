"""The shop: a highly available e-commerce stack on AWS, with DNS on Route 53 and Cloudflare.

The whole stack configuration is validated before the first resource is registered. The
components are then built in the order their inputs need: DNS zones first, because load
balancer and CDN certificates are validated through them, and public records last, because
they point at the load balancer and the CDN.
"""

import pulumi
import pulumi_aws as aws
from pulumi.runtime import config as runtime_config

from components.backup import DatabaseBackup
from components.cache import Cache
from components.chaos import ChaosDrills
from components.config import ConfigError, ShopConfig, validate
from components.database import Database
from components.dns import DnsZones, PublicRecords
from components.identity import Identity
from components.load_balancer import InternalLoadBalancer, PublicLoadBalancer
from components.monitoring import Alarms, LogArchive, Watched
from components.network import Network
from components.payments import Payments
from components.providers import LayerProviders
from components.security_groups import SecurityGroups
from components.storage import ImageStorage
from components.tier import Tier


def read_config() -> ShopConfig:
    # Pulumi's SDK reads one key at a time and offers no list of the keys a stack sets. The
    # runtime's map is read whole, so that a misspelt key is rejected instead of ignored.
    values = {**runtime_config.get_config_env(), **runtime_config.CONFIG.get()}
    try:
        return validate(values, pulumi.get_project())
    except ConfigError as error:
        raise pulumi.RunError(f"invalid stack configuration: {error}") from None


config = read_config()
project, stack = pulumi.get_project(), pulumi.get_stack()
providers = LayerProviders(project, stack, config.region)

available = aws.get_availability_zones(
    state="available",
    opts=pulumi.InvokeOptions(provider=providers.get("network")),
)
if config.az_count > len(available.names):
    raise pulumi.RunError(
        f"invalid stack configuration: azCount: invalid value {config.az_count}: region "
        f"{config.region} offers {len(available.names)} AZs ({', '.join(available.names)})"
    )
azs = sorted(available.names)[: config.az_count]

zones = DnsZones("dns", config.dns, opts=providers.opts("dns"))
network = Network("network", config.network, azs, opts=providers.opts("network"))
security_groups = SecurityGroups("security-groups", network.vpc_id, opts=providers.opts("network"))
logs = LogArchive("logs", config.monitoring, opts=providers.opts("monitoring"))

public_lb = PublicLoadBalancer(
    "public-lb",
    subnets=network.public_subnets,
    security_group_id=security_groups.public_lb.id,
    vpc_id=network.vpc_id,
    config=config.load_balancer,
    health_check_path=config.web.health_check_path,
    domain=config.dns.domain,
    zones=zones,
    access_log_bucket=logs.bucket_name,
    opts=providers.opts("load-balancer"),
)
internal_lb = InternalLoadBalancer(
    "internal-lb",
    subnets=network.app_subnets,
    security_group_id=security_groups.internal_lb.id,
    vpc_id=network.vpc_id,
    config=config.load_balancer,
    health_check_path=config.app.health_check_path,
    access_log_bucket=logs.bucket_name,
    opts=providers.opts("load-balancer"),
)

database = Database(
    "database",
    config.database,
    subnets=network.data_subnets,
    security_group_id=security_groups.database.id,
    azs=azs,
    opts=providers.opts("database"),
)
cache = Cache(
    "cache",
    config.cache,
    subnets=network.data_subnets,
    security_group_id=security_groups.cache.id,
    azs=azs,
    opts=providers.opts("cache"),
)
payments = Payments("payments", config.payments, opts=providers.opts("payments"))
storage = ImageStorage(
    "storage",
    config.storage,
    domain=config.dns.domain,
    zones=zones,
    replica_provider=providers.get("storage", config.storage.replica_region),
    certificate_provider=providers.get("storage", "us-east-1"),
    log_bucket_domain_name=logs.bucket_domain_name,
    opts=providers.opts("storage"),
)

web = Tier(
    "web",
    config.web,
    layer="web",
    subnets=network.app_subnets,
    security_group_id=security_groups.web.id,
    target_group_arn=public_lb.target_group.arn,
    port=security_groups.WEB_PORT,
    environment={"APP_URL": internal_lb.load_balancer.dns_name.apply(lambda name: f"http://{name}")},
    opts=providers.opts("web"),
)
app = Tier(
    "app",
    config.app,
    layer="app",
    subnets=network.app_subnets,
    security_group_id=security_groups.app.id,
    target_group_arn=internal_lb.target_group.arn,
    port=security_groups.APP_PORT,
    environment={
        "DATABASE_HOST": database.primary.address,
        "DATABASE_READER_HOSTS": pulumi.Output.all(*[replica.address for replica in database.replicas]).apply(",".join),
        "DATABASE_SECRET_ARN": database.master_secret_arn,
        "CACHE_HOST": cache.replication_group.primary_endpoint_address,
        "PAYMENT_RETRY_QUEUE_URL": payments.retry_queue.url,
        "PAYMENT_SECRET_ARNS": pulumi.Output.all(*[secret.arn for secret in payments.secrets.values()]).apply(",".join),
    },
    readable_secret_arns=[database.master_secret_arn, *[secret.arn for secret in payments.secrets.values()]],
    queue_arns=[payments.retry_queue.arn, payments.dead_letter_queue.arn],
    opts=providers.opts("app"),
)

identity = Identity(
    "identity",
    admins=config.admins,
    ci=config.ci,
    stack=stack,
    human_provider=providers.get("human"),
    opts=providers.opts("identity"),
)
records = PublicRecords(
    "dns-records",
    config.dns,
    zones=zones,
    load_balancer=public_lb.load_balancer,
    health_check_path=config.web.health_check_path,
    distribution=storage.distribution,
    opts=providers.opts("dns"),
)

backup = DatabaseBackup(
    "backup",
    database_arn=database.primary.arn,
    subnet_group_name=database.subnet_group.name,
    security_group_id=security_groups.database.id,
    opts=providers.opts("database"),
)
alarms = Alarms(
    "alarms",
    config.monitoring,
    Watched(
        public_lb=public_lb.load_balancer,
        public_target_group=public_lb.target_group,
        internal_lb=internal_lb.load_balancer,
        internal_target_group=internal_lb.target_group,
        groups=[("web", web.group, config.web.min_size), ("app", app.group, config.app.min_size)],
        primary=database.primary,
        allocated_storage_gb=config.database.allocated_storage_gb,
        replicas=database.replicas,
        cache=cache.replication_group,
        cache_nodes=config.cache.replicas + 1,
        distribution=storage.distribution,
        health_check=records.health_check,
        dead_letter_queue=payments.dead_letter_queue,
    ),
    global_provider=providers.get("monitoring", "us-east-1"),
    stack_region=config.region,
    opts=providers.opts("monitoring"),
)
drills = ChaosDrills(
    "chaos",
    azs=azs,
    stack=stack,
    database_arn=database.primary.arn,
    database_multi_az=config.database.multi_az,
    cache_arn=cache.replication_group.arn,
    stop_alarm_arn=alarms.alarms["public-lb-5xx"].arn,
    opts=providers.opts("monitoring"),
)

pulumi.export("azs", azs)
pulumi.export("url", f"https://{config.dns.domain}")
pulumi.export("imagesUrl", f"https://images.{config.dns.domain}")
pulumi.export("route53NameServers", zones.route53_name_servers)
pulumi.export("cloudflareNameServers", zones.cloudflare_name_servers)
pulumi.export("publicLoadBalancerDnsName", public_lb.load_balancer.dns_name)
pulumi.export("cdnDomainName", storage.distribution.domain_name)
pulumi.export("imageBucket", storage.bucket.bucket)
pulumi.export("databaseEndpoint", database.primary.endpoint)
pulumi.export("cacheEndpoint", cache.replication_group.primary_endpoint_address)
pulumi.export("paymentRetryQueueUrl", payments.retry_queue.url)
pulumi.export("ciDeployRoleArn", identity.deploy_role.arn)
pulumi.export("ciPreviewRoleArn", identity.preview_role.arn)
pulumi.export("alarmTopicArn", alarms.topic.arn)
pulumi.export("logBucket", logs.bucket.bucket)
pulumi.export("replicaImageBucket", storage.replica_bucket.bucket)
pulumi.export("backupVault", backup.vault.name)
pulumi.export("chaosTemplateIds", [template.id for template in drills.templates])
