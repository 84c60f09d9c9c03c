"""A tier of EC2 instances: launch template, instance role and an Auto Scaling group over every AZ."""

from __future__ import annotations

import base64
import json
from collections.abc import Mapping, Sequence

import pulumi
import pulumi_aws as aws

from .config import TierConfig
from .iam import service_trust_policy
from .naming import child_name, default_tags

# Seconds a new instance gets to boot before failed load balancer checks count against it.
HEALTH_CHECK_GRACE_SECONDS = 180
# Average CPU the group scales to hold, in percent.
TARGET_CPU_PERCENT = 50
# Instances kept in service during an instance refresh, in percent of the desired capacity.
REFRESH_MIN_HEALTHY_PERCENT = 90
# Group metrics that the in-service alarm and the failure model read.
GROUP_METRICS = [
    aws.autoscaling.Metric.GROUP_IN_SERVICE_INSTANCES,
    aws.autoscaling.Metric.GROUP_DESIRED_CAPACITY,
    aws.autoscaling.Metric.GROUP_MIN_SIZE,
    aws.autoscaling.Metric.GROUP_MAX_SIZE,
]
SSM_MANAGED_POLICY = "arn:aws:iam::aws:policy/AmazonSSMManagedInstanceCore"


def placeholder_user_data(port: int, health_check_path: str, environment: Mapping[str, str]) -> str:
    """Return a boot script that serves the health-check path until a real image replaces it.

    It lets a fresh stack reach healthy targets: the load balancers see 200 on the health-check
    path, and the instance keeps the stack's endpoints in /etc/shop/environment for the real
    service to read.
    """
    document = health_check_path.lstrip("/") or "index.html"
    variables = "\n".join(f"{key}={value}" for key, value in sorted(environment.items()))
    return f"""#!/bin/bash
set -euo pipefail
mkdir -p /etc/shop /srv/shop/$(dirname '{document}')
echo ok > '/srv/shop/{document}'
cat > /etc/shop/environment <<'ENVIRONMENT'
{variables}
ENVIRONMENT
cat > /etc/systemd/system/shop-placeholder.service <<'UNIT'
[Unit]
Description=Placeholder that answers the load balancer health check until the shop image replaces it
After=network-online.target
[Service]
EnvironmentFile=/etc/shop/environment
WorkingDirectory=/srv/shop
ExecStart=/usr/bin/python3 -m http.server {port} --bind 0.0.0.0
Restart=always
[Install]
WantedBy=multi-user.target
UNIT
systemctl daemon-reload
systemctl enable --now shop-placeholder.service
"""


class Tier(pulumi.ComponentResource):
    """Instances of one tier behind a target group, spread over every AZ's app subnet.

    The group replaces an instance that fails the load balancer's health check (`healthCheckType:
    ELB`), not only one whose hardware fails. An instance refresh rolls out a new launch template
    while at least 90 % of the desired capacity stays in service.
    """

    def __init__(
        self,
        name: str,
        config: TierConfig,
        *,
        layer: str,
        subnets: Sequence[aws.ec2.Subnet],
        security_group_id: pulumi.Input[str],
        target_group_arn: pulumi.Input[str],
        port: int,
        environment: Mapping[str, pulumi.Input[str]] | None = None,
        readable_secret_arns: Sequence[pulumi.Input[str]] = (),
        queue_arns: Sequence[pulumi.Input[str]] = (),
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        super().__init__("shop:compute:Tier", name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        tags = {**default_tags(pulumi.get_project(), pulumi.get_stack(), layer), "Name": child_name(name, "instance")}

        role = aws.iam.Role(
            child_name(name, "instance-role"),
            assume_role_policy=service_trust_policy("ec2.amazonaws.com"),
            description=f"Instances of the {name} tier",
            opts=child,
        )
        # Session Manager replaces SSH: no key pairs, no open port 22.
        aws.iam.RolePolicyAttachment(
            child_name(name, "ssm-policy"),
            role=role.name,
            policy_arn=SSM_MANAGED_POLICY,
            opts=child,
        )
        if readable_secret_arns or queue_arns:
            aws.iam.RolePolicy(
                child_name(name, "access-policy"),
                role=role.id,
                policy=pulumi.Output.all(list(readable_secret_arns), list(queue_arns)).apply(
                    lambda arns: json.dumps(_access_policy(arns[0], arns[1]))
                ),
                opts=child,
            )
        profile = aws.iam.InstanceProfile(child_name(name, "instance-profile"), role=role.name, opts=child)

        variables = pulumi.Output.all(**dict(environment or {})).apply(
            lambda resolved: base64.b64encode(
                placeholder_user_data(port, config.health_check_path, resolved).encode()
            ).decode()
        )
        self.launch_template = aws.ec2.LaunchTemplate(
            child_name(name, "launch-template"),
            image_id=config.image_id,
            instance_type=config.instance_type,
            iam_instance_profile={"arn": profile.arn},
            # IMDSv2 only: a session token is required, so a server-side request forgery cannot
            # read the instance's credentials with a plain GET.
            metadata_options={
                "http_endpoint": "enabled",
                "http_tokens": "required",
                "http_put_response_hop_limit": 1,
            },
            network_interfaces=[
                {
                    "associate_public_ip_address": "false",
                    "security_groups": [security_group_id],
                    "delete_on_termination": "true",
                }
            ],
            block_device_mappings=[
                {
                    "device_name": "/dev/xvda",
                    "ebs": {
                        "volume_size": 20,
                        "volume_type": "gp3",
                        "encrypted": "true",
                        "delete_on_termination": "true",
                    },
                }
            ],
            monitoring={"enabled": True},
            user_data=variables,
            update_default_version=True,
            # Default tags do not reach instances and volumes an Auto Scaling group launches.
            tag_specifications=[
                {"resource_type": "instance", "tags": tags},
                {"resource_type": "volume", "tags": tags},
            ],
            tags={"Name": child_name(name, "launch-template")},
            opts=child,
        )

        instance_refresh: aws.autoscaling.GroupInstanceRefreshArgsDict = {
            "strategy": "Rolling",
            "preferences": {"min_healthy_percentage": REFRESH_MIN_HEALTHY_PERCENT},
        }
        # Default tags do not reach Auto Scaling groups either; these also reach instances.
        group_tags: list[aws.autoscaling.GroupTagArgsDict] = [
            {"key": key, "value": value, "propagate_at_launch": True} for key, value in tags.items()
        ]
        self.group = aws.autoscaling.Group(
            child_name(name, "asg"),
            vpc_zone_identifiers=[subnet.id for subnet in subnets],
            min_size=config.min_size,
            max_size=config.max_size,
            desired_capacity=config.min_size,
            health_check_type="ELB",
            health_check_grace_period=HEALTH_CHECK_GRACE_SECONDS,
            target_group_arns=[target_group_arn],
            launch_template={"id": self.launch_template.id, "version": self.launch_template.latest_version.apply(str)},
            instance_refresh=instance_refresh,
            metrics_granularity="1Minute",
            enabled_metrics=GROUP_METRICS,
            tags=group_tags,
            opts=pulumi.ResourceOptions(parent=self, ignore_changes=["desired_capacity"]),
        )
        aws.autoscaling.Policy(
            child_name(name, "cpu-target"),
            autoscaling_group_name=self.group.name,
            policy_type="TargetTrackingScaling",
            target_tracking_configuration={
                "predefined_metric_specification": {"predefined_metric_type": "ASGAverageCPUUtilization"},
                "target_value": TARGET_CPU_PERCENT,
            },
            opts=child,
        )
        self.role = role
        self.register_outputs({"groupName": self.group.name})


def _access_policy(secret_arns: Sequence[str], queue_arns: Sequence[str]) -> dict:
    statements = []
    if secret_arns:
        statements.append(
            {
                "Effect": "Allow",
                "Action": ["secretsmanager:GetSecretValue", "secretsmanager:DescribeSecret"],
                "Resource": list(secret_arns),
            }
        )
    if queue_arns:
        statements.append(
            {
                "Effect": "Allow",
                "Action": [
                    "sqs:SendMessage",
                    "sqs:ReceiveMessage",
                    "sqs:DeleteMessage",
                    "sqs:ChangeMessageVisibility",
                    "sqs:GetQueueAttributes",
                ],
                "Resource": list(queue_arns),
            }
        )
    return {"Version": "2012-10-17", "Statement": statements}
