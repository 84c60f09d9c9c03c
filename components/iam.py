"""IAM helpers the components share."""

from __future__ import annotations

import json


def service_trust_policy(service: str) -> str:
    """Return the JSON trust policy of a role that the AWS service `service` assumes."""
    return json.dumps(
        {
            "Version": "2012-10-17",
            "Statement": [{"Effect": "Allow", "Principal": {"Service": service}, "Action": "sts:AssumeRole"}],
        }
    )
