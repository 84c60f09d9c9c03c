"""Database backups with AWS Backup, and a weekly restore test that proves they restore."""

from __future__ import annotations

import re

import pulumi
import pulumi_aws as aws

from .iam import service_trust_policy
from .naming import child_name

BACKUP_POLICY = "arn:aws:iam::aws:policy/service-role/AWSBackupServiceRolePolicyForBackup"
RESTORE_POLICY = "arn:aws:iam::aws:policy/service-role/AWSBackupServiceRolePolicyForRestores"
# Daily at 03:00 UTC, after the RDS backup window, kept for five weeks.
DAILY_SCHEDULE = "cron(0 3 * * ? *)"
RETENTION_DAYS = 35
# Sundays at 05:00 UTC, after the Saturday backup.
RESTORE_TEST_SCHEDULE = "cron(0 5 ? * SUN *)"


def restore_testing_name(*parts: str) -> str:
    """Return a restore-testing name: AWS accepts only letters, digits and underscores there."""
    return re.sub(r"[^A-Za-z0-9_]", "_", "_".join(parts))[:50]


class DatabaseBackup(pulumi.ComponentResource):
    """A backup vault and a daily plan covering the database primary, and a weekly restore test.

    RDS automated backups already allow point-in-time restore. The AWS Backup copies live apart
    from the instance, so deleting the instance does not delete them. Each week the restore test
    restores the latest copy into the stack's data subnets.
    """

    def __init__(
        self,
        name: str,
        *,
        database_arn: pulumi.Input[str],
        subnet_group_name: pulumi.Input[str],
        security_group_id: pulumi.Input[str],
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        super().__init__("shop:database:Backup", name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        self.vault = aws.backup.Vault(child_name(name, "vault"), opts=child)
        role = aws.iam.Role(
            child_name(name, "role"),
            description="AWS Backup backs up and test-restores the database",
            assume_role_policy=service_trust_policy("backup.amazonaws.com"),
            opts=child,
        )
        for role_name, policy_arn in (("backup-policy", BACKUP_POLICY), ("restore-policy", RESTORE_POLICY)):
            aws.iam.RolePolicyAttachment(child_name(name, role_name), role=role.name, policy_arn=policy_arn, opts=child)

        self.plan = aws.backup.Plan(
            child_name(name, "plan"),
            rules=[
                {
                    "rule_name": "daily",
                    "target_vault_name": self.vault.name,
                    "schedule": DAILY_SCHEDULE,
                    "start_window": 60,
                    "completion_window": 180,
                    "lifecycle": {"delete_after": RETENTION_DAYS},
                }
            ],
            opts=child,
        )
        self.selection = aws.backup.Selection(
            child_name(name, "selection"),
            iam_role_arn=role.arn,
            plan_id=self.plan.id,
            resources=[database_arn],
            opts=child,
        )

        project, stack = pulumi.get_project(), pulumi.get_stack()
        self.restore_testing_plan = aws.backup.RestoreTestingPlan(
            child_name(name, "restore-testing-plan"),
            name=restore_testing_name(project, stack, name),
            schedule_expression=RESTORE_TEST_SCHEDULE,
            start_window_hours=24,
            recovery_point_selection={
                "algorithm": "LATEST_WITHIN_WINDOW",
                "include_vaults": [self.vault.arn],
                "recovery_point_types": ["SNAPSHOT"],
                "selection_window_days": 7,
            },
            opts=child,
        )
        aws.backup.RestoreTestingSelection(
            child_name(name, "restore-testing-selection"),
            name=restore_testing_name(name, "primary"),
            restore_testing_plan_name=self.restore_testing_plan.name,
            protected_resource_type="RDS",
            protected_resource_arns=[database_arn],
            iam_role_arn=role.arn,
            validation_window_hours=1,
            # The test restore lands in the stack's own data subnets, reachable only from the app.
            restore_metadata_overrides={
                "dbsubnetgroupname": subnet_group_name,
                "vpcsecuritygroupids": pulumi.Output.from_input(security_group_id).apply(lambda sg: f'["{sg}"]'),
            },
            opts=child,
        )
        self.register_outputs({"vaultName": self.vault.name, "planId": self.plan.id})
