"""End-to-end audits of the programs in tests/programs, each written with one SPOF or none.

The programs run in this process under the mock engine, one after another, so these tests also
prove that each run starts from a clean Pulumi runtime. A few run through the command line to
pin its exit codes and JSON fields.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from pulumi.runtime import rpc

from spof import cli, engine, simulated
from spof.audit import build_audit
from spof.graph import Resource
from spof.report import Report
from spof.rules.cache import subnet_group_azs
from spof.rules.compute import group_azs, load_balancer_sources
from spof.rules.dns import CLOUDFLARE, ROUTE53, published_records
from spof.rules.network import load_balancer_subnets, routing_index
from spof.rules.storage import bucket_versioning, replication_destinations

ROOT = Path(__file__).resolve().parent.parent
PROGRAMS = Path(__file__).resolve().parent / "programs"

# Each program's expected findings, as (rule id, resource name).
EXPECTED_FINDINGS: dict[str, list[tuple[str, str]]] = {
    "single_nat": [("nat-gateway-cross-az", "private-1")],
    "alb_shared_az": [("lb-single-az", "web")],
    "rds_replica_chain": [("rds-replica-source-no-backups", "orders-reporting")],
    "redis_single_node": [("elasticache-single-node", "sessions")],
    "deprecated_types": [("s3-bucket-unversioned", "uploads")],
    "common_invokes": [],
    "ha_web_tier": [],
    "ha_data_tier": [],
    "ha_edge": [],
}

_reports: dict[str, Report] = {}


def audit(program: str) -> Report:
    """Return the audit of a test program, built once per session."""
    if program not in _reports:
        _reports[program] = build_audit(PROGRAMS / program)
    return _reports[program]


def resource_name(urn: str) -> str:
    return urn.rsplit("::", 1)[-1]


def named(report: Report, type_: str, name: str) -> Resource:
    matches = [r for r in report.graph.of_type(type_) if r.name == name]
    assert len(matches) == 1, f"expected one {type_} named {name}, found {len(matches)}"
    return matches[0]


def run_cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "spof", *args], cwd=ROOT, capture_output=True, text=True, check=False)


def test_every_program_has_expectation() -> None:
    programs = {path.name for path in PROGRAMS.iterdir() if (path / "Pulumi.yaml").is_file()}
    assert programs - {"raises"} == set(EXPECTED_FINDINGS)


@pytest.mark.parametrize("program", sorted(EXPECTED_FINDINGS))
def test_program_findings(program: str) -> None:
    report = audit(program)
    found = sorted((finding.rule, resource_name(finding.resource)) for finding in report.findings)
    assert found == sorted(EXPECTED_FINDINGS[program])


def test_single_nat_message_names_azs() -> None:
    (finding,) = audit("single_nat").findings
    assert finding.layer == "network"
    assert finding.severity == "mandatory"
    assert "NAT gateway nat in us-east-1a" in finding.message
    assert "private-1 in us-east-1b" in finding.message


def test_replica_chain_names_replica() -> None:
    (finding,) = audit("rds_replica_chain").findings
    assert "read replica orders-analytics replicates it" in finding.message
    assert "0 for a read replica" in finding.message


def test_redis_address_is_read() -> None:
    report = audit("redis_single_node")
    parameter = named(report, "aws:ssm/parameter:Parameter", "sessions-host")
    cluster = named(report, "aws:elasticache/cluster:Cluster", "sessions")
    address = cluster.outputs["cacheNodes"][0]["address"]
    assert parameter.props["value"] == address
    assert report.outputs["sessions_endpoint"] == f"{address}:6379"


@pytest.mark.parametrize(("count", "nodes"), [(3, 3), (None, 1), (rpc.UNKNOWN, 1)])
def test_unknown_node_count_simulates_one(count: object, nodes: int) -> None:
    # The mock engine passes an unknown input as a sentinel string, which must not crash a count.
    _, outputs = simulated.resource_state(
        "aws:elasticache/cluster:Cluster",
        "sessions",
        {"numCacheNodes": count},
        "urn:pulumi:audit::p::aws:elasticache/cluster:Cluster::sessions",
        "us-east-1",
    )
    assert len(outputs["cacheNodes"]) == nodes


def test_deprecated_types_are_warned() -> None:
    warnings = audit("deprecated_types").warnings
    assert any("BucketV2 is deprecated" in warning for warning in warnings)
    assert any("Record is deprecated" in warning for warning in warnings)


def test_deprecated_record_is_mirrored() -> None:
    records = published_records(audit("deprecated_types").graph)
    names = {(record.provider, record.name) for record in records}
    assert names == {(ROUTE53, "www.example.org"), (CLOUDFLARE, "www.example.org")}


def test_common_invokes_are_simulated() -> None:
    report = audit("common_invokes")
    assert set(report.simulated_invokes) >= {
        "aws:index/getCallerIdentity:getCallerIdentity",
        "aws:index/getRegion:getRegion",
        "aws:index/getAvailabilityZones:getAvailabilityZones",
        "aws:iam/getPolicyDocument:getPolicyDocument",
    }
    assert report.unanswered_invokes == []
    group = named(report, "aws:autoscaling/group:Group", "workers")
    assert group_azs(report.graph, group) == {"us-east-1a", "us-east-1b", "us-east-1c"}


def test_raising_program_names_line() -> None:
    with pytest.raises(engine.ProgramError) as raised:
        build_audit(PROGRAMS / "raises")
    assert "__main__.py:9" in str(raised.value)
    assert "ValueError: replicas must be at least 2, got 0" in str(raised.value)


def test_ha_web_tier_resolves_references() -> None:
    report = audit("ha_web_tier")
    graph = report.graph
    index = routing_index(graph)
    private_subnets = [s for s in graph.of_type("aws:ec2/subnet:Subnet") if s.name.startswith("private-")]
    assert len(private_subnets) == 3
    for subnet in private_subnets:
        egress = index.subnet_egress(graph, subnet)
        assert egress is not None, subnet.name
        assert egress.kind == "nat", subnet.name
        assert egress.gateway is not None, subnet.name
        assert graph.az(egress.gateway) == graph.az(subnet), subnet.name

    alb = named(report, "aws:lb/loadBalancer:LoadBalancer", "web")
    assert graph.known_azs(load_balancer_subnets(graph, alb) or []) == {"us-east-1a", "us-east-1b", "us-east-1c"}
    group = named(report, "aws:autoscaling/group:Group", "web")
    assert group_azs(graph, group) == {"us-east-1a", "us-east-1b", "us-east-1c"}
    assert group.urn in load_balancer_sources(graph)


def test_ha_data_tier_resolves_references() -> None:
    report = audit("ha_data_tier")
    graph = report.graph
    replicas = [r for r in graph.of_type("aws:rds/instance:Instance") if r.props.get("replicateSourceDb")]
    primary = named(report, "aws:rds/instance:Instance", "orders")
    assert [graph.resolve(r, "replicateSourceDb", "aws:rds/instance:Instance") for r in replicas] == [[primary]] * 2
    assert {r.props["availabilityZone"] for r in replicas} == {"us-east-1b", "us-east-1c"}

    search = named(report, "aws:rds/cluster:Cluster", "search")
    members = [
        i
        for i in graph.of_type("aws:rds/clusterInstance:ClusterInstance")
        if graph.resolve(i, "clusterIdentifier", "aws:rds/cluster:Cluster") == [search]
    ]
    assert len(members) == 2
    cache_subnets = named(report, "aws:elasticache/subnetGroup:SubnetGroup", "sessions")
    assert subnet_group_azs(graph, cache_subnets) == {"us-east-1a", "us-east-1b", "us-east-1c"}


def test_ha_edge_resolves_references() -> None:
    report = audit("ha_edge")
    graph = report.graph
    names = {(record.provider, record.name) for record in published_records(graph)}
    assert names == {
        (provider, name)
        for provider in (ROUTE53, CLOUDFLARE)
        for name in ("images.shop.example.com", "www.shop.example.com")
    }

    replica = named(report, "aws:s3/bucket:Bucket", "images-replica")
    destinations = replication_destinations(graph)
    assert destinations is not None and list(destinations) == [replica.urn]
    versioning = bucket_versioning(graph)
    assert all(versioning.state(bucket) is True for bucket in graph.of_type("aws:s3/bucket:Bucket"))


def test_cli_json_lists_findings() -> None:
    result = run_cli("audit", "tests/programs/single_nat", "--format", "json")
    assert result.returncode == 1, result.stderr
    report = json.loads(result.stdout)
    (finding,) = report["findings"]
    assert set(finding) == {"rule", "layer", "severity", "resource", "resource_type", "message"}
    assert finding["rule"] == "nat-gateway-cross-az"
    assert finding["resource_type"] == "aws:ec2/routeTable:RouteTable"
    network = next(layer for layer in report["layers"] if layer["layer"] == "network")
    assert set(network) == {"layer", "resources", "azs", "findings"}
    assert network["azs"] == ["us-east-1a", "us-east-1b"]
    assert network["findings"] == [finding]


def test_cli_ha_program_passes() -> None:
    result = run_cli("audit", "tests/programs/ha_web_tier", "--format", "json")
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    assert report["findings"] == []
    assert [layer["layer"] for layer in report["layers"]][:2] == ["dns", "load-balancer"]


def test_cli_advisory_never_fails() -> None:
    result = run_cli("audit", "tests/programs/alb_shared_az", "--format", "json", "--severity", "advisory")
    assert result.returncode == 0, result.stderr
    assert [f["severity"] for f in json.loads(result.stdout)["findings"]] == ["advisory"]


def test_cli_raising_program_exits_2() -> None:
    result = run_cli("audit", "tests/programs/raises")
    assert result.returncode == 2
    assert result.stdout == ""
    assert "__main__.py:9" in result.stderr
    assert "ValueError" in result.stderr


def test_several_stacks_need_stack_option(capsys: pytest.CaptureFixture[str]) -> None:
    status = cli.main(["audit", str(ROOT)])
    captured = capsys.readouterr()
    assert status == 2
    assert "has several stacks (dev, prod, staging): choose one with --stack" in captured.err
    assert len(captured.err.strip().splitlines()) == 1


def test_unknown_stack_of_program_exits_two(capsys: pytest.CaptureFixture[str]) -> None:
    status = cli.main(["audit", str(ROOT), "--stack", "nosuch"])
    assert status == 2
    assert "stack 'nosuch' not found" in capsys.readouterr().err


def test_stack_enforcement_sets_severity(capsys: pytest.CaptureFixture[str]) -> None:
    status = cli.main(["audit", str(ROOT), "--stack", "dev", "--format", "json"])
    document = json.loads(capsys.readouterr().out)
    assert status == 0
    assert {finding["severity"] for finding in document["findings"]} == {"advisory"}


def test_severity_option_overrides_stack(capsys: pytest.CaptureFixture[str]) -> None:
    status = cli.main(["audit", str(ROOT), "--stack", "dev", "--severity", "mandatory", "--format", "json"])
    document = json.loads(capsys.readouterr().out)
    assert status == 1
    assert {finding["severity"] for finding in document["findings"]} == {"mandatory"}
