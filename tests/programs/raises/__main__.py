"""A program that checks its configuration before creating anything, and rejects it."""

import pulumi

config = pulumi.Config()
replicas = config.get_int("replicas") or 0

if replicas < 2:
    raise ValueError(f"replicas must be at least 2, got {replicas}")

pulumi.export("replicas", replicas)
