"""Batch workers whose names, subnets and permissions come from data sources: the account, the
region, the AZs and a policy document."""

import json

import pulumi
import pulumi_aws as aws

account = aws.get_caller_identity()
region = aws.get_region()
azs = aws.get_availability_zones(state="available")

vpc = aws.ec2.Vpc("workers", cidr_block="10.4.0.0/16")
subnets = [
    aws.ec2.Subnet(f"workers-{az}", vpc_id=vpc.id, availability_zone=az, cidr_block=f"10.4.{i}.0/24")
    for i, az in enumerate(azs.names[:3])
]

assume = aws.iam.get_policy_document(
    statements=[
        {
            "actions": ["sts:AssumeRole"],
            "principals": [{"type": "Service", "identifiers": ["ec2.amazonaws.com"]}],
        }
    ]
)
role = aws.iam.Role("workers", assume_role_policy=assume.json)
aws.iam.RolePolicy(
    "workers-queue",
    role=role.id,
    policy=json.dumps(
        {
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Effect": "Allow",
                    "Action": ["sqs:ReceiveMessage", "sqs:DeleteMessage"],
                    "Resource": f"arn:aws:sqs:{region.region}:{account.account_id}:jobs",
                }
            ],
        }
    ),
)
profile = aws.iam.InstanceProfile("workers", role=role.name)

template = aws.ec2.LaunchTemplate(
    "workers",
    image_id="ami-0abcdef1234567890",
    instance_type="c7g.large",
    iam_instance_profile={"arn": profile.arn},
)
aws.autoscaling.Group(
    "workers",
    min_size=2,
    max_size=10,
    vpc_zone_identifiers=[s.id for s in subnets],
    launch_template={"id": template.id, "version": "$Latest"},
    tags=[{"key": "Name", "value": f"workers-{account.account_id}", "propagate_at_launch": True}],
)

pulumi.export("region", region.region)
