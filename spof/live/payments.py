"""Payment provider credentials as deployed: the stack's Secrets Manager secrets."""

from __future__ import annotations

from ..graph import SECRET, Resource
from .account import STACK_TAG, Account, paginate, tag_map


def read_secrets(account: Account) -> list[Resource]:
    """Read the stack's Secrets Manager secrets; the payments rule counts their `payment-provider` tags."""
    secretsmanager = account.client("secretsmanager")
    # Secrets Manager matches tag keys and tag values separately, so ownership is checked here.
    filters = [{"Key": "tag-key", "Values": [STACK_TAG]}, {"Key": "tag-value", "Values": [account.stack]}]
    found = []
    for secret in paginate(secretsmanager, "list_secrets", "SecretList", Filters=filters):
        tags = tag_map(secret.get("Tags"))
        if not account.owns(tags):
            continue
        found.append(
            account.resource(
                SECRET,
                secret["ARN"],
                secret["Name"],
                {"name": secret["Name"], "description": secret.get("Description"), "tags": tags},
                {"arn": secret["ARN"]},
            )
        )
    return found
