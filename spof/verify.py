"""`python -m spof verify`: check a deployed stack in a live AWS account with the plan's rules.

The check reads the resources tagged `pulumi:project` and `pulumi:stack` with boto3 and turns
them into the same resource graph that the offline plan records. The same rules then run on
it, so a finding has the same rule id and fields in both places. When the stack has a file in
stacks/, its `redundancy.enforcement` sets the severity and the offline plan of that file says
which kinds of resource the account should hold; each kind the account lacks is an advisory
`live-missing-resource` finding. With a Cloudflare API token, the Cloudflare zone's records join
the graph and the DNS rules compare them with Route 53.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from . import engine, stackconfig
from .graph import AUTOSCALING_GROUP, LAYERS, LOAD_BALANCERS, RDS_SUBNET_GROUP, ROUTE53_ZONE, SUBNET, Graph, Resource
from .live.account import PROJECT_TAG, STACK_TAG, Account, LiveAccessError
from .report import Report, render_json, render_text
from .rules import Finding, all_rules, evaluate

ROOT = Path(__file__).resolve().parent.parent
TOKEN_VARIABLE = "CLOUDFLARE_API_TOKEN"
# The rules that compare the two DNS providers; without the Cloudflare zone they would report
# every Route 53 name as published on one provider only.
CLOUDFLARE_RULES = ("dns-single-provider", "dns-providers-differ")
DEFAULT_SEVERITY = "mandatory"


class VerifyError(Exception):
    """A stack, configuration or account that the live check cannot use: one line, exit 2."""


@dataclass(frozen=True)
class StackSettings:
    """The settings of the stack's file in stacks/ that the live check uses; the defaults apply without one."""

    path: Path | None = None
    enforcement: str = DEFAULT_SEVERITY
    region: str | None = None
    replica_region: str | None = None
    domain: str | None = None


@dataclass
class LiveReport(Report):
    """A report of the live check: a `live` section in place of the plan's `simulation` one."""

    live: dict[str, Any] = field(default_factory=dict)
    # Lines printed after the resources in the text form: what was skipped and why.
    text_notes: list[str] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        document = super().to_json()
        document.pop("simulation", None)
        return {"stack": document.pop("stack"), "project": document.pop("project"), "live": self.live, **document}


def render_verify(report: LiveReport, output_format: str) -> str:
    if output_format == "json":
        return render_json(report)
    notes = ["", "Live check notes:", *(f"  {line}" for line in report.text_notes)] if report.text_notes else []
    return render_text(report, text_sections=notes)


def _shown(path: Path) -> str:
    try:
        return os.path.relpath(path)
    except ValueError:
        return str(path)


def stack_settings(program: engine.Program, stack: str) -> StackSettings:
    """Read and validate the stack's file, or return the defaults when the stack has none."""
    path = program.stack_config_dir / f"Pulumi.{stack}.yaml"
    if not path.is_file():
        return StackSettings()
    # The project's own schema validates the file, as for the plan and `pulumi up`.
    from components.config import ConfigError, validate

    values = stackconfig.load(path)
    try:
        shop = validate(values, program.project)
    except ConfigError as error:
        raise VerifyError(f"{_shown(path)}: {error}") from None
    return StackSettings(path, shop.enforcement, shop.region, shop.storage.replica_region, shop.dns.domain)


def _resolve_region(account: Account, requested: str | None, settings: StackSettings) -> str:
    region = requested or settings.region
    if region:
        return region
    import boto3
    from botocore.exceptions import BotoCoreError

    try:
        account.session = boto3.session.Session()
        # boto3 reads AWS_DEFAULT_REGION and the profile; the AWS CLI v2 and most tools also
        # honour AWS_REGION, so it is read here as well.
        region = account.session.region_name or os.environ.get("AWS_REGION")
    except BotoCoreError as error:
        raise VerifyError(f"cannot read the AWS configuration: {error}") from None
    if not region:
        raise VerifyError(
            "no AWS region: pass --region, set AWS_REGION or AWS_DEFAULT_REGION, or add aws:region to the stack file"
        )
    return region


def _referenced_subnets(resources: list[Resource]) -> set[str]:
    """Return the subnet ids that load balancers, Auto Scaling groups and DB subnet groups name."""
    referenced: set[str] = set()
    for resource in resources:
        if resource.type in LOAD_BALANCERS:
            referenced.update(resource.props.get("subnets") or ())
        elif resource.type == AUTOSCALING_GROUP:
            referenced.update(resource.props.get("vpcZoneIdentifiers") or ())
        elif resource.type == RDS_SUBNET_GROUP:
            referenced.update(resource.props.get("subnetIds") or ())
    return referenced


def read_account(account: Account, settings: StackSettings) -> list[Resource]:
    """Read every service the rules need; a service that fails is skipped and named in the report."""
    from .live.compute import read_auto_scaling_groups, read_load_balancers
    from .live.data import read_caches, read_databases
    from .live.dns import read_route53
    from .live.network import read_instances, read_network, read_subnets
    from .live.payments import read_secrets
    from .live.people import read_administrators
    from .live.storage import CLOUDFRONT_REGION, read_buckets, read_distributions

    regions = list(dict.fromkeys(r for r in (account.region, settings.replica_region, CLOUDFRONT_REGION) if r))
    found = account.read("ec2", lambda: read_network(account))
    instances = account.read("ec2", lambda: read_instances(account))
    found += instances
    found += account.read("elbv2", lambda: read_load_balancers(account, [str(i.id) for i in instances]))
    found += account.read("autoscaling", lambda: read_auto_scaling_groups(account))
    found += account.read("rds", lambda: read_databases(account))
    found += account.read("elasticache", lambda: read_caches(account))
    found += account.read("s3", lambda: read_buckets(account, regions))
    found += account.read("cloudfront", lambda: read_distributions(account))
    found += account.read("route53", lambda: read_route53(account))
    found += account.read("iam", lambda: read_administrators(account))
    found += account.read("secretsmanager", lambda: read_secrets(account))

    known = {resource.id for resource in found if resource.type == SUBNET}
    outside = _referenced_subnets(found) - known
    if outside:
        extra = account.read("ec2", lambda: read_subnets(account, outside))
        found += extra
        if extra:
            account.notes.append(
                "Read subnets outside the stack because its resources use them: "
                f"{', '.join(sorted(str(subnet.id) for subnet in extra))}."
            )
    return found


@dataclass
class CloudflareStatus:
    checked: bool
    reason: str | None = None
    zones: list[str] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)
    records: int = 0

    def to_json(self) -> dict[str, Any]:
        return {
            "checked": self.checked,
            "skipped": self.reason,
            "zones": self.zones,
            "missingZones": self.missing,
            "records": self.records,
        }


def read_cloudflare_zone(
    stack: str, token: str | None, base_url: str | None, settings: StackSettings, found: list[Resource]
) -> tuple[list[Resource], CloudflareStatus]:
    """Read the stack's Cloudflare zone, named by the stack file's dns.domain or the Route 53 zones."""
    if not token:
        reason = f"no API token was given (set {TOKEN_VARIABLE} or pass --cloudflare-token)"
        return [], CloudflareStatus(False, reason)
    if settings.domain:
        zone_names = [settings.domain]
    else:
        zone_names = [str(zone.props["name"]) for zone in found if zone.type == ROUTE53_ZONE]
    if not zone_names:
        reason = "no zone name is known (the stack has no file with dns.domain and no Route 53 zone)"
        return [], CloudflareStatus(False, reason)

    from .live.cloudflare import read_cloudflare

    read = read_cloudflare(stack, token, zone_names, base_url)
    records = sum(resource.type != "cloudflare:index/zone:Zone" for resource in read.resources)
    return read.resources, CloudflareStatus(True, None, read.zones, read.missing, records)


def _sorted(findings: list[Finding]) -> list[Finding]:
    order = {layer: index for index, layer in enumerate(LAYERS)}
    return sorted(findings, key=lambda f: (order.get(f.layer, len(order)), f.rule, f.resource))


def _plan_graph(stack: str, directory: Path) -> Graph:
    from .plan import PlanInputError, build_plan

    try:
        return build_plan(stack, (), directory).graph
    except (PlanInputError, engine.ProgramError, stackconfig.StackConfigError) as error:
        raise VerifyError(
            f"the offline plan of stack {stack} failed, so the account cannot be compared with it: {error}"
        ) from None


def build_verify(
    stack: str,
    *,
    region: str | None = None,
    endpoint_url: str | None = None,
    cloudflare_token: str | None = None,
    cloudflare_base_url: str | None = None,
    directory: Path = ROOT,
) -> LiveReport:
    """Read the stack's resources from the account and check them with the plan's rules.

    `cloudflare_token` defaults to CLOUDFLARE_API_TOKEN; without either, the Cloudflare comparison
    is skipped and the report states it. Raises VerifyError with one line for any problem that
    stops the check: an invalid stack file, missing credentials, an unreachable endpoint.
    """
    try:
        program = engine.Program.load(directory)
        settings = stack_settings(program, stack)
    except (engine.ProgramError, stackconfig.StackConfigError) as error:
        raise VerifyError(str(error)) from None
    token = cloudflare_token or os.environ.get(TOKEN_VARIABLE) or None

    if endpoint_url is not None and not re.fullmatch(r"https?://[^\s/]+(/\S*)?", endpoint_url):
        raise VerifyError(f"--endpoint-url {endpoint_url!r} is invalid: expected a URL such as http://127.0.0.1:5000")
    account = Account(stack, program.project, region or "", endpoint_url)
    account.region = _resolve_region(account, region, settings)
    try:
        account.check_access()
        found = read_account(account, settings)
        cloudflare_resources, cloudflare = read_cloudflare_zone(stack, token, cloudflare_base_url, settings, found)
    except LiveAccessError as error:
        raise VerifyError(str(error)) from None

    if not found:
        raise VerifyError(
            f"no resources tagged {STACK_TAG}={stack} found in {_location(account)}; check --stack, "
            "--region and which account the credentials belong to"
        )
    graph = Graph([*found, *cloudflare_resources])
    rule_ids = [rule.id for rule in all_rules() if cloudflare.checked or rule.id not in CLOUDFLARE_RULES]
    findings = evaluate(graph, settings.enforcement, rule_ids)
    unread = set(account.skipped) | (set() if cloudflare.checked else {"cloudflare"})
    missing: list[Finding] = []
    if settings.path is not None:
        from .live.expected import missing_kinds

        missing = missing_kinds(stack, _plan_graph(stack, directory), graph, unread)

    return LiveReport(
        stack=stack,
        project=program.project,
        graph=graph,
        findings=_sorted([*findings, *missing]),
        note=_summary(account),
        live=_live_section(account, settings, cloudflare, missing),
        text_notes=_text_notes(account, settings, cloudflare, missing, program.stack_config_dir),
    )


def _location(account: Account) -> str:
    where = f"AWS account {account.account_id or '(unknown)'}, region {account.region}"
    if account.endpoint_url:
        where += f", endpoint {account.endpoint_url}"
    return where


def _summary(account: Account) -> str:
    return (
        f"Live check of {_location(account)}: the resources tagged {PROJECT_TAG}={account.project} and "
        f"{STACK_TAG}={account.stack}. Their URNs are synthetic: urn:<provider>:live::<stack>::<type>::<id>."
    )


def _live_section(
    account: Account, settings: StackSettings, cloudflare: CloudflareStatus, missing: list[Finding]
) -> dict[str, Any]:
    return {
        "account": account.account_id,
        "region": account.region,
        "endpointUrl": account.endpoint_url,
        "tags": {PROJECT_TAG: account.project, STACK_TAG: account.stack},
        "tagRegions": account.indexed_regions,
        "severity": settings.enforcement,
        "stackFile": _shown(settings.path) if settings.path else None,
        "comparedWithPlan": settings.path is not None,
        "missingKinds": len(missing),
        "cloudflare": cloudflare.to_json(),
        "skipped": [{"service": service, "reason": reason} for service, reason in sorted(account.skipped.items())],
        "notes": list(account.notes),
    }


def _text_notes(
    account: Account, settings: StackSettings, cloudflare: CloudflareStatus, missing: list[Finding], config_dir: Path
) -> list[str]:
    lines = []
    if settings.path is not None:
        lines.append(f"Severity {settings.enforcement}, from redundancy.enforcement in {_shown(settings.path)}.")
        if missing:
            kinds = "1 kind of resource is" if len(missing) == 1 else f"{len(missing)} kinds of resource are"
            lines.append(f"Compared with the offline plan: {kinds} missing (advisory live-missing-resource findings).")
        else:
            lines.append("Compared with the offline plan: the account has every kind of resource the plan expects.")
    else:
        lines.append(
            f"No {_shown(config_dir / f'Pulumi.{account.stack}.yaml')}: findings are {DEFAULT_SEVERITY} and nothing is "
            "compared with an offline plan."
        )
    if not cloudflare.checked:
        lines.append(
            f"Cloudflare comparison skipped because {cloudflare.reason}, so the rules "
            f"{' and '.join(CLOUDFLARE_RULES)} did not run."
        )
    else:
        lines.append(
            f"Cloudflare: compared {cloudflare.records} records of {', '.join(cloudflare.zones) or 'no zone'} "
            "with Route 53."
        )
        for zone in cloudflare.missing:
            lines.append(
                f"Cloudflare zone {zone} not found with this token, so its names count as published on Route 53 only."
            )
    for service, reason in sorted(account.skipped.items()):
        lines.append(
            f"Not read: {service}: {reason}. Its resources are missing from this report and no rule checked them."
        )
    lines.extend(account.notes)
    return lines
