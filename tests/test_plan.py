"""The offline plan: its JSON contract, its text form, and its exit status for bad input."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from spof import cli
from spof.graph import LAYERS
from spof.plan import PlanInputError, build_plan
from tests.conftest import ROOT, PlanFactory


def run_cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "spof", *args], cwd=ROOT, capture_output=True, text=True, check=False)


def test_json_contract(plan: PlanFactory) -> None:
    document = plan("prod").to_json()
    assert document["stack"] == "prod"
    assert {"resources", "findings", "layers", "outputs", "simulation"} <= set(document)
    assert document["simulation"]["simulatedInvokes"]
    for resource in document["resources"]:
        assert {"urn", "type", "name", "parent", "id", "props"} <= set(resource)
    assert [entry["layer"] for entry in document["layers"]] == list(LAYERS)
    json.dumps(document)


def test_json_references_resolve_by_id(plan: PlanFactory) -> None:
    resources = plan("prod").to_json()["resources"]
    by_id = {r["id"]: r for r in resources if r["id"]}
    alb = next(r for r in resources if r["name"] == "public-lb-alb")
    subnets = [by_id[subnet_id] for subnet_id in alb["props"]["subnets"]]
    assert sorted(s["props"]["availabilityZone"] for s in subnets) == ["us-east-1a", "us-east-1b", "us-east-1c"]


def test_no_unknown_values_in_plan(plan: PlanFactory) -> None:
    # Every output the program reads is simulated, so nothing in the plan is left unknown.
    text = json.dumps(plan("prod").to_json())
    assert "<computed>" not in text


@pytest.mark.parametrize("stack", ["dev", "staging", "prod"])
def test_every_stack_plans(plan: PlanFactory, stack: str) -> None:
    report = plan(stack)
    assert len(report.deployable()) > 100


def test_layers_span_three_azs(plan: PlanFactory) -> None:
    layers = {entry["layer"]: entry for entry in plan("prod").layer_summaries()}
    for layer in ("load-balancer", "web", "app", "network", "database", "cache"):
        assert layers[layer]["azs"] == ["us-east-1a", "us-east-1b", "us-east-1c"], layer


def test_text_groups_by_layer(plan: PlanFactory, capsys: pytest.CaptureFixture[str]) -> None:
    from spof.report import render_text

    text = render_text(plan("prod"))
    assert "network: " in text
    assert "in us-east-1a, us-east-1b, us-east-1c" in text
    assert "Offline plan" in text


def test_set_applies_override(plan: PlanFactory) -> None:
    report = plan("prod", "azCount=2")
    layers = {entry["layer"]: entry for entry in report.layer_summaries()}
    assert layers["network"]["azs"] == ["us-east-1a", "us-east-1b"]


def test_cli_json_exit_zero() -> None:
    result = run_cli("plan", "--stack", "staging", "--format", "json")
    assert result.returncode == 0, result.stderr
    document = json.loads(result.stdout)
    assert document["stack"] == "staging"
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["--set", "azCount=abc"], 'azCount: invalid value "abc": expected an integer from 1 to 6'),
        (["--set", "nosuch.key=1"], "nosuch.key: unknown configuration key"),
        (["--stack", "nosuch"], "stack 'nosuch' not found"),
        (["--set", "azCount"], "expected KEY=VALUE"),
        (["--set", "web.minSize=0"], "web.minSize: invalid value 0"),
        (["--set", 'dns.providers=["route53", "bind"]'], "dns.providers: invalid value"),
        (["--set", "azCount.x=1"], "azCount.x: unknown configuration key"),
        (["--set", "dns.ttl=10"], "--set dns.ttl=10: dns.ttl: invalid value 10"),
        (["--set", "azCount=2.0"], "--set azCount=2.0: azCount: invalid value 2.0"),
        (["--set", "admins[5]=carol"], "index 5 is out of range: shop:admins has 2 items, so the next one is [2]"),
        (["--set", "web[0]=1"], "web is not a list, so it takes no index"),
        (["--set", "shop:=1"], "expected KEY=VALUE with a key name"),
    ],
)
def test_bad_input_exits_two(args: list[str], expected: str, capsys: pytest.CaptureFixture[str]) -> None:
    status = cli.main(["plan", *args])
    captured = capsys.readouterr()
    assert status == 2
    assert expected in captured.err
    assert captured.out == ""
    assert len(captured.err.strip().splitlines()) == 1


def test_bad_input_through_subprocess_has_no_traceback() -> None:
    result = run_cli("plan", "--set", "azCount=abc")
    assert result.returncode == 2
    assert (
        result.stderr.strip()
        == 'error: --set azCount=abc: azCount: invalid value "abc": expected an integer from 1 to 6'
    )


@pytest.fixture
def project_copy(tmp_path: Path) -> Path:
    """Copy the program beside a stack directory of its own, for stack files that break."""
    for name in ("Pulumi.yaml", "__main__.py"):
        shutil.copy(ROOT / name, tmp_path / name)
    (tmp_path / "components").symlink_to(ROOT / "components")
    (tmp_path / "stacks").mkdir()
    return tmp_path


def test_malformed_yaml_names_file_and_line(project_copy: Path) -> None:
    (project_copy / "stacks" / "Pulumi.broken.yaml").write_text("config:\n  shop:azCount: [1\n")
    with pytest.raises(PlanInputError) as raised:
        build_plan("broken", directory=project_copy)
    assert "Pulumi.broken.yaml: invalid YAML: line" in str(raised.value)


def test_bad_value_in_file_names_file(project_copy: Path) -> None:
    text = (ROOT / "stacks" / "Pulumi.prod.yaml").read_text().replace("shop:azCount: 3", "shop:azCount: 9")
    (project_copy / "stacks" / "Pulumi.bad.yaml").write_text(text)
    with pytest.raises(PlanInputError) as raised:
        build_plan("bad", directory=project_copy)
    assert "Pulumi.bad.yaml: azCount: invalid value 9" in str(raised.value)


def test_key_without_namespace_rejected(project_copy: Path) -> None:
    (project_copy / "stacks" / "Pulumi.flat.yaml").write_text("config:\n  azCount: 3\n")
    with pytest.raises(PlanInputError) as raised:
        build_plan("flat", directory=project_copy)
    assert "config key 'azCount' is invalid: expected <namespace>:<key>" in str(raised.value)


def test_az_count_beyond_region(capsys: pytest.CaptureFixture[str]) -> None:
    status = cli.main(
        ["plan", "--set", "aws:region=eu-west-1", "--set", "storage.replicaRegion=eu-central-1", "--set", "azCount=4"]
    )
    captured = capsys.readouterr()
    assert status == 2
    assert "azCount: invalid value 4: region eu-west-1 offers 3 AZs" in captured.err


def test_set_list_item_by_index(plan: PlanFactory) -> None:
    graph = plan("prod", "admins[1]=carol.admin").graph
    users = sorted(r.props["name"] for r in graph.of_type("aws:iam/user:User"))
    assert users == ["alice.admin", "carol.admin"]


def test_set_string_key_keeps_text(plan: PlanFactory) -> None:
    graph = plan("prod", "database.engineVersion=8.4").graph
    primary = next(r for r in graph.of_type("aws:rds/instance:Instance") if r.name == "database-primary")
    assert primary.props["engineVersion"] == "8.4"


def test_duplicate_key_in_stack_file_rejected(project_copy: Path) -> None:
    (project_copy / "stacks" / "Pulumi.twice.yaml").write_text("config:\n  shop:azCount: 3\n  shop:azCount: 2\n")
    with pytest.raises(PlanInputError) as raised:
        build_plan("twice", directory=project_copy)
    assert "key 'shop:azCount' appears twice (first on line 2)" in str(raised.value)


def test_yaml_yes_is_not_a_boolean(project_copy: Path) -> None:
    text = (ROOT / "stacks" / "Pulumi.prod.yaml").read_text().replace("multiAz: true", "multiAz: yes")
    (project_copy / "stacks" / "Pulumi.yes.yaml").write_text(text)
    with pytest.raises(PlanInputError) as raised:
        build_plan("yes", directory=project_copy)
    assert 'database.multiAz: invalid value "yes": expected true or false' in str(raised.value)
