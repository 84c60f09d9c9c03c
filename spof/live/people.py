"""The administrators as deployed: the IAM groups with AdministratorAccess attached, and their members."""

from __future__ import annotations

from typing import Any

from ..graph import IAM_GROUP, IAM_GROUP_MEMBERSHIP, IAM_GROUP_POLICY_ATTACHMENT, IAM_USER, Resource
from .account import Account, paginate, tag_map


def _user_tags(iam: Any, user_name: str) -> dict[str, str]:
    return tag_map(paginate(iam, "list_user_tags", "Tags", UserName=user_name))


def read_administrators(account: Account) -> list[Resource]:
    """Read each IAM group with AdministratorAccess attached and a member tagged for the stack.

    IAM groups cannot be tagged, so a group is the stack's when one of its users carries the
    stack's tags, as the admin users this project creates do. Its other members count as
    administrators too. Groups with no such member are named in a note and not checked.
    """
    iam = account.client("iam")
    policy_arn = f"arn:{account.partition}:iam::aws:policy/AdministratorAccess"
    found: list[Resource] = []
    users_read: set[str] = set()
    unattributed = []

    groups = paginate(iam, "list_entities_for_policy", "PolicyGroups", PolicyArn=policy_arn, EntityFilter="Group")
    for entry in groups:
        group_name = entry["GroupName"]
        group: dict[str, Any] = {}
        members: list[dict[str, Any]] = []
        for page in iam.get_paginator("get_group").paginate(GroupName=group_name):
            group = page.get("Group") or group
            members.extend(page.get("Users") or ())
        tags = {member["UserName"]: _user_tags(iam, member["UserName"]) for member in members}
        if not any(account.owns(user_tags) for user_tags in tags.values()):
            unattributed.append(group_name)
            continue

        found.append(
            account.resource(
                IAM_GROUP,
                group_name,
                group_name,
                {"name": group_name, "path": group.get("Path")},
                {"arn": group.get("Arn")},
            )
        )
        found.append(
            account.resource(
                IAM_GROUP_POLICY_ATTACHMENT,
                f"{group_name}/AdministratorAccess",
                f"{group_name}-administrator-access",
                {"group": group_name, "policyArn": policy_arn},
            )
        )
        for member in members:
            user_name = member["UserName"]
            if user_name not in users_read:
                users_read.add(user_name)
                found.append(
                    account.resource(
                        IAM_USER,
                        user_name,
                        user_name,
                        {"name": user_name, "path": member.get("Path"), "tags": tags[user_name]},
                        {"arn": member.get("Arn")},
                    )
                )
        found.append(
            account.resource(
                IAM_GROUP_MEMBERSHIP,
                f"{group_name}/members",
                f"{group_name}-members",
                {"group": group_name, "users": sorted(member["UserName"] for member in members)},
            )
        )

    if unattributed:
        account.notes.append(
            "IAM groups with AdministratorAccess but no member tagged for this stack were not checked "
            f"(IAM groups cannot be tagged): {', '.join(sorted(unattributed))}."
        )
    return found
