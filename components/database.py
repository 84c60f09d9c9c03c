"""The database: an RDS MySQL primary with a Multi-AZ standby, and read replicas in other AZs."""

from __future__ import annotations

from collections.abc import Sequence

import pulumi
import pulumi_aws as aws

from .config import DatabaseConfig
from .naming import child_name

MASTER_USERNAME = "shop_admin"
DATABASE_NAME = "shop"
# UTC windows kept apart so that a backup never runs during maintenance.
BACKUP_WINDOW = "02:00-03:00"
MAINTENANCE_WINDOW = "sun:03:30-sun:04:30"
LOG_EXPORTS = ["error", "slowquery"]


def replica_azs(azs: Sequence[str], replicas: int) -> list[str]:
    """Pin replica i to AZ i+1, wrapping around, so replicas avoid each other while AZs last.

    With Multi-AZ the primary's AZ is AWS's choice; without it the primary is pinned to the
    first AZ, which the replicas then reach last.
    """
    return [azs[(index + 1) % len(azs)] for index in range(replicas)]


def _first_secret_arn(secrets: Sequence[aws.rds.outputs.InstanceMasterUserSecret] | None) -> str:
    """Return the ARN of the master password secret that RDS manages, empty until it exists."""
    return (secrets[0].secret_arn or "") if secrets else ""


class Database(pulumi.ComponentResource):
    """A MySQL primary over every AZ's data subnet, and `database.replicas` read replicas.

    With `multiAz`, RDS keeps a synchronous standby in another AZ and fails over to it, typically
    in 60 to 120 seconds. The master password is generated and rotated by RDS in Secrets Manager,
    so it never appears in the stack's state or configuration.
    """

    def __init__(
        self,
        name: str,
        config: DatabaseConfig,
        *,
        subnets: Sequence[aws.ec2.Subnet],
        security_group_id: pulumi.Input[str],
        azs: Sequence[str],
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        super().__init__("shop:database:Database", name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        self.subnet_group = aws.rds.SubnetGroup(
            child_name(name, "subnet-group"),
            subnet_ids=[subnet.id for subnet in subnets],
            description="Data subnets of every AZ the stack uses",
            opts=child,
        )
        self.primary = aws.rds.Instance(
            child_name(name, "primary"),
            engine="mysql",
            engine_version=config.engine_version,
            instance_class=config.instance_class,
            allocated_storage=config.allocated_storage_gb,
            # Storage grows on its own up to twice the configured size instead of filling up.
            max_allocated_storage=config.allocated_storage_gb * 2,
            storage_type="gp3",
            storage_encrypted=True,
            multi_az=config.multi_az,
            availability_zone=None if config.multi_az else azs[0],
            db_subnet_group_name=self.subnet_group.name,
            vpc_security_group_ids=[security_group_id],
            publicly_accessible=False,
            db_name=DATABASE_NAME,
            username=MASTER_USERNAME,
            manage_master_user_password=True,
            backup_retention_period=config.backup_retention_days,
            backup_window=BACKUP_WINDOW,
            maintenance_window=MAINTENANCE_WINDOW,
            copy_tags_to_snapshot=True,
            deletion_protection=config.deletion_protection,
            skip_final_snapshot=False,
            final_snapshot_identifier=f"{pulumi.get_project()}-{pulumi.get_stack()}-{name}-final",
            auto_minor_version_upgrade=True,
            enabled_cloudwatch_logs_exports=LOG_EXPORTS,
            tags={"Name": child_name(name, "primary"), "role": "primary"},
            opts=child,
        )
        self.replicas: list[aws.rds.Instance] = []
        for index, az in enumerate(replica_azs(azs, config.replicas)):
            replica_name = child_name(name, "replica", index + 1)
            self.replicas.append(
                aws.rds.Instance(
                    replica_name,
                    replicate_source_db=self.primary.identifier,
                    instance_class=config.instance_class,
                    availability_zone=az,
                    storage_type="gp3",
                    storage_encrypted=True,
                    vpc_security_group_ids=[security_group_id],
                    publicly_accessible=False,
                    # A replica promoted after losing the primary must keep backups from its first day.
                    backup_retention_period=config.backup_retention_days,
                    backup_window=BACKUP_WINDOW,
                    maintenance_window=MAINTENANCE_WINDOW,
                    deletion_protection=config.deletion_protection,
                    skip_final_snapshot=True,
                    auto_minor_version_upgrade=True,
                    enabled_cloudwatch_logs_exports=LOG_EXPORTS,
                    tags={"Name": replica_name, "role": "replica"},
                    opts=child,
                )
            )
        self.master_secret_arn: pulumi.Output[str] = self.primary.master_user_secrets.apply(_first_secret_arn)
        self.register_outputs(
            {
                "endpoint": self.primary.endpoint,
                "replicaEndpoints": [replica.endpoint for replica in self.replicas],
            }
        )
