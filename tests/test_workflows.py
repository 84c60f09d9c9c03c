"""GitHub Actions workflows: schema validity and the security properties the deploy design relies on.

The schema is the github-workflows schema vendored in the check_jsonschema package, so the
check runs offline. The access-check scripts of the workflows run here under bash with the
environment GitHub would give them.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
from importlib import resources
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent
WORKFLOW_DIR = ROOT / ".github" / "workflows"
WORKFLOW_FILES = sorted([*WORKFLOW_DIR.glob("*.yml"), *WORKFLOW_DIR.glob("*.yaml")])

CONFIGURE_AWS = "aws-actions/configure-aws-credentials"
PULUMI_ACTION = "pulumi/actions"
STACKS = ("staging", "prod")


class WorkflowLoader(yaml.SafeLoader):
    """A YAML loader that reads `on`, `off`, `yes` and `no` as strings, as GitHub does.

    PyYAML follows YAML 1.1, where these words are booleans, so the `on:` key of a workflow
    would load as True. GitHub reads workflows as YAML 1.2, where only true and false are.
    """


WorkflowLoader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:bool"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
WorkflowLoader.add_implicit_resolver(
    "tag:yaml.org,2002:bool", re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"), list("tTfF")
)


def load_workflow(text: str) -> dict[str, Any]:
    document = yaml.load(text, Loader=WorkflowLoader)
    assert isinstance(document, dict), f"a workflow must be a mapping, got {type(document).__name__}"
    return document


@pytest.fixture(scope="module")
def validator() -> jsonschema.protocols.Validator:
    schema_file = resources.files("check_jsonschema.builtin_schemas.vendor") / "github-workflows.json"
    schema = json.loads(schema_file.read_text(encoding="utf-8"))
    validator_class = jsonschema.validators.validator_for(schema)
    validator_class.check_schema(schema)
    return validator_class(schema)


@pytest.fixture(scope="module")
def workflows() -> dict[str, dict[str, Any]]:
    return {path.name: load_workflow(path.read_text(encoding="utf-8")) for path in WORKFLOW_FILES}


def schema_errors(validator: jsonschema.protocols.Validator, document: dict[str, Any]) -> list[str]:
    """Return one line per schema violation, naming the path and the most specific cause."""
    messages = []
    for error in validator.iter_errors(document):
        # A job or step that fits none of a oneOf's branches reports the branch closest to fitting.
        cause = jsonschema.exceptions.best_match(error.context) if error.context else error
        path = "/".join(map(str, cause.absolute_path)) or "<root>"
        messages.append(f"{path}: {cause.message[:300]}")
    return messages


def jobs(workflows: dict[str, dict[str, Any]]) -> list[tuple[str, str, dict[str, Any]]]:
    return [(name, job_id, job) for name, workflow in workflows.items() for job_id, job in workflow["jobs"].items()]


def steps_using(job: dict[str, Any], action: str) -> list[dict[str, Any]]:
    return [step for step in job.get("steps", []) if str(step.get("uses", "")).startswith(action + "@")]


def pulumi_steps(job: dict[str, Any], command: str) -> list[dict[str, Any]]:
    return [step for step in steps_using(job, PULUMI_ACTION) if step.get("with", {}).get("command") == command]


def triggers(workflow: dict[str, Any]) -> set[str]:
    on = workflow["on"]
    if isinstance(on, str):
        return {on}
    return set(on)


def environment_name(job: dict[str, Any]) -> str | None:
    environment = job.get("environment")
    if isinstance(environment, dict):
        return environment.get("name")
    return environment


def run_script(script: str, env: dict[str, str], tmp_path: Path) -> tuple[str, dict[str, str]]:
    """Run a step's script under bash -e -o pipefail, as GitHub does.

    Return the script's standard output and the name=value pairs it wrote to GITHUB_OUTPUT.
    """
    output_file = tmp_path / "github_output"
    output_file.write_text("")
    environment = {"PATH": os.environ["PATH"], "GITHUB_OUTPUT": str(output_file), **env}
    result = subprocess.run(
        ["bash", "--noprofile", "--norc", "-e", "-o", "pipefail", "-c", script],
        env=environment,
        capture_output=True,
        text=True,
        check=False,
        timeout=30,
    )
    assert result.returncode == 0, f"script failed with exit code {result.returncode}: {result.stderr}"
    pairs = dict(line.split("=", 1) for line in output_file.read_text().splitlines() if line)
    return result.stdout, pairs


def access_step(job: dict[str, Any]) -> dict[str, Any]:
    matches = [step for step in job["steps"] if step.get("id") == "access"]
    assert len(matches) == 1, f"expected one step with id 'access', found {len(matches)}"
    return matches[0]


# Schema


def test_workflow_files_exist() -> None:
    names = {path.name for path in WORKFLOW_FILES}
    assert "pull-request.yml" in names
    assert "deploy.yml" in names


@pytest.mark.parametrize("path", WORKFLOW_FILES, ids=lambda path: path.name)
def test_workflow_matches_schema(path: Path, validator: jsonschema.protocols.Validator) -> None:
    errors = schema_errors(validator, load_workflow(path.read_text(encoding="utf-8")))
    assert errors == [], f"{path.name} is not a valid workflow:\n" + "\n".join(errors)


def test_schema_accepts_minimal_workflow(validator: jsonschema.protocols.Validator) -> None:
    minimal = load_workflow("on: push\njobs:\n  build:\n    runs-on: ubuntu-latest\n    steps:\n      - run: make\n")
    assert schema_errors(validator, minimal) == []


BROKEN_WORKFLOWS = [
    pytest.param("on: push\n", id="no jobs"),
    pytest.param("on: push\njobs:\n  build:\n    runs-on: ubuntu-latest\n    steps: make\n", id="steps not a list"),
    pytest.param(
        "on: push\njobs:\n  build:\n    runs-on: ubuntu-latest\n    permissions:\n      id-token: admin\n"
        "    steps:\n      - run: make\n",
        id="unknown permission level",
    ),
    pytest.param(
        "on: push\njobs:\n  build:\n    runs-on: ubuntu-latest\n    enviroment: prod\n    steps:\n      - run: make\n",
        id="misspelt job key",
    ),
]


@pytest.mark.parametrize("broken", BROKEN_WORKFLOWS)
def test_schema_rejects_broken_workflow(validator: jsonschema.protocols.Validator, broken: str) -> None:
    assert schema_errors(validator, load_workflow(broken)) != [], f"schema accepted a broken workflow:\n{broken}"


def test_loader_keeps_on_key_a_string() -> None:
    workflow = load_workflow("on: push\njobs: {}\n")
    assert list(workflow) == ["on", "jobs"]


# Security


@pytest.mark.parametrize("path", WORKFLOW_FILES, ids=lambda path: path.name)
def test_no_long_lived_aws_keys(path: Path) -> None:
    text = path.read_text(encoding="utf-8").lower()
    for forbidden in ("aws_secret_access_key", "aws-secret-access-key", "aws_access_key_id", "aws-access-key-id"):
        assert forbidden not in text, f"{path.name} mentions {forbidden}: AWS access must go through OIDC roles"


def test_aws_credentials_from_assumed_role(workflows: dict[str, dict[str, Any]]) -> None:
    steps = [(name, job_id, step) for name, job_id, job in jobs(workflows) for step in steps_using(job, CONFIGURE_AWS)]
    assert steps, "no workflow uses configure-aws-credentials"
    for name, job_id, step in steps:
        inputs = step.get("with", {})
        assert inputs.get("role-to-assume"), f"{name} {job_id}: configure-aws-credentials without role-to-assume"
        assert inputs.get("aws-region"), f"{name} {job_id}: configure-aws-credentials without aws-region"


def test_jobs_assuming_roles_request_id_token(workflows: dict[str, dict[str, Any]]) -> None:
    for name, job_id, job in jobs(workflows):
        if steps_using(job, CONFIGURE_AWS):
            permissions = job.get("permissions", workflows[name].get("permissions"))
            assert isinstance(permissions, dict), f"{name} {job_id}: permissions must be listed per scope"
            assert permissions.get("id-token") == "write", f"{name} {job_id}: needs `id-token: write` for OIDC"


def test_workflows_grant_no_default_permissions(workflows: dict[str, dict[str, Any]]) -> None:
    for name, workflow in workflows.items():
        assert workflow.get("permissions") == {}, f"{name}: top-level permissions must be {{}}"
        for job_id, job in workflow["jobs"].items():
            assert "permissions" in job, f"{name} {job_id}: a job must list the permissions it needs"
            assert job["permissions"] != "write-all", f"{name} {job_id}: write-all is not minimal"


def test_id_token_only_where_a_role_is_assumed(workflows: dict[str, dict[str, Any]]) -> None:
    for name, job_id, job in jobs(workflows):
        if job["permissions"].get("id-token") == "write":
            assert steps_using(job, CONFIGURE_AWS), f"{name} {job_id}: id-token: write without an AWS role"


def test_actions_pinned_to_versions(workflows: dict[str, dict[str, Any]]) -> None:
    pinned = re.compile(r"^[\w.-]+/[\w./-]+@(v\d+(\.\d+){0,2}|[0-9a-f]{40})$")
    for name, job_id, job in jobs(workflows):
        for step in job.get("steps", []):
            if "uses" in step:
                assert pinned.match(step["uses"]), f"{name} {job_id}: {step['uses']} is not pinned to a version"


def test_run_scripts_take_values_from_env(workflows: dict[str, dict[str, Any]]) -> None:
    # GitHub pastes an expression into the script text before the shell runs it, so a crafted
    # branch name or input could inject commands. Values reach scripts through `env:` instead.
    for name, job_id, job in jobs(workflows):
        for step in job.get("steps", []):
            assert "${{" not in step.get("run", ""), f"{name} {job_id}: expression inside a run script"


# Deploy


def deploy_jobs(workflows: dict[str, dict[str, Any]]) -> dict[str, tuple[str, dict[str, Any]]]:
    """Map each stack to the job that runs `pulumi up` on it."""
    found: dict[str, tuple[str, dict[str, Any]]] = {}
    for name, job_id, job in jobs(workflows):
        for step in pulumi_steps(job, "up"):
            stack = str(step["with"]["stack-name"])
            matched = [candidate for candidate in STACKS if re.search(rf"\b{candidate}\b", stack)]
            assert len(matched) == 1, f"{name} {job_id}: cannot tell the stack of stack-name {stack!r}"
            assert matched[0] not in found, f"{name} {job_id}: a second job deploys {matched[0]}"
            found[matched[0]] = (job_id, job)
    return found


def test_deploy_runs_on_push_to_main(workflows: dict[str, dict[str, Any]]) -> None:
    deploy = workflows["deploy.yml"]
    assert triggers(deploy) == {"push"}
    assert deploy["on"]["push"]["branches"] == ["main"]
    assert set(deploy_jobs({"deploy.yml": deploy})) == set(STACKS)


def test_only_deploy_workflow_runs_up(workflows: dict[str, dict[str, Any]]) -> None:
    others = {name: workflow for name, workflow in workflows.items() if name != "deploy.yml"}
    assert deploy_jobs(others) == {}


def test_prod_deploy_uses_prod_environment(workflows: dict[str, dict[str, Any]]) -> None:
    job_id, job = deploy_jobs(workflows)["prod"]
    assert environment_name(job) == "prod", f"{job_id}: the prod deploy must run in the prod environment"


@pytest.mark.parametrize("stack", STACKS)
def test_deploy_environment_matches_role_subject(workflows: dict[str, dict[str, Any]], stack: str) -> None:
    # The deploy role trusts repo:<owner>/<repo>:environment:<stack> only.
    job_id, job = deploy_jobs(workflows)[stack]
    assert environment_name(job) == stack, f"{job_id}: runs outside the {stack} environment"
    (credentials,) = steps_using(job, CONFIGURE_AWS)
    assert credentials["with"]["role-to-assume"] == f"${{{{ vars.AWS_DEPLOY_ROLE_ARN_{stack.upper()} }}}}"


def test_prod_deploys_after_staging(workflows: dict[str, dict[str, Any]]) -> None:
    staging_id, _ = deploy_jobs(workflows)["staging"]
    _, prod = deploy_jobs(workflows)["prod"]
    needs = prod["needs"] if isinstance(prod["needs"], list) else [prod["needs"]]
    assert staging_id in needs


@pytest.mark.parametrize("stack", STACKS)
def test_deploys_never_overlap(workflows: dict[str, dict[str, Any]], stack: str) -> None:
    job_id, job = deploy_jobs(workflows)[stack]
    concurrency = job.get("concurrency")
    assert isinstance(concurrency, dict), f"{job_id}: a deploy job needs a concurrency group"
    assert stack in concurrency["group"]
    # A group that varies per run or commit would let two runs deploy at once.
    assert "${{" not in concurrency["group"], f"{job_id}: the concurrency group must be the same in every run"
    assert concurrency.get("cancel-in-progress") is False, f"{job_id}: cancelling a running `pulumi up` breaks it"


@pytest.mark.parametrize("stack", STACKS)
def test_deploy_applies_policy_pack(workflows: dict[str, dict[str, Any]], stack: str) -> None:
    _, job = deploy_jobs(workflows)[stack]
    (step,) = pulumi_steps(job, "up")
    assert step["with"].get("policyPacks") == "policy"


@pytest.mark.parametrize("stack", STACKS)
def test_deploy_skipped_without_access(workflows: dict[str, dict[str, Any]], stack: str) -> None:
    job_id, job = deploy_jobs(workflows)[stack]
    assert job.get("if") == f"needs.access.outputs.{stack} == 'true'", f"{job_id}: must be gated by the access job"
    needs = job["needs"] if isinstance(job["needs"], list) else [job["needs"]]
    assert "access" in needs


ACCESS_CASES = [
    # token, staging role, prod role -> staging, prod, notice expected
    ("", "", "", "false", "false", True),
    ("token", "", "arn:prod", "false", "false", True),
    ("token", "arn:staging", "", "true", "false", True),
    ("", "arn:staging", "arn:prod", "false", "false", True),
    ("token", "arn:staging", "arn:prod", "true", "true", False),
]


@pytest.mark.parametrize(("token", "staging_role", "prod_role", "staging", "prod", "notice"), ACCESS_CASES)
def test_deploy_access_check(
    workflows: dict[str, dict[str, Any]],
    tmp_path: Path,
    token: str,
    staging_role: str,
    prod_role: str,
    staging: str,
    prod: str,
    notice: bool,
) -> None:
    step = access_step(workflows["deploy.yml"]["jobs"]["access"])
    env = {"PULUMI_ACCESS_TOKEN": token, "STAGING_ROLE_ARN": staging_role, "PROD_ROLE_ARN": prod_role}
    stdout, outputs = run_script(step["run"], env, tmp_path)
    assert outputs == {"staging": staging, "prod": prod}
    assert ("::notice" in stdout) is notice, f"unexpected notice output: {stdout!r}"


# Preview


def preview_job(workflows: dict[str, dict[str, Any]]) -> dict[str, Any]:
    workflow = workflows["pull-request.yml"]
    assert triggers(workflow) == {"pull_request"}
    (job,) = [job for job in workflow["jobs"].values() if pulumi_steps(job, "preview")]
    return job


def test_pull_request_runs_lint_and_test(workflows: dict[str, dict[str, Any]]) -> None:
    commands = [step.get("run", "") for job in workflows["pull-request.yml"]["jobs"].values() for step in job["steps"]]
    assert "make lint" in commands
    assert "make test" in commands


def test_preview_covers_staging_and_prod(workflows: dict[str, dict[str, Any]]) -> None:
    include = preview_job(workflows)["strategy"]["matrix"]["include"]
    assert {entry["stack"]: entry["role-variable"] for entry in include} == {
        stack: f"AWS_PREVIEW_ROLE_ARN_{stack.upper()}" for stack in STACKS
    }


def test_preview_comments_with_policy_pack(workflows: dict[str, dict[str, Any]]) -> None:
    job = preview_job(workflows)
    (step,) = pulumi_steps(job, "preview")
    assert step["with"].get("comment-on-pr") is True
    assert step["with"].get("policyPacks") == "policy"
    assert job["permissions"].get("pull-requests") == "write"


def test_preview_has_no_environment(workflows: dict[str, dict[str, Any]]) -> None:
    # The preview role trusts repo:<owner>/<repo>:pull_request, a subject that a job in an
    # environment does not get.
    assert "environment" not in preview_job(workflows)


def test_preview_cloud_steps_skipped_without_access(workflows: dict[str, dict[str, Any]]) -> None:
    steps = preview_job(workflows)["steps"]
    assert steps[0].get("id") == "access", "the access check must run first"
    for step in steps[1:]:
        assert step.get("if") == "steps.access.outputs.configured == 'true'", f"step {step} runs without access"


@pytest.mark.parametrize(
    ("token", "role", "configured", "missing"),
    [
        ("", "", "false", ["PULUMI_ACCESS_TOKEN", "AWS_PREVIEW_ROLE_ARN_PROD"]),
        ("token", "", "false", ["AWS_PREVIEW_ROLE_ARN_PROD"]),
        ("", "arn:prod", "false", ["PULUMI_ACCESS_TOKEN"]),
        ("token", "arn:prod", "true", []),
    ],
)
def test_preview_access_check(
    workflows: dict[str, dict[str, Any]], tmp_path: Path, token: str, role: str, configured: str, missing: list[str]
) -> None:
    step = access_step(preview_job(workflows))
    env = {
        "STACK": "prod",
        "PULUMI_ACCESS_TOKEN": token,
        "ROLE_ARN": role,
        "ROLE_VARIABLE": "AWS_PREVIEW_ROLE_ARN_PROD",
    }
    stdout, outputs = run_script(step["run"], env, tmp_path)
    assert outputs == {"configured": configured}
    if missing:
        assert stdout.startswith("::notice title=Preview of prod skipped::")
        for name in missing:
            assert name in stdout
    else:
        assert "::notice" not in stdout


# Versions and paths


def test_workflow_paths_match_project() -> None:
    # The cloud jobs create venv/ and policy/venv/ and read stacks/Pulumi.<stack>.yaml.
    project = yaml.safe_load((ROOT / "Pulumi.yaml").read_text(encoding="utf-8"))
    assert project["runtime"]["options"]["virtualenv"] == "venv"
    assert project["stackConfigDir"] == "stacks"
    for stack in STACKS:
        assert (ROOT / "stacks" / f"Pulumi.{stack}.yaml").is_file()


def test_policy_pack_virtualenv_matches_workflows() -> None:
    policy_project = ROOT / "policy" / "PulumiPolicy.yaml"
    if not policy_project.is_file():
        pytest.skip("policy/PulumiPolicy.yaml does not exist yet")
    runtime = yaml.safe_load(policy_project.read_text(encoding="utf-8"))["runtime"]
    assert isinstance(runtime, dict), "PulumiPolicy.yaml must name the virtualenv the workflows install into"
    assert runtime["options"]["virtualenv"] == "venv"


def test_pulumi_cli_matches_sdk(workflows: dict[str, dict[str, Any]]) -> None:
    pins = re.findall(r"^pulumi==(\S+)$", (ROOT / "requirements.txt").read_text(), flags=re.MULTILINE)
    assert len(pins) == 1, "requirements.txt must pin pulumi with =="
    for name, job_id, job in jobs(workflows):
        for step in steps_using(job, PULUMI_ACTION):
            assert step["with"].get("pulumi-version") == pins[0], f"{name} {job_id}: CLI differs from the SDK"
