"""The `template:` section of Pulumi.yaml: what `pulumi new` prompts for, checked against components.config.

`pulumi new` saves each answer as a string under a flat key, such as `shop:dns.domain`, and
saves nothing for an empty answer. These tests build stack configurations the same way.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import yaml

from components.config import AWS_REGION_KEY, SETTINGS, SETTINGS_BY_KEY, ConfigError, validate

ROOT = Path(__file__).resolve().parent.parent
PROJECT_FILE = ROOT / "Pulumi.yaml"
PROMPTED = [setting for setting in SETTINGS if setting.prompt]

# Fields of the template section and of each prompt, as Pulumi's project file schema lists them.
TEMPLATE_FIELDS = {"displayName", "description", "quickstart", "config", "important", "metadata"}
PROMPT_FIELDS = {"description", "default", "secret"}


@pytest.fixture(scope="module")
def project() -> dict[str, Any]:
    document = yaml.safe_load(PROJECT_FILE.read_text(encoding="utf-8"))
    assert isinstance(document, dict)
    return document


@pytest.fixture(scope="module")
def prompts(project: dict[str, Any]) -> dict[str, dict[str, Any]]:
    config = project["template"]["config"]
    assert isinstance(config, dict)
    return config


def project_key(project: dict[str, Any], prompt_key: str) -> str:
    """Return the key that `pulumi new` saves an answer under, in the project's namespace unless it names one."""
    return prompt_key if ":" in prompt_key else f"{project['name']}:{prompt_key}"


def example_stack(project: dict[str, Any], without: list[str]) -> dict[str, Any]:
    """Return the prod example stack's configuration with the given dotted keys removed."""
    document = yaml.safe_load((ROOT / "stacks" / "Pulumi.prod.yaml").read_text(encoding="utf-8"))
    config: dict[str, Any] = json.loads(json.dumps(document["config"]))
    prefix = project["name"] + ":"
    for key in without:
        group, _, member = key.partition(".")
        if member:
            config.get(prefix + group, {}).pop(member, None)
        else:
            config.pop(prefix + group, None)
    return config


def test_template_fields_are_known(project: dict[str, Any], prompts: dict[str, dict[str, Any]]) -> None:
    assert set(project["template"]) <= TEMPLATE_FIELDS
    assert project["template"].get("description")
    for key, prompt in prompts.items():
        assert set(prompt) <= PROMPT_FIELDS, f"{key}: unknown fields {set(prompt) - PROMPT_FIELDS}"


def test_every_prompted_setting_has_prompt(prompts: dict[str, dict[str, Any]]) -> None:
    missing = [setting.key for setting in PROMPTED if setting.key not in prompts]
    assert missing == [], f"settings with prompt=True but no prompt in Pulumi.yaml: {missing}"


def test_every_prompt_is_a_prompted_setting(prompts: dict[str, dict[str, Any]]) -> None:
    # Keys of another namespace, such as aws:region, belong to providers, not to SETTINGS.
    project_prompts = [key for key in prompts if ":" not in key]
    unexpected = [key for key in project_prompts if key not in SETTINGS_BY_KEY or not SETTINGS_BY_KEY[key].prompt]
    assert unexpected == [], f"prompts for keys that are not settings with prompt=True: {unexpected}"
    assert [key for key in prompts if ":" in key] == [AWS_REGION_KEY]


@pytest.mark.parametrize("key", [AWS_REGION_KEY, *(setting.key for setting in PROMPTED)])
def test_prompt_has_description_and_default(prompts: dict[str, dict[str, Any]], key: str) -> None:
    prompt = prompts[key]
    assert isinstance(prompt.get("description"), str)
    assert prompt["description"].strip()
    # Pulumi reads a default as a string, so a YAML list or number there fails to load.
    assert isinstance(prompt.get("default"), str), f"{key}: default must be a string, got {prompt.get('default')!r}"
    assert prompt["default"] != ""
    assert prompt.get("secret", False) is False, f"{key}: none of these values is a secret"


@pytest.mark.parametrize("key", [setting.key for setting in PROMPTED if setting.kind == "list"])
def test_list_prompt_says_json(prompts: dict[str, dict[str, Any]], key: str) -> None:
    assert "JSON list" in prompts[key]["description"]
    assert isinstance(json.loads(prompts[key]["default"]), list)


@pytest.mark.parametrize("key", [setting.key for setting in PROMPTED])
def test_default_passes_validation(project: dict[str, Any], prompts: dict[str, dict[str, Any]], key: str) -> None:
    config = example_stack(project, without=[key])
    config[project_key(project, key)] = prompts[key]["default"]

    validated = validate(config, project["name"])

    expected = prompts[key]["default"]
    if SETTINGS_BY_KEY[key].kind == "list":
        expected = json.loads(expected)
    assert validated.values[key] == expected


def test_region_default_passes_validation(project: dict[str, Any], prompts: dict[str, dict[str, Any]]) -> None:
    config = example_stack(project, without=[])
    config[AWS_REGION_KEY] = prompts[AWS_REGION_KEY]["default"]
    assert validate(config, project["name"]).region == prompts[AWS_REGION_KEY]["default"]


def test_all_defaults_make_a_valid_stack(project: dict[str, Any], prompts: dict[str, dict[str, Any]]) -> None:
    # A new stack where every prompt was answered with its default, and nothing else set.
    config = {project_key(project, key): prompt["default"] for key, prompt in prompts.items()}

    validated = validate(config, project["name"])

    assert validated.region == prompts[AWS_REGION_KEY]["default"]
    assert validated.dns.domain == prompts["dns.domain"]["default"]
    assert validated.admins == tuple(json.loads(prompts["admins"]["default"]))
    assert validated.payments.providers == tuple(json.loads(prompts["payments.providers"]["default"]))
    assert validated.ci.github_repository == prompts["ci.githubRepository"]["default"]


def test_defaults_avoid_single_points_of_failure(prompts: dict[str, dict[str, Any]]) -> None:
    # Fewer than two administrators or payment providers is a finding of the SPOF rules.
    assert len(json.loads(prompts["admins"]["default"])) >= 2
    assert len(json.loads(prompts["payments.providers"]["default"])) >= 2


@pytest.mark.parametrize("key", [setting.key for setting in PROMPTED if setting.required])
def test_empty_required_answer_fails(project: dict[str, Any], prompts: dict[str, dict[str, Any]], key: str) -> None:
    # `pulumi new` saves nothing for an empty answer, so validation must name the missing key.
    config = {project_key(project, other): prompt["default"] for other, prompt in prompts.items() if other != key}

    with pytest.raises(ConfigError, match=rf"^{key}: missing"):
        validate(config, project["name"])
