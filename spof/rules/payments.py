"""Payments rule: at least two payment providers, so that checkout survives one provider's outage.

Providers are counted from the `payment-provider` tag of Secrets Manager secrets, which hold
each provider's credentials.
"""

from __future__ import annotations

from collections.abc import Iterable

from ..graph import SECRET, Graph, Resource, is_known
from . import Violation, rule

PROVIDER_TAG = "payment-provider"


@rule(
    "payments-single-provider",
    "payments",
    "Checks whether the stack holds credentials for at least two payment providers.",
)
def payments_single_provider(graph: Graph) -> Iterable[Violation]:
    providers: dict[str, Resource] = {}
    unknown = False
    for secret in graph.of_type(SECRET):
        if not is_known(secret.props.get("tags")):
            unknown = True
            continue
        provider = graph.tags(secret).get(PROVIDER_TAG)
        if provider is None:
            continue
        if not is_known(provider):
            unknown = True
            continue
        providers.setdefault(provider.strip().lower(), secret)
    if not providers or len(providers) >= 2 or unknown:
        return
    provider, secret = next(iter(providers.items()))
    yield Violation(
        secret,
        f"The stack must hold credentials for at least 2 payment providers, counted from the {PROVIDER_TAG} "
        f"tag of Secrets Manager secrets (found 1: {provider}, in secret {secret.name})",
    )
