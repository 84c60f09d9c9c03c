"""People and pipelines: IAM groups with MFA enforced, the administrators, and the CI roles."""

from __future__ import annotations

import json
from collections.abc import Sequence

import pulumi
import pulumi_aws as aws

from .config import CiConfig
from .naming import child_name

GITHUB_OIDC_HOST = "token.actions.githubusercontent.com"
ADMINISTRATOR_ACCESS = "arn:aws:iam::aws:policy/AdministratorAccess"
READ_ONLY_ACCESS = "arn:aws:iam::aws:policy/ReadOnlyAccess"
# One hour covers the longest `pulumi up` of this stack with a wide margin.
CI_SESSION_SECONDS = 3600

# Operations an on-call engineer needs during an incident beyond reading: scale, fail over,
# and run or stop a rehearsed fault injection.
ON_CALL_ACTIONS = [
    "autoscaling:SetDesiredCapacity",
    "autoscaling:StartInstanceRefresh",
    "autoscaling:CancelInstanceRefresh",
    "rds:RebootDBInstance",
    "rds:PromoteReadReplica",
    "elasticache:TestFailover",
    "fis:StartExperiment",
    "fis:StopExperiment",
    "sqs:StartMessageMoveTask",
]


def mfa_policy_document() -> dict:
    """Deny everything but setting up one's own MFA device until the session is MFA-authenticated."""
    own_user = "arn:aws:iam::*:user/${aws:username}"
    own_mfa = "arn:aws:iam::*:mfa/*"
    return {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Sid": "ManageOwnMfaDevice",
                "Effect": "Allow",
                "Action": [
                    "iam:CreateVirtualMFADevice",
                    "iam:EnableMFADevice",
                    "iam:ListMFADevices",
                    "iam:ResyncMFADevice",
                    "iam:GetUser",
                    "iam:ChangePassword",
                ],
                "Resource": [own_user, own_mfa],
            },
            {
                "Sid": "DenyAllWithoutMfa",
                "Effect": "Deny",
                "NotAction": [
                    "iam:CreateVirtualMFADevice",
                    "iam:EnableMFADevice",
                    "iam:ListMFADevices",
                    "iam:ResyncMFADevice",
                    "iam:GetUser",
                    "iam:ChangePassword",
                    "iam:ListVirtualMFADevices",
                    "sts:GetSessionToken",
                ],
                "Resource": "*",
                "Condition": {"BoolIfExists": {"aws:MultiFactorAuthPresent": "false"}},
            },
        ],
    }


def github_trust_policy(provider_arn: str, repository: str, subject: str) -> dict:
    """Trust GitHub Actions runs of `repository` whose token subject matches `subject`."""
    return {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Principal": {"Federated": provider_arn},
                "Action": "sts:AssumeRoleWithWebIdentity",
                "Condition": {
                    "StringEquals": {
                        f"{GITHUB_OIDC_HOST}:aud": "sts.amazonaws.com",
                        f"{GITHUB_OIDC_HOST}:sub": f"repo:{repository}:{subject}",
                    },
                },
            }
        ],
    }


class Identity(pulumi.ComponentResource):
    """IAM groups for administrators, deployers, developers and on-call, and the CI roles.

    Every human group carries a policy that denies all but MFA set-up until the session is
    MFA-authenticated. GitHub Actions assumes the deploy role through OIDC for the stack's
    environment, and every member of the deployers group may assume it with MFA, so a release
    does not depend on one person. No long-lived access key is created.
    """

    def __init__(
        self,
        name: str,
        *,
        admins: Sequence[str],
        ci: CiConfig,
        stack: str,
        human_provider: pulumi.ProviderResource,
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        super().__init__("shop:identity:Identity", name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        account_id = aws.get_caller_identity_output(opts=pulumi.InvokeOptions(parent=self)).account_id

        mfa_policy = aws.iam.Policy(
            child_name(name, "require-mfa"),
            description="Denies everything but MFA set-up to sessions without MFA",
            policy=json.dumps(mfa_policy_document()),
            opts=child,
        )
        self.groups: dict[str, aws.iam.Group] = {}
        for role, managed_policy in (
            ("administrators", ADMINISTRATOR_ACCESS),
            ("deployers", READ_ONLY_ACCESS),
            ("developers", READ_ONLY_ACCESS),
            ("on-call", READ_ONLY_ACCESS),
        ):
            group = aws.iam.Group(child_name(name, role), path="/shop/", opts=child)
            aws.iam.GroupPolicyAttachment(
                child_name(name, f"{role}-managed-policy"), group=group.name, policy_arn=managed_policy, opts=child
            )
            aws.iam.GroupPolicyAttachment(
                child_name(name, f"{role}-require-mfa"), group=group.name, policy_arn=mfa_policy.arn, opts=child
            )
            self.groups[role] = group

        aws.iam.GroupPolicy(
            child_name(name, "on-call-operations"),
            group=self.groups["on-call"].name,
            policy=json.dumps(
                {
                    "Version": "2012-10-17",
                    "Statement": [{"Effect": "Allow", "Action": ON_CALL_ACTIONS, "Resource": "*"}],
                }
            ),
            opts=child,
        )

        # Human users carry the `human` layer; IAM groups and policies cannot be tagged.
        human = pulumi.ResourceOptions(parent=self, provider=human_provider)
        self.admin_users = [
            aws.iam.User(child_name(name, "admin", user), name=user, path="/shop/", force_destroy=False, opts=human)
            for user in admins
        ]
        if self.admin_users:
            aws.iam.GroupMembership(
                child_name(name, "administrators-members"),
                group=self.groups["administrators"].name,
                users=[user.name for user in self.admin_users],
                opts=child,
            )

        if ci.oidc_provider_arn:
            provider_arn: pulumi.Input[str] = ci.oidc_provider_arn
        else:
            provider_arn = aws.iam.OpenIdConnectProvider(
                child_name(name, "github-oidc"),
                url=f"https://{GITHUB_OIDC_HOST}",
                client_id_lists=["sts.amazonaws.com"],
                opts=child,
            ).arn

        self.deploy_role = self._ci_role(
            child_name(name, "ci-deploy"),
            f"Runs pulumi up for the {stack} stack from GitHub Actions or a deployer with MFA",
            pulumi.Output.all(provider_arn, account_id).apply(
                lambda values: json.dumps(_deploy_trust(values[0], values[1], ci.github_repository, stack))
            ),
            ADMINISTRATOR_ACCESS,
        )
        aws.iam.GroupPolicy(
            child_name(name, "deployers-assume-deploy-role"),
            group=self.groups["deployers"].name,
            policy=self.deploy_role.arn.apply(
                lambda arn: json.dumps(
                    {
                        "Version": "2012-10-17",
                        "Statement": [{"Effect": "Allow", "Action": "sts:AssumeRole", "Resource": arn}],
                    }
                )
            ),
            opts=child,
        )

        self.preview_role = self._ci_role(
            child_name(name, "ci-preview"),
            "Runs pulumi preview for pull requests from GitHub Actions; read-only",
            pulumi.Output.from_input(provider_arn).apply(
                lambda arn: json.dumps(github_trust_policy(arn, ci.github_repository, "pull_request"))
            ),
            READ_ONLY_ACCESS,
        )
        self.register_outputs(
            {
                "deployRoleArn": self.deploy_role.arn,
                "previewRoleArn": self.preview_role.arn,
                "administrators": list(admins),
            }
        )

    def _ci_role(
        self, role_name: str, description: str, trust_policy: pulumi.Input[str], policy_arn: str
    ) -> aws.iam.Role:
        """Create a CI role with one managed policy, named `<role_name>` and `<role_name>-policy`."""
        child = pulumi.ResourceOptions(parent=self)
        role = aws.iam.Role(
            role_name,
            description=description,
            assume_role_policy=trust_policy,
            max_session_duration=CI_SESSION_SECONDS,
            opts=child,
        )
        aws.iam.RolePolicyAttachment(f"{role_name}-policy", role=role.name, policy_arn=policy_arn, opts=child)
        return role


def _deploy_trust(provider_arn: str, account_id: str, repository: str, stack: str) -> dict:
    policy = github_trust_policy(provider_arn, repository, f"environment:{stack}")
    policy["Statement"].append(
        {
            "Effect": "Allow",
            "Principal": {"AWS": f"arn:aws:iam::{account_id}:root"},
            "Action": "sts:AssumeRole",
            "Condition": {"Bool": {"aws:MultiFactorAuthPresent": "true"}},
        }
    )
    return policy
