"""Payments: a Secrets Manager secret per payment provider and a retry queue for failed payments."""

from __future__ import annotations

import json

import pulumi
import pulumi_aws as aws

from .config import PaymentsConfig
from .naming import child_name

PROVIDER_TAG = "payment-provider"
# Days a deleted secret can still be restored.
SECRET_RECOVERY_DAYS = 7
# A failed payment is retried for up to four days, and a dead letter is kept for the maximum 14.
RETRY_RETENTION_SECONDS = 4 * 24 * 3600
DEAD_LETTER_RETENTION_SECONDS = 14 * 24 * 3600
RETRY_VISIBILITY_TIMEOUT_SECONDS = 60


class Payments(pulumi.ComponentResource):
    """One secret per provider in `payments.providers`, and a retry queue with a dead-letter queue.

    The secrets hold each provider's API credentials; their values are written outside Pulumi,
    so they never enter the stack's state. With two providers or more, checkout falls back to
    another provider when one is down, and payments that failed wait in the retry queue.
    """

    def __init__(self, name: str, config: PaymentsConfig, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("shop:payments:Payments", name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        self.secrets: dict[str, aws.secretsmanager.Secret] = {
            provider: aws.secretsmanager.Secret(
                child_name(name, "secret", provider),
                description=f"API credentials of the payment provider {provider}",
                recovery_window_in_days=SECRET_RECOVERY_DAYS,
                tags={PROVIDER_TAG: provider},
                opts=child,
            )
            for provider in config.providers
        }
        self.dead_letter_queue = aws.sqs.Queue(
            child_name(name, "retry-dlq"),
            message_retention_seconds=DEAD_LETTER_RETENTION_SECONDS,
            sqs_managed_sse_enabled=True,
            opts=child,
        )
        self.retry_queue = aws.sqs.Queue(
            child_name(name, "retry-queue"),
            message_retention_seconds=RETRY_RETENTION_SECONDS,
            visibility_timeout_seconds=RETRY_VISIBILITY_TIMEOUT_SECONDS,
            sqs_managed_sse_enabled=True,
            redrive_policy=self.dead_letter_queue.arn.apply(
                lambda arn: json.dumps(
                    {
                        "deadLetterTargetArn": arn,
                        "maxReceiveCount": config.retry_max_receive_count,
                    }
                )
            ),
            opts=child,
        )
        self.register_outputs(
            {
                "retryQueueUrl": self.retry_queue.url,
                "secretArns": {provider: secret.arn for provider, secret in self.secrets.items()},
            }
        )
