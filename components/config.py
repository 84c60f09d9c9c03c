"""Stack configuration: every key, its default and its allowed values, validated in one place.

The whole configuration is checked before the program creates its first resource, so a bad
value never leaves a half-built stack. Each error names the key, repeats the value and states
what is allowed. This module imports nothing from Pulumi so that the offline plan, the tests
and the README generator can use it directly.
"""

from __future__ import annotations

import contextlib
import difflib
import ipaddress
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

Kind = Literal["integer", "boolean", "string", "choice", "list"]

# Pulumi's AWS and Cloudflare providers own their namespaces, so only the keys this program
# reads from them are checked here.
AWS_REGION_KEY = "aws:region"
AWS_REGION_PATTERN = r"^[a-z]{2}(-gov|-iso[a-z]?)?-[a-z]+-\d$"
DNS_PROVIDERS = ("route53", "cloudflare")
CACHE_ENGINE_VERSIONS = {"valkey": "8.0", "redis": "7.1"}
# The replica region of a stack whose own region is the default replica region.
FALLBACK_REPLICA_REGION = "us-east-1"
AL2023_IMAGE = "resolve:ssm:/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-x86_64"

_INSTANCE_TYPE = r"^[a-z][a-z0-9-]*\.[a-z0-9]+$"
_IAM_USER_NAME = r"^[A-Za-z0-9+=,.@_-]{1,64}$"
_HOSTNAME = r"^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$"


class ConfigError(ValueError):
    """An invalid stack configuration value, with the key it belongs to."""

    def __init__(self, key: str, message: str) -> None:
        super().__init__(f"{key}: {message}")
        self.key = key


@dataclass(frozen=True)
class Setting:
    """One configuration key: its type, default, allowed values and documentation."""

    key: str
    kind: Kind
    default: Any
    description: str
    minimum: int | None = None
    maximum: int | None = None
    choices: tuple[Any, ...] = ()
    pattern: str | None = None
    pattern_hint: str = ""
    min_items: int = 0
    required: bool = False
    # A value each new project chooses for itself; `pulumi new` prompts for it.
    prompt: bool = False
    # A list value shown in errors and the README, written as JSON.
    example: Any = None

    def allowed(self) -> str:
        """Describe the allowed values in words, for errors and the README."""
        if self.kind == "integer":
            return f"an integer from {self.minimum} to {self.maximum}"
        if self.kind == "boolean":
            return "true or false"
        if self.kind == "choice":
            return "one of " + ", ".join(str(choice) for choice in self.choices)
        if self.kind == "list":
            if self.choices:
                items = "values from " + ", ".join(self.choices)
            else:
                items = self.pattern_hint or "strings"
            size = "a non-empty list" if self.min_items else "a list"
            example = f", such as {json.dumps(self.example)}" if self.example else ""
            return f"{size} of unique {items}{example}"
        return self.pattern_hint or "a string"


SETTINGS: tuple[Setting, ...] = (
    Setting(
        "azCount",
        "integer",
        3,
        "Availability Zones the stack spreads every tier over. 1 puts each layer in one AZ, "
        "which the SPOF rules report.",
        minimum=1,
        maximum=6,
    ),
    Setting(
        "redundancy.enforcement",
        "choice",
        "mandatory",
        "How SPOF findings count: `mandatory` fails the plan and blocks `pulumi preview "
        "--policy-pack policy`; `advisory` only reports them.",
        choices=("mandatory", "advisory"),
    ),
    Setting(
        "network.cidrBlock",
        "string",
        "10.0.0.0/16",
        "IPv4 range of the VPC. Each tier gets one subnet per AZ, carved from this range.",
        pattern_hint="an IPv4 CIDR block with a prefix from /16 to /23",
    ),
    Setting(
        "network.natGateways",
        "choice",
        "one-per-az",
        "`one-per-az` gives every AZ its own NAT gateway. `single` shares one NAT gateway, a "
        "single point of failure for all private egress, to save cost in development.",
        choices=("one-per-az", "single"),
    ),
    Setting(
        "web.minSize",
        "integer",
        2,
        "Fewest web instances the Auto Scaling group keeps running.",
        minimum=1,
        maximum=100,
    ),
    Setting(
        "web.maxSize",
        "integer",
        6,
        "Most web instances the Auto Scaling group may run; at least `web.minSize`.",
        minimum=1,
        maximum=100,
    ),
    Setting(
        "web.instanceType",
        "string",
        "t3.small",
        "EC2 instance type of the web tier.",
        pattern=_INSTANCE_TYPE,
        pattern_hint="an EC2 instance type such as t3.small",
    ),
    Setting(
        "web.imageId",
        "string",
        AL2023_IMAGE,
        "AMI of the web tier. The default resolves the latest Amazon Linux 2023 AMI at "
        "launch; replace it with your own image.",
        pattern=r"^(ami-[0-9a-f]{8,17}|resolve:ssm:/\S+)$",
        pattern_hint="an AMI ID (ami-...) or a resolve:ssm: parameter",
    ),
    Setting(
        "web.healthCheckPath",
        "string",
        "/healthz",
        "Path the public load balancer probes on each web instance.",
        pattern=r"^/[\w./-]*$",
        pattern_hint="an absolute URL path such as /healthz",
    ),
    Setting(
        "app.minSize",
        "integer",
        2,
        "Fewest app instances the Auto Scaling group keeps running.",
        minimum=1,
        maximum=100,
    ),
    Setting(
        "app.maxSize",
        "integer",
        6,
        "Most app instances the Auto Scaling group may run; at least `app.minSize`.",
        minimum=1,
        maximum=100,
    ),
    Setting(
        "app.instanceType",
        "string",
        "t3.medium",
        "EC2 instance type of the app tier.",
        pattern=_INSTANCE_TYPE,
        pattern_hint="an EC2 instance type such as t3.medium",
    ),
    Setting(
        "app.imageId",
        "string",
        AL2023_IMAGE,
        "AMI of the app tier. The default resolves the latest Amazon Linux 2023 AMI at "
        "launch; replace it with your own image.",
        pattern=r"^(ami-[0-9a-f]{8,17}|resolve:ssm:/\S+)$",
        pattern_hint="an AMI ID (ami-...) or a resolve:ssm: parameter",
    ),
    Setting(
        "app.healthCheckPath",
        "string",
        "/healthz",
        "Path the internal load balancer probes on each app instance.",
        pattern=r"^/[\w./-]*$",
        pattern_hint="an absolute URL path such as /healthz",
    ),
    Setting(
        "loadBalancer.certificateArn",
        "string",
        "",
        "ACM certificate for the HTTPS listener. Empty: the stack requests one for "
        "`dns.domain` and `www.` and validates it through DNS.",
        pattern=r"^(arn:aws[a-z-]*:acm:[a-z0-9-]+:\d{12}:certificate/[0-9a-f-]+)?$",
        pattern_hint="an ACM certificate ARN, or empty",
    ),
    Setting(
        "loadBalancer.healthCheckIntervalSeconds",
        "integer",
        10,
        "Seconds between target health checks. Times `unhealthyThreshold`, it bounds how "
        "long a dead instance keeps receiving traffic.",
        minimum=5,
        maximum=300,
    ),
    Setting(
        "loadBalancer.unhealthyThreshold",
        "integer",
        2,
        "Failed health checks in a row before a target is taken out of service.",
        minimum=2,
        maximum=10,
    ),
    Setting(
        "loadBalancer.healthyThreshold",
        "integer",
        3,
        "Passed health checks in a row before a target receives traffic again.",
        minimum=2,
        maximum=10,
    ),
    Setting(
        "loadBalancer.deletionProtection",
        "boolean",
        True,
        "Deletion protection on both load balancers; turn it off only for throwaway stacks.",
    ),
    Setting(
        "database.multiAz",
        "boolean",
        True,
        "Synchronous standby in a second AZ with automatic failover. `false` makes the "
        "primary a single point of failure.",
    ),
    Setting(
        "database.replicas",
        "integer",
        2,
        "MySQL read replicas, each pinned to a different AZ while AZs last.",
        minimum=0,
        maximum=15,
    ),
    Setting(
        "database.instanceClass",
        "string",
        "db.t4g.medium",
        "RDS instance class of the primary and the replicas.",
        pattern=r"^db\.[a-z0-9-]+\.[a-z0-9]+$",
        pattern_hint="an RDS instance class such as db.t4g.medium",
    ),
    Setting(
        "database.engineVersion",
        "string",
        "8.0",
        "MySQL engine version.",
        pattern=r"^8\.\d+(\.\d+)?$",
        pattern_hint="a MySQL 8 version such as 8.0 or 8.4",
    ),
    Setting(
        "database.allocatedStorageGb",
        "integer",
        50,
        "Storage of the primary in GiB; replicas match it.",
        minimum=20,
        maximum=65536,
    ),
    Setting(
        "database.backupRetentionDays",
        "integer",
        7,
        "Days of automated backups. Read replicas need a source that keeps backups, so 0 "
        "breaks them and the SPOF rules report it.",
        minimum=0,
        maximum=35,
    ),
    Setting("database.deletionProtection", "boolean", True, "Deletion protection on the primary and the replicas."),
    Setting("cache.engine", "choice", "valkey", "ElastiCache engine.", choices=("valkey", "redis")),
    Setting(
        "cache.engineVersion",
        "string",
        "",
        "Engine version. Empty: 8.0 for valkey, 7.1 for redis.",
        pattern=r"^(\d+\.\d+)?$",
        pattern_hint="a version such as 8.0, or empty",
    ),
    Setting(
        "cache.nodeType",
        "string",
        "cache.t4g.small",
        "ElastiCache node type.",
        pattern=r"^cache\.[a-z0-9-]+\.[a-z0-9]+$",
        pattern_hint="an ElastiCache node type such as cache.t4g.small",
    ),
    Setting(
        "cache.replicas",
        "integer",
        2,
        "Replicas beside the primary node. 0 leaves no failover target, which the SPOF rules report.",
        minimum=0,
        maximum=5,
    ),
    Setting("cache.snapshotRetentionDays", "integer", 7, "Days of automatic cache snapshots.", minimum=0, maximum=35),
    Setting(
        "dns.domain",
        "string",
        None,
        "Public domain of the shop. The apex and `www` point at the public load balancer, `images` at the CDN.",
        pattern=_HOSTNAME,
        pattern_hint="a lower-case domain name such as shop.example.com",
        required=True,
        prompt=True,
    ),
    Setting(
        "dns.providers",
        "list",
        ["route53", "cloudflare"],
        "DNS providers that publish the same records. One provider is a single point of "
        "failure, which the SPOF rules report.",
        choices=DNS_PROVIDERS,
        min_items=1,
        example=["route53", "cloudflare"],
    ),
    Setting(
        "dns.ttl",
        "integer",
        60,
        "TTL in seconds of the published records. Short, so that a failover reaches users "
        "quickly; Cloudflare accepts no less than 60 outside Enterprise plans.",
        minimum=30,
        maximum=60,
    ),
    Setting(
        "dns.cloudflareAccountId",
        "string",
        "",
        "Cloudflare account that owns the zone; required when `dns.providers` lists cloudflare.",
        pattern=r"^([0-9a-f]{32})?$",
        pattern_hint="a 32-character hexadecimal account ID",
        prompt=True,
    ),
    Setting(
        "dns.healthCheckIntervalSeconds",
        "choice",
        30,
        "Seconds between Route 53 health checks of the public load balancer.",
        choices=(10, 30),
    ),
    Setting(
        "dns.healthCheckFailureThreshold",
        "integer",
        3,
        "Failed Route 53 health checks in a row before the endpoint counts as down.",
        minimum=1,
        maximum=10,
    ),
    Setting(
        "storage.replicaRegion",
        "string",
        "us-west-2",
        "Region of the replica image bucket. S3 replicates every image there, and CloudFront "
        "falls back to it when the primary bucket returns a server error. Must differ from "
        "`aws:region`; a stack in us-west-2 that leaves it unset gets us-east-1.",
        pattern=AWS_REGION_PATTERN,
        pattern_hint="an AWS region such as us-west-2",
    ),
    Setting(
        "storage.noncurrentVersionDays",
        "integer",
        30,
        "Days an overwritten or deleted image version is kept before it expires.",
        minimum=1,
        maximum=3650,
    ),
    Setting(
        "storage.priceClass",
        "choice",
        "PriceClass_100",
        "CloudFront price class.",
        choices=("PriceClass_100", "PriceClass_200", "PriceClass_All"),
    ),
    Setting(
        "payments.providers",
        "list",
        None,
        "Payment providers the shop can charge through. Each gets a Secrets Manager secret "
        "for its credentials; fewer than two is a single point of failure for checkout.",
        pattern=r"^[a-z][a-z0-9-]{1,30}$",
        pattern_hint="lower-case provider names",
        min_items=1,
        example=["stripe", "adyen"],
        required=True,
        prompt=True,
    ),
    Setting(
        "payments.retryMaxReceiveCount",
        "integer",
        5,
        "Attempts at a failed payment before it moves to the dead-letter queue.",
        minimum=1,
        maximum=100,
    ),
    Setting(
        "monitoring.alarmEmail",
        "string",
        "",
        "Address subscribed to the alarm topic. Empty: no subscription; subscribe your paging "
        "tool to the topic instead.",
        pattern=r"^([^@\s]+@[^@\s]+\.[^@\s]+)?$",
        pattern_hint="an e-mail address, or empty",
    ),
    Setting(
        "monitoring.logRetentionDays",
        "integer",
        90,
        "Days load balancer and CDN access logs are kept in the log bucket.",
        minimum=1,
        maximum=3650,
    ),
    Setting(
        "admins",
        "list",
        [],
        "IAM users the stack creates in the administrators group. Fewer than two leaves "
        "the account with one person who can act, which the SPOF rules report.",
        pattern=_IAM_USER_NAME,
        pattern_hint="IAM user names",
        prompt=True,
        example=["alice.admin", "bob.admin"],
    ),
    Setting(
        "ci.githubRepository",
        "string",
        None,
        "GitHub repository (owner/name) whose workflows may assume the CI deploy role.",
        pattern=r"^[A-Za-z0-9-]{1,39}/[A-Za-z0-9._-]{1,100}$",
        pattern_hint="owner/name of a GitHub repository",
        required=True,
        prompt=True,
    ),
    Setting(
        "ci.oidcProviderArn",
        "string",
        "",
        "Existing GitHub OIDC provider of the account. Empty: the stack creates one; an "
        "account holds only one, so the second stack in an account must name it.",
        pattern=r"^(arn:aws[a-z-]*:iam::\d{12}:oidc-provider/token\.actions\."
        r"githubusercontent\.com)?$",
        pattern_hint="the ARN of the token.actions.githubusercontent.com OIDC provider, or empty",
    ),
)

SETTINGS_BY_KEY: dict[str, Setting] = {setting.key: setting for setting in SETTINGS}
GROUPS: frozenset[str] = frozenset(key.split(".")[0] for key in SETTINGS_BY_KEY if "." in key)


# Typed views of the validated configuration, one per group of keys.


@dataclass(frozen=True)
class NetworkConfig:
    cidr_block: str
    nat_gateways: str


@dataclass(frozen=True)
class TierConfig:
    min_size: int
    max_size: int
    instance_type: str
    image_id: str
    health_check_path: str


@dataclass(frozen=True)
class LoadBalancerConfig:
    certificate_arn: str
    health_check_interval_seconds: int
    unhealthy_threshold: int
    healthy_threshold: int
    deletion_protection: bool


@dataclass(frozen=True)
class DatabaseConfig:
    multi_az: bool
    replicas: int
    instance_class: str
    engine_version: str
    allocated_storage_gb: int
    backup_retention_days: int
    deletion_protection: bool


@dataclass(frozen=True)
class CacheConfig:
    engine: str
    engine_version: str
    node_type: str
    replicas: int
    snapshot_retention_days: int


@dataclass(frozen=True)
class DnsConfig:
    domain: str
    providers: tuple[str, ...]
    ttl: int
    cloudflare_account_id: str
    health_check_interval_seconds: int
    health_check_failure_threshold: int


@dataclass(frozen=True)
class StorageConfig:
    replica_region: str
    noncurrent_version_days: int
    price_class: str


@dataclass(frozen=True)
class PaymentsConfig:
    providers: tuple[str, ...]
    retry_max_receive_count: int


@dataclass(frozen=True)
class MonitoringConfig:
    alarm_email: str
    log_retention_days: int


@dataclass(frozen=True)
class CiConfig:
    github_repository: str
    oidc_provider_arn: str


@dataclass(frozen=True)
class ShopConfig:
    """The validated configuration of one stack."""

    region: str
    az_count: int
    enforcement: str
    network: NetworkConfig
    web: TierConfig
    app: TierConfig
    load_balancer: LoadBalancerConfig
    database: DatabaseConfig
    cache: CacheConfig
    dns: DnsConfig
    storage: StorageConfig
    payments: PaymentsConfig
    monitoring: MonitoringConfig
    admins: tuple[str, ...]
    ci: CiConfig
    # The raw project-namespace values after defaults, keyed by dotted path.
    values: Mapping[str, Any] = field(repr=False, default_factory=dict)


def _show(value: Any) -> str:
    return json.dumps(value, default=str)


def _invalid(setting: Setting, value: Any, rule: str | None = None) -> ConfigError:
    return ConfigError(setting.key, f"invalid value {_show(value)}: expected {rule or setting.allowed()}")


def _coerce_integer(setting: Setting, value: Any) -> int:
    # bool is a subclass of int in Python, but `true` is not a count.
    if isinstance(value, bool):
        raise _invalid(setting, value)
    if isinstance(value, str) and re.fullmatch(r"-?\d+", value.strip()):
        value = int(value.strip())
    if not isinstance(value, int):
        raise _invalid(setting, value)
    assert setting.minimum is not None and setting.maximum is not None
    if not setting.minimum <= value <= setting.maximum:
        raise _invalid(setting, value)
    return value


def _coerce_boolean(setting: Setting, value: Any) -> bool:
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.strip().lower() in ("true", "false"):
        return value.strip().lower() == "true"
    raise _invalid(setting, value)


def _coerce_string(setting: Setting, value: Any) -> str:
    # An unquoted version in a YAML file, such as `engineVersion: 8.4`, reads as a number.
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        value = str(value)
    if not isinstance(value, str):
        raise _invalid(setting, value)
    if setting.pattern and not re.fullmatch(setting.pattern, value):
        raise _invalid(setting, value)
    return value


def _coerce_choice(setting: Setting, value: Any) -> Any:
    for choice in setting.choices:
        if value == choice or (isinstance(value, str) and value == str(choice)):
            return choice
    raise _invalid(setting, value)


def _coerce_list(setting: Setting, value: Any) -> list[str]:
    # Pulumi hands structured values to the program as JSON text.
    if isinstance(value, str):
        try:
            value = json.loads(value)
        except json.JSONDecodeError:
            raise _invalid(setting, value) from None
    if not isinstance(value, list) or len(value) < setting.min_items:
        raise _invalid(setting, value)
    for item in value:
        if not isinstance(item, str):
            raise _invalid(setting, value)
        if setting.choices and item not in setting.choices:
            raise _invalid(setting, value)
        if setting.pattern and not re.fullmatch(setting.pattern, item):
            raise _invalid(setting, value)
    if len(set(value)) != len(value):
        duplicates = sorted({item for item in value if value.count(item) > 1})
        raise ConfigError(setting.key, f"invalid value {_show(value)}: {', '.join(duplicates)} listed more than once")
    return list(value)


_COERCE = {
    "integer": _coerce_integer,
    "boolean": _coerce_boolean,
    "string": _coerce_string,
    "choice": _coerce_choice,
    "list": _coerce_list,
}


def _unknown_key(key: str, known: list[str], name: str | None = None) -> ConfigError:
    """Reject `key`, suggesting the known name closest to `name` (by default its last segment)."""
    name = name or key.rsplit(".", 1)[-1]
    close = difflib.get_close_matches(name, known, n=1)
    hint = f"did you mean {close[0]!r}? " if close else ""
    return ConfigError(key, f"unknown configuration key; {hint}known keys here: {', '.join(known)}")


def _flatten(project_values: Mapping[str, Any]) -> dict[str, Any]:
    """Flatten `{"web": {"minSize": 2}}` into `{"web.minSize": 2}`, rejecting unknown keys.

    `pulumi new` writes its answers under flat keys such as `shop:dns.domain`, so a key may come
    in either form, but not in both.
    """
    flat: dict[str, Any] = {}
    origins: dict[str, str] = {}

    def put(key: str, value: Any, origin: str) -> None:
        if key in flat:
            raise ConfigError(key, f"set twice, {origins[key]} and {origin}; remove one of them")
        flat[key] = value
        origins[key] = origin

    for name, value in project_values.items():
        if name in SETTINGS_BY_KEY:
            put(name, value, f"as the key {name}")
            continue
        if name not in GROUPS:
            check_key(name)
        # A group left empty in YAML (`shop:ci:` with nothing under it) reads as null.
        if value is None:
            continue
        # Pulumi passes an object-valued key to the program as JSON text.
        if isinstance(value, str):
            with contextlib.suppress(json.JSONDecodeError):
                value = json.loads(value)
        members = sorted(k for k in SETTINGS_BY_KEY if k.startswith(name + "."))
        if not isinstance(value, Mapping):
            raise ConfigError(
                name,
                f"invalid value {_show(value)}: expected an object with the "
                f"keys {', '.join(m.split('.', 1)[1] for m in members)}",
            )
        for member, member_value in value.items():
            key = f"{name}.{member}"
            if key not in SETTINGS_BY_KEY:
                raise _unknown_key(key, [m.split(".", 1)[1] for m in members])
            put(key, member_value, f"as {member} under {name}")
    return flat


def _check_cidr(value: str) -> None:
    setting = SETTINGS_BY_KEY["network.cidrBlock"]
    try:
        network = ipaddress.IPv4Network(value, strict=True)
    except ValueError:
        raise _invalid(setting, value) from None
    if not 16 <= network.prefixlen <= 23:
        raise _invalid(setting, value)


def validate(config: Mapping[str, Any], project: str) -> ShopConfig:
    """Validate a stack's configuration and return it with defaults filled in.

    `config` maps namespaced keys (`shop:azCount`, `aws:region`) to values, either as Python
    objects read from a stack file or as the strings that Pulumi hands to a program. Keys of
    other namespaces are left to their providers. Raises ConfigError on the first bad value.
    """
    prefix = project + ":"
    project_values = {key[len(prefix) :]: value for key, value in config.items() if key.startswith(prefix)}

    region = config.get(AWS_REGION_KEY)
    if region is None or region == "":
        raise ConfigError(
            AWS_REGION_KEY,
            "missing: set the AWS region of the stack, for example `pulumi config set aws:region us-east-1`",
        )
    if not isinstance(region, str) or not re.fullmatch(AWS_REGION_PATTERN, region):
        raise ConfigError(AWS_REGION_KEY, f"invalid value {_show(region)}: expected an AWS region such as us-east-1")

    stack_values = _flatten(project_values)
    values: dict[str, Any] = {}
    for setting in SETTINGS:
        if setting.key not in stack_values:
            if setting.required:
                raise ConfigError(
                    setting.key,
                    f"missing: expected {setting.allowed()}; set it with `pulumi config set --path {setting.key} ...`",
                )
            values[setting.key] = setting.default
            continue
        values[setting.key] = _COERCE[setting.kind](setting, stack_values[setting.key])

    _check_cidr(values["network.cidrBlock"])
    for tier in ("web", "app"):
        if values[f"{tier}.maxSize"] < values[f"{tier}.minSize"]:
            raise ConfigError(
                f"{tier}.maxSize",
                f"invalid value {values[f'{tier}.maxSize']}: expected at least "
                f"{tier}.minSize ({values[f'{tier}.minSize']})",
            )
    if "cloudflare" in values["dns.providers"] and not values["dns.cloudflareAccountId"]:
        raise ConfigError(
            "dns.cloudflareAccountId",
            "missing: required when dns.providers includes cloudflare; expected "
            + SETTINGS_BY_KEY["dns.cloudflareAccountId"].pattern_hint,
        )
    if "storage.replicaRegion" not in stack_values and values["storage.replicaRegion"] == region:
        values["storage.replicaRegion"] = FALLBACK_REPLICA_REGION
    if values["storage.replicaRegion"] == region:
        raise ConfigError(
            "storage.replicaRegion",
            f"invalid value {_show(region)}: expected a region other than aws:region ({region}), "
            "so that the image replica survives the loss of the primary region",
        )
    return _build(region, values)


def _build(region: str, values: dict[str, Any]) -> ShopConfig:
    def tier(name: str) -> TierConfig:
        return TierConfig(
            min_size=values[f"{name}.minSize"],
            max_size=values[f"{name}.maxSize"],
            instance_type=values[f"{name}.instanceType"],
            image_id=values[f"{name}.imageId"],
            health_check_path=values[f"{name}.healthCheckPath"],
        )

    return ShopConfig(
        region=region,
        az_count=values["azCount"],
        enforcement=values["redundancy.enforcement"],
        network=NetworkConfig(values["network.cidrBlock"], values["network.natGateways"]),
        web=tier("web"),
        app=tier("app"),
        load_balancer=LoadBalancerConfig(
            certificate_arn=values["loadBalancer.certificateArn"],
            health_check_interval_seconds=values["loadBalancer.healthCheckIntervalSeconds"],
            unhealthy_threshold=values["loadBalancer.unhealthyThreshold"],
            healthy_threshold=values["loadBalancer.healthyThreshold"],
            deletion_protection=values["loadBalancer.deletionProtection"],
        ),
        database=DatabaseConfig(
            multi_az=values["database.multiAz"],
            replicas=values["database.replicas"],
            instance_class=values["database.instanceClass"],
            engine_version=values["database.engineVersion"],
            allocated_storage_gb=values["database.allocatedStorageGb"],
            backup_retention_days=values["database.backupRetentionDays"],
            deletion_protection=values["database.deletionProtection"],
        ),
        cache=CacheConfig(
            engine=values["cache.engine"],
            engine_version=values["cache.engineVersion"] or CACHE_ENGINE_VERSIONS[values["cache.engine"]],
            node_type=values["cache.nodeType"],
            replicas=values["cache.replicas"],
            snapshot_retention_days=values["cache.snapshotRetentionDays"],
        ),
        dns=DnsConfig(
            domain=values["dns.domain"],
            providers=tuple(values["dns.providers"]),
            ttl=values["dns.ttl"],
            cloudflare_account_id=values["dns.cloudflareAccountId"],
            health_check_interval_seconds=values["dns.healthCheckIntervalSeconds"],
            health_check_failure_threshold=values["dns.healthCheckFailureThreshold"],
        ),
        storage=StorageConfig(
            replica_region=values["storage.replicaRegion"],
            noncurrent_version_days=values["storage.noncurrentVersionDays"],
            price_class=values["storage.priceClass"],
        ),
        payments=PaymentsConfig(
            providers=tuple(values["payments.providers"]),
            retry_max_receive_count=values["payments.retryMaxReceiveCount"],
        ),
        monitoring=MonitoringConfig(values["monitoring.alarmEmail"], values["monitoring.logRetentionDays"]),
        admins=tuple(values["admins"]),
        ci=CiConfig(values["ci.githubRepository"], values["ci.oidcProviderArn"]),
        values=values,
    )


def check_key(key: str) -> None:
    """Raise ConfigError unless `key` (a dotted path) is a known key or group of keys."""
    if key in SETTINGS_BY_KEY or key in GROUPS:
        return
    group, _, member = key.partition(".")
    if member and group in GROUPS:
        raise _unknown_key(key, sorted(k.split(".", 1)[1] for k in SETTINGS_BY_KEY if k.startswith(group + ".")))
    raise _unknown_key(key, sorted({k.split(".")[0] for k in SETTINGS_BY_KEY}), name=group)
