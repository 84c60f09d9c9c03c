"""Monitoring, backups and chaos drills, read from the recorded prod plan."""

from __future__ import annotations

import json

import pytest

from components.backup import restore_testing_name
from components.chaos import drill_policy
from spof import graph as g
from spof.graph import Graph, Resource
from tests.conftest import PlanFactory

ALARM = "aws:cloudwatch/metricAlarm:MetricAlarm"
TEMPLATE = "aws:fis/experimentTemplate:ExperimentTemplate"


@pytest.fixture(scope="module")
def graph(plan: PlanFactory) -> Graph:
    return plan("prod").graph


def alarms(graph: Graph) -> dict[str, Resource]:
    return {alarm.name.removeprefix("alarms-"): alarm for alarm in graph.of_type(ALARM)}


def test_every_layer_signal_has_an_alarm(graph: Graph) -> None:
    metrics = {(a.props["namespace"], a.props["metricName"]) for a in alarms(graph).values()}
    assert metrics >= {
        ("AWS/ApplicationELB", "HTTPCode_ELB_5XX_Count"),
        ("AWS/ApplicationELB", "UnHealthyHostCount"),
        ("AWS/AutoScaling", "GroupInServiceInstances"),
        ("AWS/RDS", "ReplicaLag"),
        ("AWS/RDS", "CPUUtilization"),
        ("AWS/RDS", "FreeStorageSpace"),
        ("AWS/ElastiCache", "EngineCPUUtilization"),
        ("AWS/ElastiCache", "ReplicationLag"),
        ("AWS/CloudFront", "5xxErrorRate"),
        ("AWS/Route53", "HealthCheckStatus"),
        ("AWS/SQS", "ApproximateNumberOfMessagesVisible"),
    }
    assert len(alarms(graph)) >= 8


def test_alarms_notify_the_topic(graph: Graph) -> None:
    topic = next(t for t in graph.of_type("aws:sns/topic:Topic") if t.name == "alarms-topic")
    for name, alarm in alarms(graph).items():
        assert alarm.props["alarmActions"] == [topic.outputs["arn"]], name
        assert alarm.props["okActions"] == [topic.outputs["arn"]], name


def test_unhealthy_hosts_per_target_group(graph: Graph) -> None:
    unhealthy = [a for a in alarms(graph).values() if a.props["metricName"] == "UnHealthyHostCount"]
    groups = {a.props["dimensions"]["TargetGroup"] for a in unhealthy}
    assert len(groups) == len(graph.of_type(*g.TARGET_GROUPS)) == 2


def test_in_service_alarm_uses_min_size(graph: Graph) -> None:
    web = alarms(graph)["web-in-service"].props
    assert web["threshold"] == 3
    assert web["comparisonOperator"] == "LessThanThreshold"
    assert web["treatMissingData"] == "breaching"


def test_global_alarms_in_us_east_1(plan: PlanFactory) -> None:
    graph = plan("prod", "aws:region=eu-west-1", "storage.replicaRegion=eu-central-1").graph
    by_name = alarms(graph)
    for name in ("cdn-5xx-rate", "lb-health-check"):
        provider = graph.provider_of(by_name[name])
        assert provider is not None and provider.props["region"] == "us-east-1", name
    global_topic = next(t for t in graph.of_type("aws:sns/topic:Topic") if t.name == "alarms-global-topic")
    assert by_name["cdn-5xx-rate"].props["alarmActions"] == [global_topic.outputs["arn"]]


def test_alarm_email_subscription(plan: PlanFactory) -> None:
    graph = plan("prod", "monitoring.alarmEmail=oncall@example.com").graph
    subscriptions = graph.of_type("aws:sns/topicSubscription:TopicSubscription")
    assert [s.props["endpoint"] for s in subscriptions] == ["oncall@example.com"]
    assert not plan("prod").graph.of_type("aws:sns/topicSubscription:TopicSubscription")


def test_access_logs_to_versioned_bucket(graph: Graph) -> None:
    log_bucket = next(b for b in graph.of_type(*g.BUCKETS) if b.name == "logs-bucket")
    versioning = next(v for v in graph.of_type(*g.BUCKET_VERSIONINGS) if v.name == "logs-bucket-versioning")
    assert versioning.props["versioningConfiguration"]["status"] == "Enabled"
    assert graph.ref(versioning, "bucket", *g.BUCKETS) is log_bucket
    for alb in graph.of_type(*g.LOAD_BALANCERS):
        assert alb.props["accessLogs"]["enabled"] is True
        assert alb.props["accessLogs"]["bucket"] == log_bucket.outputs["bucket"]
    distribution = graph.of_type(g.DISTRIBUTION)[0]
    assert distribution.props["loggingConfig"]["bucket"] == log_bucket.outputs["bucketDomainName"]


def test_backup_plan_covers_database(graph: Graph) -> None:
    primary = next(r for r in graph.of_type(g.RDS_INSTANCE) if r.name == "database-primary")
    selection = graph.of_type("aws:backup/selection:Selection")[0]
    assert selection.props["resources"] == [primary.outputs["arn"]]
    plan_rule = graph.of_type("aws:backup/plan:Plan")[0].props["rules"][0]
    assert plan_rule["lifecycle"]["deleteAfter"] == 35
    restore = graph.of_type("aws:backup/restoreTestingSelection:RestoreTestingSelection")[0]
    assert restore.props["protectedResourceArns"] == [primary.outputs["arn"]]
    assert graph.of_type("aws:backup/restoreTestingPlan:RestoreTestingPlan")[0].props["name"] == "shop_prod_backup"


def test_restore_testing_name_allowed_characters() -> None:
    assert restore_testing_name("my-shop", "prod", "backup") == "my_shop_prod_backup"
    assert len(restore_testing_name("x" * 60)) == 50


def test_chaos_templates_stopped_by_alarm(graph: Graph) -> None:
    stop_alarm = alarms(graph)["public-lb-5xx"]
    templates = graph.of_type(TEMPLATE)
    assert len(templates) == 4
    for template in templates:
        conditions = template.props["stopConditions"]
        assert conditions == [{"source": "aws:cloudwatch:alarm", "value": stop_alarm.outputs["arn"]}], template.name


def test_az_loss_drill_covers_every_layer(graph: Graph) -> None:
    template = next(t for t in graph.of_type(TEMPLATE) if t.name == "chaos-az-loss-us-east-1b")
    actions = {a["actionId"] for a in template.props["actions"]}
    assert actions == {
        "aws:ec2:stop-instances",
        "aws:rds:reboot-db-instances",
        "aws:elasticache:replicationgroup-interrupt-az-power",
    }
    instances = next(t for t in template.props["targets"] if t["name"] == "instances")
    assert {"path": "Placement.AvailabilityZone", "values": ["us-east-1b"]} in instances["filters"]
    reboot = next(a for a in template.props["actions"] if a["actionId"] == "aws:rds:reboot-db-instances")
    assert reboot["parameters"] == [{"key": "forceFailover", "value": "true"}]


def test_drill_role_limited_to_stack() -> None:
    policy = drill_policy(
        "prod",
        "arn:aws:rds:us-east-1:123456789012:db:primary",
        "arn:aws:elasticache:us-east-1:123456789012:replicationgroup:cache",
    )
    statements = {s["Sid"]: s for s in policy["Statement"]}
    assert statements["StackInstances"]["Condition"] == {"StringEquals": {"aws:ResourceTag/pulumi:stack": "prod"}}
    assert statements["Database"]["Resource"] == "arn:aws:rds:us-east-1:123456789012:db:primary"
    assert "arn:aws:elasticache:us-east-1:123456789012:cluster:cache-*" in statements["Cache"]["Resource"]
    assert all(s["Resource"] != "*" for s in policy["Statement"] if s["Sid"] != "Discover")


def test_drill_policy_in_plan_names_primary(graph: Graph) -> None:
    policy = json.loads(
        next(p for p in graph.of_type("aws:iam/rolePolicy:RolePolicy") if p.name == "chaos-policy").props["policy"]
    )
    primary = next(r for r in graph.of_type(g.RDS_INSTANCE) if r.name == "database-primary")
    assert {
        "Sid": "Database",
        "Effect": "Allow",
        "Action": "rds:RebootDBInstance",
        "Resource": primary.outputs["arn"],
    } in policy["Statement"]
