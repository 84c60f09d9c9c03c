"""Chaos drills: AWS FIS experiment templates that rehearse the failures the design survives."""

from __future__ import annotations

import json
from collections.abc import Sequence

import pulumi
import pulumi_aws as aws

from .iam import service_trust_policy
from .naming import STACK_TAG, child_name

# How long a drill keeps an AZ's instances stopped and its cache nodes powered off.
OUTAGE_DURATION = "PT10M"


class ChaosDrills(pulumi.ComponentResource):
    """One template per AZ that takes the AZ away, and one that terminates a web instance.

    Each drill stops as soon as the public load balancer's 5xx alarm fires, so a rehearsal never
    turns into an outage. The drills' role may act only on this stack's instances (by the
    `pulumi:stack` tag), its database primary and its cache.
    """

    def __init__(
        self,
        name: str,
        *,
        azs: Sequence[str],
        stack: str,
        database_arn: pulumi.Input[str],
        database_multi_az: bool,
        cache_arn: pulumi.Input[str],
        stop_alarm_arn: pulumi.Input[str],
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        super().__init__("shop:monitoring:ChaosDrills", name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        role = aws.iam.Role(
            child_name(name, "role"),
            description="AWS FIS runs the chaos drills of this stack",
            assume_role_policy=service_trust_policy("fis.amazonaws.com"),
            opts=child,
        )
        aws.iam.RolePolicy(
            child_name(name, "policy"),
            role=role.id,
            policy=pulumi.Output.all(database_arn, cache_arn).apply(
                lambda arns: json.dumps(drill_policy(stack, arns[0], arns[1]))
            ),
            opts=child,
        )
        stop_conditions: list[aws.fis.ExperimentTemplateStopConditionArgsDict] = [
            {"source": "aws:cloudwatch:alarm", "value": stop_alarm_arn}
        ]
        stack_instances: aws.fis.ExperimentTemplateTargetResourceTagArgsDict = {"key": STACK_TAG, "value": stack}

        self.templates: list[aws.fis.ExperimentTemplate] = []
        for az in azs:
            self.templates.append(
                aws.fis.ExperimentTemplate(
                    child_name(name, "az-loss", az),
                    description=f"Lose {az}: stop its instances, fail the database over, cut its cache power",
                    role_arn=role.arn,
                    stop_conditions=stop_conditions,
                    targets=[
                        {
                            "name": "instances",
                            "resource_type": "aws:ec2:instance",
                            "selection_mode": "ALL",
                            "resource_tags": [stack_instances],
                            "filters": [
                                {"path": "Placement.AvailabilityZone", "values": [az]},
                                {"path": "State.Name", "values": ["running"]},
                            ],
                        },
                        {
                            "name": "database",
                            "resource_type": "aws:rds:db",
                            "selection_mode": "ALL",
                            "resource_arns": [database_arn],
                        },
                        {
                            "name": "cache",
                            "resource_type": "aws:elasticache:replicationgroup",
                            "selection_mode": "ALL",
                            "resource_arns": [cache_arn],
                            "parameters": {"availabilityZoneIdentifier": az},
                        },
                    ],
                    actions=[
                        {
                            "name": "stop-instances",
                            "action_id": "aws:ec2:stop-instances",
                            "parameters": [{"key": "startInstancesAfterDuration", "value": OUTAGE_DURATION}],
                            "target": {"key": "Instances", "value": "instances"},
                        },
                        {
                            "name": "reboot-database",
                            "action_id": "aws:rds:reboot-db-instances",
                            # Without Multi-AZ there is no standby, and the reboot is an outage.
                            "parameters": [{"key": "forceFailover", "value": "true" if database_multi_az else "false"}],
                            "target": {"key": "DBInstances", "value": "database"},
                        },
                        {
                            "name": "interrupt-cache-power",
                            "action_id": "aws:elasticache:replicationgroup-interrupt-az-power",
                            "parameters": [{"key": "duration", "value": OUTAGE_DURATION}],
                            "target": {"key": "ReplicationGroups", "value": "cache"},
                        },
                    ],
                    opts=child,
                )
            )

        self.templates.append(
            aws.fis.ExperimentTemplate(
                child_name(name, "terminate-web-instance"),
                description="Terminate one running web instance; the Auto Scaling group replaces it",
                role_arn=role.arn,
                stop_conditions=stop_conditions,
                targets=[
                    {
                        "name": "web-instance",
                        "resource_type": "aws:ec2:instance",
                        "selection_mode": "COUNT(1)",
                        "resource_tags": [stack_instances, {"key": "layer", "value": "web"}],
                        "filters": [{"path": "State.Name", "values": ["running"]}],
                    }
                ],
                actions=[
                    {
                        "name": "terminate",
                        "action_id": "aws:ec2:terminate-instances",
                        "target": {"key": "Instances", "value": "web-instance"},
                    }
                ],
                opts=child,
            )
        )
        self.register_outputs({"templateIds": [template.id for template in self.templates]})


def drill_policy(stack: str, database_arn: str, cache_arn: str) -> dict:
    """Return the least privilege the drills need: this stack's instances, database and cache."""
    return {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Sid": "StackInstances",
                "Effect": "Allow",
                "Action": ["ec2:StopInstances", "ec2:StartInstances", "ec2:TerminateInstances"],
                "Resource": "arn:aws:ec2:*:*:instance/*",
                "Condition": {"StringEquals": {f"aws:ResourceTag/{STACK_TAG}": stack}},
            },
            {"Sid": "Database", "Effect": "Allow", "Action": "rds:RebootDBInstance", "Resource": database_arn},
            {
                "Sid": "Cache",
                "Effect": "Allow",
                "Action": "elasticache:InterruptClusterAzPower",
                "Resource": [cache_arn, cache_arn.replace(":replicationgroup:", ":cluster:") + "-*"],
            },
            {
                "Sid": "Discover",
                "Effect": "Allow",
                "Action": [
                    "ec2:DescribeInstances",
                    "rds:DescribeDBInstances",
                    "elasticache:DescribeReplicationGroups",
                    "tag:GetResources",
                ],
                "Resource": "*",
            },
        ],
    }
