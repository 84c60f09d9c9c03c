"""Names, tags and address plans: pure functions the components share, testable without Pulumi."""

from __future__ import annotations

import ipaddress
from collections.abc import Sequence

PROJECT_TAG = "pulumi:project"
STACK_TAG = "pulumi:stack"
LAYER_TAG = "layer"
SUBNET_TIERS = ("public", "app", "data")


def child_name(component: str, role: str, suffix: str | int | None = None) -> str:
    """Name a child resource `<component>-<role>[-<AZ or index>]`."""
    return f"{component}-{role}" if suffix is None else f"{component}-{role}-{suffix}"


def default_tags(project: str, stack: str, layer: str) -> dict[str, str]:
    """Return the tags every taggable resource of a layer carries."""
    return {PROJECT_TAG: project, STACK_TAG: stack, LAYER_TAG: layer}


def subnet_cidrs(vpc_cidr: str, az_count: int, tiers: Sequence[str] = SUBNET_TIERS) -> dict[tuple[str, int], str]:
    """Carve one subnet per tier and AZ out of the VPC range.

    The VPC is split into 32 equal blocks, so each tier keeps room for up to ten AZs and the
    addresses of existing subnets never move when `azCount` grows. Block `tier * 10 + az` is
    used; blocks 30 and 31 stay free for later use.
    """
    network = ipaddress.IPv4Network(vpc_cidr)
    blocks = list(network.subnets(new_prefix=network.prefixlen + 5))
    if az_count > 10:
        raise ValueError(f"az_count {az_count} exceeds the 10 AZs a tier has room for")
    return {
        (tier, az_index): str(blocks[tier_index * 10 + az_index])
        for tier_index, tier in enumerate(tiers)
        for az_index in range(az_count)
    }
