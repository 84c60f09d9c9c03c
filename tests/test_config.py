"""Stack configuration: defaults, and one test per kind of bad input."""

from __future__ import annotations

import copy
from typing import Any

import pytest
import yaml

from components.config import SETTINGS, ConfigError, check_key, validate
from tests.conftest import ROOT


def prod_values() -> dict[str, Any]:
    return yaml.safe_load((ROOT / "stacks" / "Pulumi.prod.yaml").read_text())["config"]


def with_value(key: str, value: Any) -> dict[str, Any]:
    """Return the prod configuration with `key` (`group.member` or a namespaced key) replaced."""
    values = copy.deepcopy(prod_values())
    if ":" in key:
        values[key] = value
        return values
    group, _, member = key.partition(".")
    if member:
        values.setdefault(f"shop:{group}", {})[member] = value
    else:
        values[f"shop:{group}"] = value
    return values


def error_for(values: dict[str, Any]) -> ConfigError:
    with pytest.raises(ConfigError) as raised:
        validate(values, "shop")
    return raised.value


@pytest.mark.parametrize("stack", ["dev", "staging", "prod"])
def test_stack_files_valid(stack: str) -> None:
    values = yaml.safe_load((ROOT / "stacks" / f"Pulumi.{stack}.yaml").read_text())["config"]
    config = validate(values, "shop")
    assert config.region == "us-east-1"


def test_defaults_fill_unset_keys() -> None:
    config = validate(
        {
            "aws:region": "eu-west-1",
            "shop:dns": {"domain": "shop.example.org", "cloudflareAccountId": "a" * 32},
            "shop:payments": {"providers": ["stripe", "adyen"]},
            "shop:ci": {"githubRepository": "acme/shop"},
        },
        "shop",
    )
    assert config.az_count == 3
    assert config.network.nat_gateways == "one-per-az"
    assert config.database.multi_az is True
    assert config.cache.engine_version == "8.0"
    assert config.dns.providers == ("route53", "cloudflare")
    assert config.admins == ()


def test_pulumi_strings_are_parsed() -> None:
    # Pulumi hands every value to a program as a string, objects as JSON text.
    values = prod_values()
    values["shop:azCount"] = "2"
    values["shop:web"] = '{"minSize": "3", "maxSize": 4}'
    values["shop:database"] = {"multiAz": "false"}
    config = validate(values, "shop")
    assert config.az_count == 2
    assert config.web.min_size == 3
    assert config.database.multi_az is False


def test_every_setting_documented() -> None:
    for setting in SETTINGS:
        assert setting.description.endswith((".", ")")), setting.key
        assert setting.required or setting.default is not None, setting.key


def test_integer_not_a_number() -> None:
    error = error_for(with_value("azCount", "abc"))
    assert error.key == "azCount"
    assert str(error) == 'azCount: invalid value "abc": expected an integer from 1 to 6'


def test_integer_out_of_range() -> None:
    error = error_for(with_value("web.minSize", 0))
    assert str(error) == "web.minSize: invalid value 0: expected an integer from 1 to 100"


def test_boolean_given_as_integer() -> None:
    error = error_for(with_value("database.multiAz", 1))
    assert str(error) == "database.multiAz: invalid value 1: expected true or false"


def test_integer_given_as_boolean() -> None:
    error = error_for(with_value("cache.replicas", True))
    assert str(error).startswith("cache.replicas: invalid value true")


def test_choice_not_allowed() -> None:
    error = error_for(with_value("network.natGateways", "two"))
    assert str(error) == 'network.natGateways: invalid value "two": expected one of one-per-az, single'


def test_string_pattern_mismatch() -> None:
    error = error_for(with_value("web.instanceType", "big"))
    assert 'web.instanceType: invalid value "big"' in str(error)
    assert "an EC2 instance type" in str(error)


def test_list_with_unknown_provider() -> None:
    error = error_for(with_value("dns.providers", ["route53", "gandi"]))
    assert str(error) == (
        'dns.providers: invalid value ["route53", "gandi"]: expected a non-empty list of unique values '
        'from route53, cloudflare, such as ["route53", "cloudflare"]'
    )


def test_list_with_duplicates() -> None:
    error = error_for(with_value("payments.providers", ["stripe", "stripe"]))
    assert str(error) == 'payments.providers: invalid value ["stripe", "stripe"]: stripe listed more than once'


def test_empty_list_below_minimum() -> None:
    error = error_for(with_value("dns.providers", []))
    assert error.key == "dns.providers"


def test_unknown_top_level_key() -> None:
    values = prod_values()
    values["shop:azcount"] = 3
    error = error_for(values)
    assert error.key == "azcount"
    assert "unknown configuration key" in str(error)
    assert "did you mean 'azCount'" in str(error)


def test_unknown_nested_key() -> None:
    error = error_for(with_value("web.minsize", 2))
    assert error.key == "web.minsize"
    assert "did you mean 'minSize'" in str(error)


def test_group_given_as_scalar() -> None:
    error = error_for(with_value("web", 3))
    assert error.key == "web"
    assert "expected an object with the keys" in str(error)


def test_max_below_min() -> None:
    values = with_value("app.maxSize", 2)
    values["shop:app"]["minSize"] = 3
    error = error_for(values)
    assert str(error) == "app.maxSize: invalid value 2: expected at least app.minSize (3)"


def test_missing_required_key() -> None:
    values = prod_values()
    del values["shop:dns"]["domain"]
    error = error_for(values)
    assert error.key == "dns.domain"
    assert str(error).startswith("dns.domain: missing")


def test_cloudflare_without_account() -> None:
    values = prod_values()
    del values["shop:dns"]["cloudflareAccountId"]
    error = error_for(values)
    assert error.key == "dns.cloudflareAccountId"
    assert "required when dns.providers includes cloudflare" in str(error)


def test_missing_region() -> None:
    values = prod_values()
    del values["aws:region"]
    error = error_for(values)
    assert error.key == "aws:region"
    assert "pulumi config set aws:region" in str(error)


def test_invalid_region() -> None:
    error = error_for(with_value("aws:region", "mars-1"))
    assert str(error) == 'aws:region: invalid value "mars-1": expected an AWS region such as us-east-1'


def test_replica_region_equals_primary() -> None:
    error = error_for(with_value("storage.replicaRegion", "us-east-1"))
    assert error.key == "storage.replicaRegion"
    assert "other than aws:region (us-east-1)" in str(error)


def test_cidr_not_a_network() -> None:
    error = error_for(with_value("network.cidrBlock", "10.0.0.1/16"))
    assert error.key == "network.cidrBlock"


def test_cidr_prefix_too_small() -> None:
    error = error_for(with_value("network.cidrBlock", "10.0.0.0/26"))
    assert "prefix from /16 to /23" in str(error)


def test_check_key_known_and_unknown() -> None:
    check_key("web.minSize")
    check_key("web")
    with pytest.raises(ConfigError) as raised:
        check_key("nosuch.key")
    assert raised.value.key == "nosuch.key"
    assert "unknown configuration key" in str(raised.value)


def test_weak_choices_are_not_errors() -> None:
    # One AZ, one NAT gateway and no replicas are valid: the SPOF rules report them instead.
    values = with_value("azCount", 1)
    values["shop:network"]["natGateways"] = "single"
    values["shop:cache"]["replicas"] = 0
    values["shop:database"]["replicas"] = 0
    values["shop:admins"] = []
    config = validate(values, "shop")
    assert config.az_count == 1


def test_flat_key_from_pulumi_new() -> None:
    values = prod_values()
    del values["shop:dns"]["domain"]
    values["shop:dns.domain"] = "shop.example.org"
    assert validate(values, "shop").dns.domain == "shop.example.org"


def test_key_set_twice_rejected() -> None:
    values = prod_values()
    values["shop:dns.domain"] = "shop.example.org"
    error = error_for(values)
    assert error.key == "dns.domain"
    assert "set twice" in str(error)
    assert "as domain under dns" in str(error)
    assert "as the key dns.domain" in str(error)


def test_unknown_flat_key() -> None:
    values = prod_values()
    values["shop:web.minsize"] = 2
    error = error_for(values)
    assert error.key == "web.minsize"
    assert "did you mean 'minSize'" in str(error)


def test_integer_given_as_float() -> None:
    error = error_for(with_value("azCount", 2.0))
    assert str(error) == "azCount: invalid value 2.0: expected an integer from 1 to 6"


def test_unquoted_version_read_as_text() -> None:
    config = validate(with_value("database.engineVersion", 8.4), "shop")
    assert config.database.engine_version == "8.4"


def test_replica_region_follows_stack_region() -> None:
    values = with_value("aws:region", "us-west-2")
    assert validate(values, "shop").storage.replica_region == "us-east-1"


def test_empty_group_reads_as_unset() -> None:
    values = prod_values()
    values["shop:ci"] = None
    error = error_for(values)
    assert error.key == "ci.githubRepository"
    assert str(error).startswith("ci.githubRepository: missing")
