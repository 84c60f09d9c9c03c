"""People rule: at least two administrators, so that no change waits on one person."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from ..graph import (
    IAM_GROUP,
    IAM_GROUP_MEMBERSHIP,
    IAM_GROUP_POLICY_ATTACHMENT,
    IAM_USER,
    IAM_USER_GROUP_MEMBERSHIP,
    Graph,
    Resource,
    is_known,
)
from . import Violation, rule

IAM_POLICY_ATTACHMENT = "aws:iam/policyAttachment:PolicyAttachment"
IAM_GROUP_POLICY_ATTACHMENTS_EXCLUSIVE = "aws:iam/groupPolicyAttachmentsExclusive:GroupPolicyAttachmentsExclusive"
# The AWS managed policy, in every partition (aws, aws-cn, aws-us-gov).
ADMINISTRATOR_ACCESS = re.compile(r"^arn:aws[a-z-]*:iam::aws:policy/AdministratorAccess$")


@dataclass
class Principal:
    """A group or user: the resource when the graph contains it, else the name the program gives."""

    key: str
    name: str
    resource: Resource | None = None


def _principal(graph: Graph, holder: Resource, key: str, value: Any, type_: str) -> Principal | None:
    """Return the group or user that `value`, part of property `key`, names. None when unknown."""
    found = graph.resolve(holder, key, type_, values=[value])
    if found is not None and len(found) == 1:
        return Principal(found[0].urn, found[0].name, found[0])
    if isinstance(value, str) and value and is_known(value) and found is None:
        # A group or user that exists outside this program is named by its IAM name or ARN.
        name = value.rsplit("/", 1)[-1]
        return Principal(f"{type_}:{name}", name)
    return None


def _principals(graph: Graph, holder: Resource, key: str, type_: str) -> list[Principal] | None:
    """Return the groups or users that list property `key` names. None when one is unknown."""
    values = holder.props.get(key)
    if not is_known(values):
        values = [values]
    found = graph.resolve(holder, key, type_, values=values or [])
    if found is not None:
        return [Principal(resource.urn, resource.name, resource) for resource in found]
    principals = []
    for value in values or ():
        principal = _principal(graph, holder, key, value, type_)
        if principal is None:
            return None
        principals.append(principal)
    return principals


@dataclass
class Administrators:
    """The groups that hold AdministratorAccess, their member users, and what cannot be followed."""

    groups: dict[str, Principal] = field(default_factory=dict)
    members: dict[str, dict[str, str]] = field(default_factory=dict)
    unknown_groups: set[str] = field(default_factory=set)
    unknown_membership: bool = False

    def add_member(self, group: Principal, user: Principal) -> None:
        self.members.setdefault(group.key, {})[user.key] = user.name


def _admin_groups(graph: Graph, admins: Administrators) -> None:
    for attachment in graph.of_type(IAM_GROUP_POLICY_ATTACHMENT):
        if ADMINISTRATOR_ACCESS.match(str(attachment.props.get("policyArn"))):
            group = _principal(graph, attachment, "group", attachment.props.get("group"), IAM_GROUP)
            if group is not None:
                admins.groups.setdefault(group.key, group)
    for attachment in graph.of_type(IAM_POLICY_ATTACHMENT):
        if ADMINISTRATOR_ACCESS.match(str(attachment.props.get("policyArn"))):
            for group in _principals(graph, attachment, "groups", IAM_GROUP) or ():
                admins.groups.setdefault(group.key, group)
    for attachment in graph.of_type(IAM_GROUP_POLICY_ATTACHMENTS_EXCLUSIVE):
        arns = attachment.props.get("policyArns") or ()
        if any(ADMINISTRATOR_ACCESS.match(str(arn)) for arn in arns):
            group = _principal(graph, attachment, "groupName", attachment.props.get("groupName"), IAM_GROUP)
            if group is not None:
                admins.groups.setdefault(group.key, group)


def administrators(graph: Graph) -> Administrators:
    """Collect the administrator groups and their member users."""
    admins = Administrators()
    _admin_groups(graph, admins)

    for membership in graph.of_type(IAM_GROUP_MEMBERSHIP):
        group = _principal(graph, membership, "group", membership.props.get("group"), IAM_GROUP)
        users = _principals(graph, membership, "users", IAM_USER)
        if group is None:
            admins.unknown_membership = True
        elif users is None:
            admins.unknown_groups.add(group.key)
        else:
            for member in users:
                admins.add_member(group, member)

    for membership in graph.of_type(IAM_USER_GROUP_MEMBERSHIP):
        user = _principal(graph, membership, "user", membership.props.get("user"), IAM_USER)
        groups = _principals(graph, membership, "groups", IAM_GROUP)
        if groups is None:
            admins.unknown_membership = True
            continue
        for member_of in groups:
            if user is None:
                admins.unknown_groups.add(member_of.key)
            else:
                admins.add_member(member_of, user)
    return admins


@rule(
    "admins-fewer-than-two",
    "human",
    "Checks whether each IAM group that holds AdministratorAccess has at least two member users.",
)
def admins_fewer_than_two(graph: Graph) -> Iterable[Violation]:
    admins = administrators(graph)
    if admins.unknown_membership:
        return  # A membership of an unknown group could add a member to any group.
    for key, group in admins.groups.items():
        if key in admins.unknown_groups:
            continue
        members = admins.members.get(key, {})
        if len(members) >= 2:
            continue
        resource = group.resource or _attachment_of(graph, group)
        if resource is None:
            continue
        found = f"{len(members)}: {', '.join(sorted(members.values()))}" if members else "0"
        yield Violation(
            resource,
            f"IAM group {group.name} holds AdministratorAccess and must have at least 2 member users (found {found})",
        )


def _attachment_of(graph: Graph, group: Principal) -> Resource | None:
    """Return the attachment that grants AdministratorAccess to a group outside the graph."""
    for attachment in graph.of_type(
        IAM_GROUP_POLICY_ATTACHMENT, IAM_POLICY_ATTACHMENT, IAM_GROUP_POLICY_ATTACHMENTS_EXCLUSIVE
    ):
        names = [
            attachment.props.get("group"),
            attachment.props.get("groupName"),
            *(attachment.props.get("groups") or ()),
        ]
        if any(isinstance(name, str) and name.rsplit("/", 1)[-1] == group.name for name in names):
            return attachment
    return None
