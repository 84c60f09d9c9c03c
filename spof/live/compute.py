"""Load balancers, target groups and Auto Scaling groups as deployed."""

from __future__ import annotations

from collections.abc import Iterable

from ..graph import AUTOSCALING_GROUP, LOAD_BALANCERS, TARGET_GROUP_ATTACHMENTS, TARGET_GROUPS, Resource
from .account import Account, paginate, tag_map


def read_load_balancers(account: Account, instance_ids: Iterable[str] = ()) -> list[Resource]:
    """Read the stack's ELBv2 load balancers and target groups.

    An instance of `instance_ids` (one that no Auto Scaling group manages) registered in a
    target group becomes a target group attachment, as a program would declare it.
    """
    elb = account.client("elbv2")
    standalone = set(instance_ids)
    found: list[Resource] = []

    for balancer in paginate(elb, "describe_load_balancers", "LoadBalancers"):
        arn = balancer["LoadBalancerArn"]
        tags = account.stack_tags(arn)
        if tags is None:
            continue
        found.append(
            account.resource(
                LOAD_BALANCERS[0],
                arn,
                balancer["LoadBalancerName"],
                {
                    "name": balancer["LoadBalancerName"],
                    "internal": balancer.get("Scheme") == "internal",
                    "loadBalancerType": balancer.get("Type"),
                    "subnets": [
                        zone["SubnetId"] for zone in balancer.get("AvailabilityZones") or () if zone.get("SubnetId")
                    ],
                    "tags": tags,
                },
                {"arn": arn, "dnsName": balancer.get("DNSName"), "zoneId": balancer.get("CanonicalHostedZoneId")},
            )
        )

    for target_group in paginate(elb, "describe_target_groups", "TargetGroups"):
        arn = target_group["TargetGroupArn"]
        tags = account.stack_tags(arn)
        if tags is None:
            continue
        found.append(
            account.resource(
                TARGET_GROUPS[0],
                arn,
                target_group["TargetGroupName"],
                {
                    "name": target_group["TargetGroupName"],
                    "port": target_group.get("Port"),
                    "protocol": target_group.get("Protocol"),
                    "vpcId": target_group.get("VpcId"),
                    "targetType": target_group.get("TargetType"),
                    "tags": tags,
                },
                {"arn": arn},
            )
        )
        if not standalone:
            continue
        for health in elb.describe_target_health(TargetGroupArn=arn).get("TargetHealthDescriptions") or ():
            target = health.get("Target") or {}
            if target.get("Id") in standalone:
                attachment_id = f"{arn}-{target['Id']}"
                found.append(
                    account.resource(
                        TARGET_GROUP_ATTACHMENTS[0],
                        attachment_id,
                        f"{target_group['TargetGroupName']}-{target['Id']}",
                        {"targetGroupArn": arn, "targetId": target["Id"], "port": target.get("Port")},
                    )
                )
    return found


def read_auto_scaling_groups(account: Account) -> list[Resource]:
    """Read the stack's Auto Scaling groups, whose tags are a list of key/value objects as in Pulumi."""
    autoscaling = account.client("autoscaling")
    found = []
    groups = paginate(autoscaling, "describe_auto_scaling_groups", "AutoScalingGroups", Filters=account.ec2_filters())
    for group in groups:
        if not account.owns(tag_map(group.get("Tags"))):
            continue
        name = group["AutoScalingGroupName"]
        subnets = [subnet.strip() for subnet in (group.get("VPCZoneIdentifier") or "").split(",") if subnet.strip()]
        found.append(
            account.resource(
                AUTOSCALING_GROUP,
                name,
                name,
                {
                    "name": name,
                    "vpcZoneIdentifiers": subnets,
                    "availabilityZones": group.get("AvailabilityZones") or [],
                    "minSize": group.get("MinSize"),
                    "maxSize": group.get("MaxSize"),
                    "desiredCapacity": group.get("DesiredCapacity"),
                    "healthCheckType": group.get("HealthCheckType"),
                    "healthCheckGracePeriod": group.get("HealthCheckGracePeriod"),
                    "targetGroupArns": group.get("TargetGroupARNs") or [],
                    "loadBalancers": group.get("LoadBalancerNames") or [],
                    "tags": [
                        {
                            "key": tag["Key"],
                            "value": tag.get("Value", ""),
                            "propagateAtLaunch": tag.get("PropagateAtLaunch"),
                        }
                        for tag in group.get("Tags") or ()
                    ],
                },
                {"arn": group.get("AutoScalingGroupARN")},
            )
        )
    return found
