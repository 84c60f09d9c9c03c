"""The CrossGuard policy pack `shop-spof`: the SPOF rules of `spof.rules`, run at `pulumi preview`.

    pulumi preview --policy-pack policy
    pulumi preview --policy-pack policy --policy-pack-config FILE

Every rule is mandatory unless the pack's configuration sets another level, so a finding stops
the update. The JSON file given to `--policy-pack-config` sets the level of all rules, as in
`{"all": "advisory"}` for the development stack, which trades redundancy for cost. It can also
set the level of one rule by its id, as in `{"dns-single-provider": "disabled"}`.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path

# The rules live in this repository's `spof` package, which the pack's virtualenv does not install.
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from pulumi_policy import (
    EnforcementLevel,
    Policy,
    PolicyPack,
    ReportViolation,
    StackValidationArgs,
    StackValidationPolicy,
)

from spof.crossguard import to_graph
from spof.rules import Rule, all_rules, evaluate

PACK_NAME = "shop-spof"
DEFAULT_ENFORCEMENT = EnforcementLevel.MANDATORY


def validation(rule: Rule) -> Callable[[StackValidationArgs, ReportViolation], None]:
    """Return the stack validation that runs one rule and reports each finding on its resource."""

    def validate(args: StackValidationArgs, report_violation: ReportViolation) -> None:
        for finding in evaluate(to_graph(args.resources), rule_ids=[rule.id]):
            report_violation(finding.message, finding.resource)

    return validate


# One policy per rule, named by the rule id, so that the configuration can set the level of
# each rule and `pulumi preview` names the rule that failed. The price is that each policy
# converts the stack's resources again, which takes milliseconds.
policies: list[Policy] = [
    StackValidationPolicy(name=rule.id, description=rule.description, validate=validation(rule)) for rule in all_rules()
]

if __name__ == "__main__":
    # Pulumi runs this file as the main module. Tests import it under another name and call the
    # policies' validate functions, because PolicyPack starts a server and blocks.
    PolicyPack(name=PACK_NAME, policies=policies, enforcement_level=DEFAULT_ENFORCEMENT)
