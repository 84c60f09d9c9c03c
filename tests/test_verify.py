"""The live check against a moto server and a fake Cloudflare API, both on 127.0.0.1.

A redundant shop is deployed with plain boto3 (tests/live_fixtures/shop_account.py), then one
thing is broken per test. Every request goes to 127.0.0.1: the AWS endpoint is the moto
server, credentials are fake, the instance metadata service is disabled, and Cloudflare is
reached only through the fake's base URL.
"""

from __future__ import annotations

import json
import logging
import os
import socket
import subprocess
import sys
import urllib.request
from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from botocore.exceptions import ClientError, EndpointConnectionError, NoCredentialsError
from moto.server import ThreadedMotoServer

from spof import cli, verify
from spof.live.account import LiveAccessError, access_error, live_urn
from tests.conftest import ROOT, PlanFactory
from tests.live_fixtures.fake_cloudflare import FakeCloudflare
from tests.live_fixtures.shop_account import AMI, AZS, DOMAIN, REGION, Shop, deploy

TOKEN = "test-token-with-zone-and-dns-read"

# Variables that could send a request elsewhere or pick up real credentials.
_ISOLATED_VARIABLES = (
    "AWS_PROFILE",
    "AWS_DEFAULT_PROFILE",
    "AWS_SESSION_TOKEN",
    "AWS_SECURITY_TOKEN",
    "AWS_REGION",
    "AWS_DEFAULT_REGION",
    "AWS_ENDPOINT_URL",
    "AWS_ROLE_ARN",
    "AWS_WEB_IDENTITY_TOKEN_FILE",
    "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI",
    "AWS_CONTAINER_CREDENTIALS_FULL_URI",
    "AWS_CONTAINER_AUTHORIZATION_TOKEN",
    "CLOUDFLARE_API_TOKEN",
    "CLOUDFLARE_BASE_URL",
    "CLOUDFLARE_API_KEY",
    "CLOUDFLARE_EMAIL",
)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture(scope="module")
def moto_server() -> Iterator[str]:
    # The server logs every request; a failing test should show its own output instead.
    logging.getLogger("werkzeug").setLevel(logging.ERROR)
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=free_port(), verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    yield f"http://{host}:{port}"
    server.stop()


@pytest.fixture
def isolated_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Any) -> dict[str, str]:
    """Fake credentials, no metadata service, no AWS config files, no Cloudflare token."""
    for name in _ISOLATED_VARIABLES:
        monkeypatch.delenv(name, raising=False)
    for name in [name for name in os.environ if name.startswith("AWS_ENDPOINT_URL_")]:
        monkeypatch.delenv(name)
    variables = {
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_EC2_METADATA_DISABLED": "true",
        "AWS_CONFIG_FILE": str(tmp_path / "no-aws-config"),
        "AWS_SHARED_CREDENTIALS_FILE": str(tmp_path / "no-aws-credentials"),
        # moto loads AWS managed policies such as AdministratorAccess only when asked to.
        "MOTO_IAM_LOAD_MANAGED_POLICIES": "true",
    }
    for name, value in variables.items():
        monkeypatch.setenv(name, value)
    return variables


@pytest.fixture
def account(moto_server: str, isolated_env: dict[str, str], monkeypatch: pytest.MonkeyPatch, plan: PlanFactory) -> str:
    """Return the URL of an empty moto account; the offline plans come from the session cache."""
    request = urllib.request.Request(f"{moto_server}/moto-api/reset", method="POST")
    with urllib.request.urlopen(request, timeout=10) as response:
        assert response.status == 200
    monkeypatch.setattr(verify, "_plan_graph", lambda stack, directory: plan(stack).graph)
    return moto_server


@pytest.fixture
def cloudflare() -> Iterator[FakeCloudflare]:
    fake = FakeCloudflare(token=TOKEN)
    fake.start()
    yield fake
    fake.stop()


def run_verify(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str]:
    code = cli.main(["verify", *args])
    return code, capsys.readouterr().out


def run_json(capsys: pytest.CaptureFixture[str], url: str, *args: str, stack: str = "prod") -> tuple[int, dict]:
    code, out = run_verify(capsys, "--stack", stack, "--endpoint-url", url, "--format", "json", *args)
    return code, json.loads(out)


def findings_by_rule(document: dict) -> dict[str, list[dict]]:
    found: dict[str, list[dict]] = {}
    for finding in document["findings"]:
        found.setdefault(finding["rule"], []).append(finding)
    return found


def matching_records(shop: Shop) -> list[dict[str, Any]]:
    """Return the Cloudflare records that mirror the fixture's Route 53 records."""
    return [
        {"name": DOMAIN, "type": "CNAME", "content": shop.public_lb_dns},
        {"name": f"www.{DOMAIN}", "type": "CNAME", "content": shop.public_lb_dns},
        {"name": f"images.{DOMAIN}", "type": "CNAME", "content": shop.cdn_domain},
    ]


# A redundant account


def test_redundant_account_passes(account: str, capsys: pytest.CaptureFixture[str]) -> None:
    deploy(account)
    code, document = run_json(capsys, account)
    assert document["findings"] == []
    assert code == cli.EXIT_OK
    types = [resource["type"] for resource in document["resources"]]
    assert types.count("aws:ec2/subnet:Subnet") == 9
    assert types.count("aws:autoscaling/group:Group") == 2
    assert types.count("aws:rds/instance:Instance") == 3
    assert types.count("aws:elasticache/replicationGroup:ReplicationGroup") == 1
    assert types.count("aws:s3/bucketVersioning:BucketVersioning") == 3
    assert types.count("aws:route53/healthCheck:HealthCheck") == 1
    assert types.count("aws:secretsmanager/secret:Secret") == 2


def test_json_has_live_section(account: str, capsys: pytest.CaptureFixture[str]) -> None:
    deploy(account)
    _, document = run_json(capsys, account)
    assert "simulation" not in document
    live = document["live"]
    assert live["account"] == "123456789012"
    assert live["region"] == "us-east-1"
    assert live["tags"] == {"pulumi:project": "shop", "pulumi:stack": "prod"}
    assert live["stackFile"] == "stacks/Pulumi.prod.yaml"
    assert live["comparedWithPlan"] is True
    assert live["skipped"] == []
    assert live["cloudflare"]["checked"] is False
    assert "CLOUDFLARE_API_TOKEN" in live["cloudflare"]["skipped"]


def test_resources_use_plan_properties(account: str, capsys: pytest.CaptureFixture[str]) -> None:
    shop = deploy(account)
    _, document = run_json(capsys, account)
    by_id = {resource["id"]: resource for resource in document["resources"]}
    web = by_id[shop.web_group]
    assert web["urn"] == live_urn("prod", "aws:autoscaling/group:Group", shop.web_group)
    assert web["props"]["minSize"] == 2
    assert web["props"]["healthCheckType"] == "ELB"
    assert {"key": "layer", "value": "web", "propagateAtLaunch": True} in web["props"]["tags"]
    assert sorted(by_id[subnet]["props"]["availabilityZone"] for subnet in web["props"]["vpcZoneIdentifiers"]) == [
        "us-east-1a",
        "us-east-1b",
        "us-east-1c",
    ]
    replica = by_id[shop.replicas[0]]
    assert replica["props"]["replicateSourceDb"] == shop.primary_db
    cache = by_id["shop-prod-cache"]
    assert cache["props"]["numCacheClusters"] == 3
    assert cache["props"]["preferredCacheClusterAzs"] == ["us-east-1a", "us-east-1b", "us-east-1c"]


def test_text_notes_cloudflare_skipped(account: str, capsys: pytest.CaptureFixture[str]) -> None:
    deploy(account)
    code, out = run_verify(capsys, "--stack", "prod", "--endpoint-url", account)
    assert code == cli.EXIT_OK
    assert "Cloudflare comparison skipped because no API token was given" in out
    assert "CLOUDFLARE_API_TOKEN" in out
    assert out.rstrip().endswith("Passed: no single point of failure found.")


def test_other_stack_is_ignored(account: str, capsys: pytest.CaptureFixture[str]) -> None:
    deploy(account, stack="prod")
    deploy(account, stack="qa", database_multi_az=False, web_azs=1)
    code, document = run_json(capsys, account)
    assert code == cli.EXIT_OK
    assert document["findings"] == []
    assert [r["name"] for r in document["resources"] if "qa" in r["name"]] == []


# One thing broken at a time


@pytest.mark.parametrize(
    ("change", "rule", "layer", "resource"),
    [
        ({"database_multi_az": False}, "rds-not-multi-az", "database", "shop-prod-primary"),
        ({"web_azs": 1}, "asg-single-az", "web", "shop-prod-web"),
    ],
)
def test_single_az_is_mandatory_finding(
    account: str, capsys: pytest.CaptureFixture[str], change: dict, rule: str, layer: str, resource: str
) -> None:
    deploy(account, **change)
    code, document = run_json(capsys, account)
    assert code == cli.EXIT_FINDINGS
    assert [(f["rule"], f["layer"], f["severity"]) for f in document["findings"]] == [(rule, layer, "mandatory")]
    finding = document["findings"][0]
    assert finding["resource"].endswith(f"::{resource}")
    assert set(finding) == {"rule", "layer", "severity", "resource", "resource_type", "message"}


def test_single_az_web_group_message(account: str, capsys: pytest.CaptureFixture[str]) -> None:
    deploy(account, web_azs=1)
    _, out = run_verify(capsys, "--stack", "prod", "--endpoint-url", account)
    assert (
        "! mandatory asg-single-az: Auto Scaling group shop-prod-web must launch instances in at least 2 AZs "
        "(found 1: us-east-1a)" in out
    )
    assert "shop-prod-app must" not in out
    assert "FAILED: 1 mandatory finding." in out


def test_dev_stack_is_advisory(account: str, capsys: pytest.CaptureFixture[str]) -> None:
    deploy(account, stack="dev", database_multi_az=False)
    code, document = run_json(capsys, account, stack="dev")
    assert code == cli.EXIT_OK
    assert [(f["rule"], f["severity"]) for f in document["findings"]] == [("rds-not-multi-az", "advisory")]
    assert document["live"]["severity"] == "advisory"


def test_stack_without_file_is_mandatory(account: str, capsys: pytest.CaptureFixture[str]) -> None:
    deploy(account, stack="qa", database_multi_az=False)
    code, out = run_verify(capsys, "--stack", "qa", "--region", "us-east-1", "--endpoint-url", account)
    assert code == cli.EXIT_FINDINGS
    assert "! mandatory rds-not-multi-az: RDS instance shop-qa-primary must be Multi-AZ" in out
    assert "No stacks/Pulumi.qa.yaml: findings are mandatory and nothing is compared with an offline plan." in out


def test_lone_instance_is_found(account: str, capsys: pytest.CaptureFixture[str]) -> None:
    shop = deploy(account)
    ec2 = boto3.client("ec2", region_name=REGION, endpoint_url=account)
    elb = boto3.client("elbv2", region_name=REGION, endpoint_url=account)
    tags = [
        {"Key": "pulumi:project", "Value": "shop"},
        {"Key": "pulumi:stack", "Value": "prod"},
        {"Key": "layer", "Value": "app"},
    ]
    instance = ec2.run_instances(
        ImageId=AMI,
        InstanceType="t3.small",
        MinCount=1,
        MaxCount=1,
        SubnetId=shop.subnets[("app", AZS[0])],
        TagSpecifications=[{"ResourceType": "instance", "Tags": tags}],
    )["Instances"][0]["InstanceId"]
    target_group = elb.create_target_group(
        Name="shop-prod-admin", Protocol="HTTP", Port=8080, VpcId=shop.vpc_id, Tags=tags
    )["TargetGroups"][0]["TargetGroupArn"]
    elb.register_targets(TargetGroupArn=target_group, Targets=[{"Id": instance}])

    code, document = run_json(capsys, account)
    assert code == cli.EXIT_FINDINGS
    assert [(f["rule"], f["layer"]) for f in document["findings"]] == [("ec2-lone-instance", "app")]
    assert document["findings"][0]["resource"].endswith(f"::{instance}")


def test_sharded_cache_without_replicas(account: str, capsys: pytest.CaptureFixture[str]) -> None:
    deploy(account)
    elasticache = boto3.client("elasticache", region_name=REGION, endpoint_url=account)
    elasticache.create_replication_group(
        ReplicationGroupId="shop-prod-sessions",
        ReplicationGroupDescription="Sessions, sharded",
        Engine="redis",
        CacheNodeType="cache.t4g.small",
        ClusterMode="enabled",
        NumNodeGroups=2,
        ReplicasPerNodeGroup=0,
        AutomaticFailoverEnabled=True,
        MultiAZEnabled=True,
        Tags=[
            {"Key": "pulumi:project", "Value": "shop"},
            {"Key": "pulumi:stack", "Value": "prod"},
            {"Key": "layer", "Value": "cache"},
        ],
    )

    _, document = run_json(capsys, account)
    by_id = {resource["id"]: resource for resource in document["resources"]}
    assert by_id["shop-prod-sessions"]["props"]["numNodeGroups"] == 2
    assert by_id["shop-prod-sessions"]["props"]["replicasPerNodeGroup"] == 0
    rules = findings_by_rule(document)
    assert [f["resource"].rsplit("::", 1)[1] for f in rules["elasticache-fewer-than-two-nodes"]] == [
        "shop-prod-sessions"
    ]
    assert {f["layer"] for f in document["findings"]} == {"cache"}


@pytest.mark.parametrize(("zone", "rules"), [(AZS[1], []), (AZS[0], ["asg-single-az"])])
def test_subnet_outside_stack_is_read(
    account: str, capsys: pytest.CaptureFixture[str], zone: str, rules: list[str]
) -> None:
    shop = deploy(account, web_azs=1)
    ec2 = boto3.client("ec2", region_name=REGION, endpoint_url=account)
    # A subnet added by hand: in the app tier, without the stack's tags.
    subnet = ec2.create_subnet(
        VpcId=shop.vpc_id,
        CidrBlock="10.20.40.0/24",
        AvailabilityZone=zone,
        TagSpecifications=[{"ResourceType": "subnet", "Tags": [{"Key": "tier", "Value": "app"}]}],
    )["Subnet"]["SubnetId"]
    autoscaling = boto3.client("autoscaling", region_name=REGION, endpoint_url=account)
    autoscaling.update_auto_scaling_group(
        AutoScalingGroupName=shop.web_group, VPCZoneIdentifier=f"{shop.subnets[('app', AZS[0])]},{subnet}"
    )

    _, document = run_json(capsys, account)
    assert [finding["rule"] for finding in document["findings"]] == rules
    assert document["live"]["notes"] == [f"Read subnets outside the stack because its resources use them: {subnet}."]


# What the plan expects and the account lacks


def test_missing_replica_is_advisory(account: str, capsys: pytest.CaptureFixture[str]) -> None:
    deploy(account, read_replicas=1)
    code, document = run_json(capsys, account)
    assert code == cli.EXIT_OK
    assert [(f["rule"], f["layer"], f["severity"]) for f in document["findings"]] == [
        ("live-missing-resource", "database", "advisory")
    ]
    assert document["findings"][0]["message"] == "The plan of stack prod expects 2 RDS read replicas; the account has 1"
    _, out = run_verify(capsys, "--stack", "prod", "--endpoint-url", account)
    assert (
        "Compared with the offline plan: 1 kind of resource is missing (advisory live-missing-resource findings)."
        in out
    )


def test_skipped_service_is_not_compared(
    account: str, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    from spof.live import data

    def unsupported(live: Any) -> list:
        # moto 5.2 does not implement this call and returns an HTML error page.
        live.client("elasticache").describe_serverless_caches()
        return []

    monkeypatch.setattr(data, "read_caches", unsupported)
    deploy(account)
    code, document = run_json(capsys, account)
    assert code == cli.EXIT_OK
    assert [entry["service"] for entry in document["live"]["skipped"]] == ["elasticache"]
    assert "\n" not in document["live"]["skipped"][0]["reason"]
    assert document["findings"] == []  # No "expects 1 ElastiCache replication group; the account has 0".
    _, out = run_verify(capsys, "--stack", "prod", "--endpoint-url", account)
    assert "Not read: elasticache:" in out


# Cloudflare


def test_cloudflare_records_match(account: str, capsys: pytest.CaptureFixture[str], cloudflare: FakeCloudflare) -> None:
    shop = deploy(account)
    cloudflare.add_zone(DOMAIN, "zone-1", matching_records(shop))
    code, document = run_json(
        capsys, account, "--cloudflare-token", TOKEN, "--cloudflare-base-url", cloudflare.base_url
    )
    assert document["findings"] == []
    assert code == cli.EXIT_OK
    assert document["live"]["cloudflare"] == {
        "checked": True,
        "skipped": None,
        "zones": [DOMAIN],
        "missingZones": [],
        "records": 3,
    }
    assert any(path.startswith("/client/v4/zones/zone-1/dns_records") for path in cloudflare.requests)


def test_cloudflare_token_from_environment(
    account: str, capsys: pytest.CaptureFixture[str], cloudflare: FakeCloudflare, monkeypatch: pytest.MonkeyPatch
) -> None:
    shop = deploy(account)
    cloudflare.add_zone(DOMAIN, "zone-1", matching_records(shop))
    monkeypatch.setenv("CLOUDFLARE_API_TOKEN", TOKEN)
    _, document = run_json(capsys, account, "--cloudflare-base-url", cloudflare.base_url)
    assert document["live"]["cloudflare"]["checked"] is True


def test_cloudflare_drift_is_found(
    account: str, capsys: pytest.CaptureFixture[str], cloudflare: FakeCloudflare
) -> None:
    shop = deploy(account)
    cloudflare.add_zone(
        DOMAIN,
        "zone-1",
        [
            {"name": DOMAIN, "type": "CNAME", "content": shop.public_lb_dns},
            {"name": f"images.{DOMAIN}", "type": "CNAME", "content": "old-cdn.example.net"},
            {"name": f"shop-old.{DOMAIN}", "type": "CNAME", "content": "legacy.example.net"},
        ],
    )
    code, document = run_json(
        capsys, account, "--cloudflare-token", TOKEN, "--cloudflare-base-url", cloudflare.base_url
    )
    assert code == cli.EXIT_FINDINGS
    rules = findings_by_rule(document)
    assert set(rules) == {"dns-single-provider", "dns-providers-differ"}
    single = sorted(finding["message"] for finding in rules["dns-single-provider"])
    assert single[0].startswith(
        f"Name shop-old.{DOMAIN} must be published on both Route 53 and Cloudflare (found only on Cloudflare"
    )
    assert single[1].startswith(
        f"Name www.{DOMAIN} must be published on both Route 53 and Cloudflare (found only on Route 53"
    )
    [differ] = rules["dns-providers-differ"]
    assert f"Name images.{DOMAIN} must have the same records" in differ["message"]
    assert "old-cdn.example.net" in differ["message"]
    assert all(finding["layer"] == "dns" for finding in document["findings"])


def test_cloudflare_missing_zone_is_noted(
    account: str, capsys: pytest.CaptureFixture[str], cloudflare: FakeCloudflare
) -> None:
    deploy(account)
    code, out = run_verify(
        capsys,
        "--stack",
        "prod",
        "--endpoint-url",
        account,
        "--cloudflare-token",
        TOKEN,
        "--cloudflare-base-url",
        cloudflare.base_url,
    )
    assert code == cli.EXIT_FINDINGS
    assert f"Cloudflare zone {DOMAIN} not found with this token" in out
    assert "expects 1 Cloudflare zone; the account has 0" in out


def test_cloudflare_rejected_token(
    account: str, capsys: pytest.CaptureFixture[str], cloudflare: FakeCloudflare
) -> None:
    deploy(account)
    code = cli.main(
        [
            "verify",
            "--stack",
            "prod",
            "--endpoint-url",
            account,
            "--cloudflare-token",
            "wrong",
            "--cloudflare-base-url",
            cloudflare.base_url,
        ]
    )
    captured = capsys.readouterr()
    assert code == cli.EXIT_INPUT
    assert captured.out == ""
    assert captured.err.splitlines() == [
        f"error: Cloudflare rejected the API token at {cloudflare.base_url}: HTTP 401; use a token with the "
        "Zone:Read and DNS:Read permissions for the zone"
    ]


def test_cloudflare_unreachable_one_line(account: str, capsys: pytest.CaptureFixture[str]) -> None:
    deploy(account)
    base_url = f"http://127.0.0.1:{free_port()}/client/v4"
    code = cli.main(
        [
            "verify",
            "--stack",
            "prod",
            "--endpoint-url",
            account,
            "--cloudflare-token",
            TOKEN,
            "--cloudflare-base-url",
            base_url,
        ]
    )
    captured = capsys.readouterr()
    assert code == cli.EXIT_INPUT
    assert captured.out == ""
    assert captured.err.splitlines() == [
        f"error: cannot reach the Cloudflare API at {base_url}: connection failed or timed out; check "
        "--cloudflare-base-url and the network, then retry"
    ]


# Accounts that cannot be read


def run_cli(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "spof", "verify", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )


def test_unreachable_endpoint_one_line(isolated_env: dict[str, str]) -> None:
    url = f"http://127.0.0.1:{free_port()}"
    result = run_cli(dict(os.environ), "--stack", "prod", "--endpoint-url", url)
    assert result.returncode == cli.EXIT_INPUT
    assert result.stdout == ""
    assert result.stderr.splitlines() == [
        f"error: cannot reach the AWS endpoint {url} (region us-east-1): connection failed; check --endpoint-url, "
        "--region and the network, then retry"
    ]


def test_missing_credentials_one_line(isolated_env: dict[str, str], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("AWS_ACCESS_KEY_ID")
    monkeypatch.delenv("AWS_SECRET_ACCESS_KEY")
    url = f"http://127.0.0.1:{free_port()}"
    result = run_cli(dict(os.environ), "--stack", "prod", "--endpoint-url", url)
    assert result.returncode == cli.EXIT_INPUT
    assert result.stdout == ""
    assert len(result.stderr.splitlines()) == 1
    assert result.stderr.startswith(f"error: no AWS credentials found for {url} (region us-east-1): set AWS_PROFILE")


def test_no_region_one_line(isolated_env: dict[str, str], capsys: pytest.CaptureFixture[str]) -> None:
    code = cli.main(["verify", "--stack", "qa", "--endpoint-url", f"http://127.0.0.1:{free_port()}"])
    captured = capsys.readouterr()
    assert code == cli.EXIT_INPUT
    assert captured.err.splitlines() == [
        "error: no AWS region: pass --region, set AWS_REGION or AWS_DEFAULT_REGION, or add aws:region to the stack file"
    ]


def test_region_from_aws_region_variable(
    account: str, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    deploy(account, stack="qa")
    monkeypatch.setenv("AWS_REGION", "us-east-1")
    code, out = run_verify(capsys, "--stack", "qa", "--endpoint-url", account)
    assert code == cli.EXIT_OK
    assert "region us-east-1" in out


def test_stack_with_no_resources_exits_two(account: str, capsys: pytest.CaptureFixture[str]) -> None:
    deploy(account, stack="prod")
    code = cli.main(["verify", "--stack", "prd", "--region", "us-east-1", "--endpoint-url", account])
    captured = capsys.readouterr()
    assert code == cli.EXIT_INPUT
    assert captured.out == ""
    assert captured.err.startswith("error: no resources tagged pulumi:stack=prd found in AWS account 123456789012")
    assert captured.err.rstrip().endswith("check --stack, --region and which account the credentials belong to")


@pytest.mark.parametrize("url", ["notaurl", "127.0.0.1:5000"])
def test_invalid_endpoint_url_one_line(
    isolated_env: dict[str, str], capsys: pytest.CaptureFixture[str], url: str
) -> None:
    code = cli.main(["verify", "--stack", "prod", "--endpoint-url", url])
    captured = capsys.readouterr()
    assert code == cli.EXIT_INPUT
    assert captured.err.splitlines() == [
        f"error: --endpoint-url {url!r} is invalid: expected a URL such as http://127.0.0.1:5000"
    ]


# Error classification, without a server


def _client_error(code: str) -> ClientError:
    return ClientError({"Error": {"Code": code, "Message": "message from AWS"}}, "DescribeDBInstances")


@pytest.mark.parametrize(
    ("error", "expected"),
    [
        (NoCredentialsError(), "no AWS credentials found for http://127.0.0.1:9 (region eu-west-1)"),
        (
            EndpointConnectionError(endpoint_url="http://127.0.0.1:9/"),
            "cannot reach the AWS endpoint http://127.0.0.1:9 (region eu-west-1)",
        ),
        (
            _client_error("AccessDenied"),
            "AWS rejected DescribeDBInstances at http://127.0.0.1:9 (region eu-west-1): AccessDenied: message from AWS",
        ),
        (_client_error("InvalidClientTokenId"), "AWS rejected DescribeDBInstances"),
    ],
)
def test_access_errors_stop_the_check(error: Exception, expected: str) -> None:
    fatal = access_error(error, "http://127.0.0.1:9", "eu-west-1")
    assert isinstance(fatal, LiveAccessError)
    assert str(fatal).startswith(expected)
    assert "\n" not in str(fatal)


@pytest.mark.parametrize("code", ["InternalFailure", "Throttling", "DBInstanceNotFound"])
def test_service_errors_only_skip_a_service(code: str) -> None:
    assert access_error(_client_error(code), "http://127.0.0.1:9", "eu-west-1") is None


def test_live_urn_names_provider_stack_type_and_id() -> None:
    assert (
        live_urn("prod", "aws:ec2/subnet:Subnet", "subnet-1") == "urn:aws:live::prod::aws:ec2/subnet:Subnet::subnet-1"
    )
    assert (
        live_urn("prod", "cloudflare:index/dnsRecord:DnsRecord", "r1")
        == "urn:cloudflare:live::prod::cloudflare:index/dnsRecord:DnsRecord::r1"
    )
