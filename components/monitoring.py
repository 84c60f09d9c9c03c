"""Operations: the access-log archive, and CloudWatch alarms on every layer's health signal."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from functools import partial

import pulumi
import pulumi_aws as aws

from .buckets import PrivateBucket
from .config import MonitoringConfig
from .naming import child_name

# Five minutes of one-minute data points: long enough to ride out a blip, short enough to page
# before users notice a trend.
PERIOD_SECONDS = 60
EVALUATION_PERIODS = 5
# ALB 5xx responses per minute that count as an incident rather than noise.
LB_5XX_PER_MINUTE = 10
CPU_PERCENT = 80
FREE_STORAGE_FRACTION = 0.1
REPLICA_LAG_SECONDS = 60
CACHE_REPLICATION_LAG_SECONDS = 30
CDN_5XX_RATE_PERCENT = 5
# Logs are written once; an overwritten or deleted log object is kept a week for investigations.
LOG_NONCURRENT_DAYS = 7


def _node_id(group_id: str, number: int) -> str:
    """Return the id ElastiCache gives node `number` of a replication group: <group id>-001 and so on."""
    return f"{group_id}-{number:03d}"


class LogArchive(pulumi.ComponentResource):
    """A versioned, encrypted bucket for load balancer and CloudFront access logs.

    CloudFront's standard logging writes through bucket ACLs, so this bucket, unlike the image
    buckets, keeps ACLs enabled with the bucket owner preferred. Logs expire after
    `monitoring.logRetentionDays`.
    """

    def __init__(self, name: str, config: MonitoringConfig, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("shop:monitoring:LogArchive", name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        logs = PrivateBucket(
            child_name(name, "bucket"),
            child,
            lifecycle_id="expire-logs",
            noncurrent_days=LOG_NONCURRENT_DAYS,
            expire_days=config.log_retention_days,
            object_ownership="BucketOwnerPreferred",
        )
        self.bucket = logs.bucket
        # Each region's load balancers deliver logs from an AWS-owned account.
        log_delivery = aws.elb.get_service_account_output(opts=pulumi.InvokeOptions(parent=self))
        policy = aws.s3.BucketPolicy(
            child_name(name, "policy"),
            bucket=self.bucket.id,
            policy=pulumi.Output.all(self.bucket.arn, log_delivery.arn).apply(
                lambda values: json.dumps(
                    {
                        "Version": "2012-10-17",
                        "Statement": [
                            {
                                "Sid": "LoadBalancerLogDelivery",
                                "Effect": "Allow",
                                "Principal": {"AWS": values[1]},
                                "Action": "s3:PutObject",
                                "Resource": f"{values[0]}/alb/*",
                            }
                        ],
                    }
                )
            ),
            opts=child,
        )
        # Load balancers check their log permissions when logging is switched on, so users of the
        # bucket name wait for the policy.
        self.bucket_name = pulumi.Output.all(self.bucket.bucket, policy.id).apply(lambda values: values[0])
        self.bucket_domain_name = pulumi.Output.all(self.bucket.bucket_domain_name, policy.id).apply(
            lambda values: values[0]
        )
        self.register_outputs({"bucket": self.bucket.bucket})


@dataclass(frozen=True)
class Watched:
    """The resources whose health signals the alarms watch."""

    public_lb: aws.lb.LoadBalancer
    public_target_group: aws.lb.TargetGroup
    internal_lb: aws.lb.LoadBalancer
    internal_target_group: aws.lb.TargetGroup
    groups: Sequence[tuple[str, aws.autoscaling.Group, int]]
    primary: aws.rds.Instance
    allocated_storage_gb: int
    replicas: Sequence[aws.rds.Instance]
    cache: aws.elasticache.ReplicationGroup
    cache_nodes: int
    distribution: aws.cloudfront.Distribution
    health_check: aws.route53.HealthCheck
    dead_letter_queue: aws.sqs.Queue


class Alarms(pulumi.ComponentResource):
    """CloudWatch alarms on each layer's health signal, all sent to one SNS topic.

    CloudFront and Route 53 health-check metrics exist only in us-east-1, and an alarm can only
    notify a topic in its own region, so their alarms use a second topic there when the stack
    runs elsewhere.
    """

    def __init__(
        self,
        name: str,
        config: MonitoringConfig,
        watched: Watched,
        *,
        global_provider: pulumi.ProviderResource,
        stack_region: str,
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        super().__init__("shop:monitoring:Alarms", name, None, opts)
        self._name = name
        self.topic = self._topic("topic", config, None)
        self.global_topic = (
            self.topic if stack_region == "us-east-1" else self._topic("global-topic", config, global_provider)
        )
        self.alarms: dict[str, aws.cloudwatch.MetricAlarm] = {}

        for role, lb, group in (
            ("public", watched.public_lb, watched.public_target_group),
            ("internal", watched.internal_lb, watched.internal_target_group),
        ):
            self._alarm(
                f"{role}-lb-5xx",
                "AWS/ApplicationELB",
                "HTTPCode_ELB_5XX_Count",
                "Sum",
                ">",
                LB_5XX_PER_MINUTE,
                {"LoadBalancer": lb.arn_suffix},
                f"The {role} load balancer answers with 5xx errors",
            )
            self._alarm(
                f"{role}-tg-5xx",
                "AWS/ApplicationELB",
                "HTTPCode_Target_5XX_Count",
                "Sum",
                ">",
                LB_5XX_PER_MINUTE,
                {"LoadBalancer": lb.arn_suffix, "TargetGroup": group.arn_suffix},
                f"Targets behind the {role} load balancer answer with 5xx errors",
            )
            self._alarm(
                f"{role}-tg-unhealthy",
                "AWS/ApplicationELB",
                "UnHealthyHostCount",
                "Maximum",
                ">",
                0,
                {"LoadBalancer": lb.arn_suffix, "TargetGroup": group.arn_suffix},
                f"A target behind the {role} load balancer fails its health check",
            )

        for tier, auto_scaling_group, min_size in watched.groups:
            self._alarm(
                f"{tier}-in-service",
                "AWS/AutoScaling",
                "GroupInServiceInstances",
                "Minimum",
                "<",
                min_size,
                {"AutoScalingGroupName": auto_scaling_group.name},
                f"The {tier} tier runs fewer instances than its minimum of {min_size}",
            )

        self._alarm(
            "database-cpu",
            "AWS/RDS",
            "CPUUtilization",
            "Average",
            ">",
            CPU_PERCENT,
            {"DBInstanceIdentifier": watched.primary.identifier},
            "The database primary is CPU-bound",
        )
        self._alarm(
            "database-free-storage",
            "AWS/RDS",
            "FreeStorageSpace",
            "Minimum",
            "<",
            int(watched.allocated_storage_gb * 1024**3 * FREE_STORAGE_FRACTION),
            {"DBInstanceIdentifier": watched.primary.identifier},
            "The database primary has less than a tenth of its storage free",
        )
        for index, replica in enumerate(watched.replicas):
            self._alarm(
                f"database-replica-{index + 1}-lag",
                "AWS/RDS",
                "ReplicaLag",
                "Maximum",
                ">",
                REPLICA_LAG_SECONDS,
                {"DBInstanceIdentifier": replica.identifier},
                f"Read replica {index + 1} lags the primary by more than {REPLICA_LAG_SECONDS} s",
            )

        for index in range(watched.cache_nodes):
            node = watched.cache.id.apply(partial(_node_id, number=index + 1))
            self._alarm(
                f"cache-node-{index + 1}-cpu",
                "AWS/ElastiCache",
                "EngineCPUUtilization",
                "Average",
                ">",
                CPU_PERCENT,
                {"CacheClusterId": node},
                f"Cache node {index + 1} is CPU-bound",
            )
            if index > 0:
                self._alarm(
                    f"cache-node-{index + 1}-lag",
                    "AWS/ElastiCache",
                    "ReplicationLag",
                    "Maximum",
                    ">",
                    CACHE_REPLICATION_LAG_SECONDS,
                    {"CacheClusterId": node},
                    f"Cache replica {index + 1} lags the primary",
                )

        self._alarm(
            "payments-dead-letters",
            "AWS/SQS",
            "ApproximateNumberOfMessagesVisible",
            "Maximum",
            ">",
            0,
            {"QueueName": watched.dead_letter_queue.name},
            "Failed payments gave up retrying and wait in the dead-letter queue",
            periods=1,
        )

        global_opts = (global_provider, self.global_topic)
        self._alarm(
            "cdn-5xx-rate",
            "AWS/CloudFront",
            "5xxErrorRate",
            "Average",
            ">",
            CDN_5XX_RATE_PERCENT,
            {"DistributionId": watched.distribution.id, "Region": "Global"},
            "CloudFront answers image requests with 5xx errors",
            where=global_opts,
        )
        self._alarm(
            "lb-health-check",
            "AWS/Route53",
            "HealthCheckStatus",
            "Minimum",
            "<",
            1,
            {"HealthCheckId": watched.health_check.id},
            "Route 53 sees the public load balancer as unhealthy",
            where=global_opts,
            periods=2,
        )

        self.register_outputs({"topicArn": self.topic.arn, "alarmCount": len(self.alarms)})

    def _topic(self, role: str, config: MonitoringConfig, provider: pulumi.ProviderResource | None) -> aws.sns.Topic:
        opts = pulumi.ResourceOptions(parent=self, provider=provider)
        topic = aws.sns.Topic(
            child_name(self._name, role),
            kms_master_key_id="alias/aws/sns",
            opts=opts,
        )
        # CloudWatch publishes alarm notifications through the topic's resource policy.
        aws.sns.TopicPolicy(
            child_name(self._name, f"{role}-policy"),
            arn=topic.arn,
            policy=topic.arn.apply(
                lambda arn: json.dumps(
                    {
                        "Version": "2012-10-17",
                        "Statement": [
                            {
                                "Sid": "CloudWatchAlarms",
                                "Effect": "Allow",
                                "Principal": {"Service": "cloudwatch.amazonaws.com"},
                                "Action": "sns:Publish",
                                "Resource": arn,
                            }
                        ],
                    }
                )
            ),
            opts=opts,
        )
        if config.alarm_email:
            aws.sns.TopicSubscription(
                child_name(self._name, f"{role}-email"),
                topic=topic.arn,
                protocol="email",
                endpoint=config.alarm_email,
                opts=opts,
            )
        return topic

    def _alarm(
        self,
        role: str,
        namespace: str,
        metric: str,
        statistic: str,
        comparison: str,
        threshold: float,
        dimensions: dict[str, pulumi.Input[str]],
        description: str,
        *,
        periods: int = EVALUATION_PERIODS,
        where: tuple[pulumi.ProviderResource, aws.sns.Topic] | None = None,
    ) -> aws.cloudwatch.MetricAlarm:
        provider, topic = where if where is not None else (None, self.topic)
        operators = {">": "GreaterThanThreshold", "<": "LessThanThreshold"}
        alarm = aws.cloudwatch.MetricAlarm(
            child_name(self._name, role),
            alarm_description=description,
            namespace=namespace,
            metric_name=metric,
            statistic=statistic,
            dimensions=dimensions,
            comparison_operator=operators[comparison],
            threshold=threshold,
            period=PERIOD_SECONDS,
            evaluation_periods=periods,
            # No data from a health signal is itself a sign of trouble only for the in-service
            # and health-check alarms; elsewhere it means no traffic.
            treat_missing_data="breaching"
            if metric in ("GroupInServiceInstances", "HealthCheckStatus")
            else "notBreaching",
            alarm_actions=[topic.arn],
            ok_actions=[topic.arn],
            opts=pulumi.ResourceOptions(parent=self, provider=provider),
        )
        self.alarms[role] = alarm
        return alarm
