"""One AWS provider per layer, so that the layer's default tags reach every taggable resource."""

from __future__ import annotations

import pulumi
import pulumi_aws as aws

from .naming import default_tags


class LayerProviders:
    """Create, on first use, the AWS provider of each layer in a region, tagged for that layer.

    AWS applies a provider's default tags to every resource that supports tags, so the
    `pulumi:project`, `pulumi:stack` and `layer` tags need no code in the components. Auto
    Scaling groups and the instances they launch are the exception: their components tag them
    explicitly.
    """

    def __init__(self, project: str, stack: str, region: str) -> None:
        self.project = project
        self.stack = stack
        self.region = region
        self._providers: dict[tuple[str, str], aws.Provider] = {}

    def get(self, layer: str, region: str | None = None) -> aws.Provider:
        region = region or self.region
        key = (layer, region)
        if key not in self._providers:
            name = f"aws-{layer}" if region == self.region else f"aws-{layer}-{region}"
            self._providers[key] = aws.Provider(
                name,
                region=region,
                default_tags=aws.ProviderDefaultTagsArgs(tags=default_tags(self.project, self.stack, layer)),
            )
        return self._providers[key]

    def opts(self, layer: str, region: str | None = None) -> pulumi.ResourceOptions:
        """Return options that give a component, and so all its children, the layer's provider."""
        return pulumi.ResourceOptions(providers={"aws": self.get(layer, region)})
