"""Command line: `python -m spof plan | audit | verify`.

Exit status: 0 when no mandatory finding exists, 1 when one does, 2 for bad input (an unknown
stack, an invalid configuration value, a program that fails to load or raises).
"""

from __future__ import annotations

import argparse
import sys
import warnings
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .report import Report

EXIT_OK, EXIT_FINDINGS, EXIT_INPUT = 0, 1, 2
FORMATS = ("text", "json", "markdown", "mermaid")
FORMAT_HELP = (
    "output format: text, json, markdown (the failure matrix and the modeled availability) "
    "or mermaid (a flowchart of the layers in each AZ) (default: text)"
)


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m spof",
        description="Find single points of failure in a Pulumi program, offline or in a live account.",
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    plan = commands.add_parser("plan", help="print the offline plan of one of this project's stacks")
    plan.add_argument(
        "--stack", default="prod", help="stack to plan, read from stacks/Pulumi.<stack>.yaml (default: prod)"
    )
    plan.add_argument("--format", choices=FORMATS, default="text", help=FORMAT_HELP)
    plan.add_argument(
        "--set",
        dest="assignments",
        action="append",
        default=[],
        metavar="KEY=VALUE",
        help="override a configuration value; KEY is a dotted path as in "
        "`pulumi config set --path`, VALUE is JSON where it parses (repeatable)",
    )

    audit = commands.add_parser("audit", help="run any Pulumi Python program offline and report its findings")
    audit.add_argument("directory", type=Path, help="directory holding Pulumi.yaml")
    audit.add_argument("--stack", help="stack whose Pulumi.<stack>.yaml to read (default: the only one, if any)")
    audit.add_argument("--format", choices=FORMATS, default="text", help=FORMAT_HELP)
    audit.add_argument(
        "--set",
        dest="assignments",
        action="append",
        default=[],
        metavar="KEY=VALUE",
        help="set a configuration value, as for plan (repeatable)",
    )
    audit.add_argument(
        "--severity",
        choices=("mandatory", "advisory"),
        help="severity of the findings; advisory never fails (default: the stack's "
        "<project>:redundancy.enforcement, else mandatory)",
    )

    verify = commands.add_parser("verify", help="check a deployed stack in a live AWS account with the same rules")
    verify.add_argument(
        "--stack",
        required=True,
        help="stack whose resources to check: those tagged pulumi:stack=STACK; its file in stacks/, "
        "if any, sets the severity and the plan to compare with",
    )
    verify.add_argument(
        "--region",
        help="AWS region of the stack (default: aws:region of the stack file, else "
        "the AWS SDK's region: AWS_REGION or the profile's)",
    )
    verify.add_argument(
        "--endpoint-url",
        metavar="URL",
        help="send every AWS request to URL, such as a local moto server (default: AWS's endpoints)",
    )
    verify.add_argument("--format", choices=("text", "json"), default="text", help="output format (default: text)")
    verify.add_argument(
        "--cloudflare-token",
        metavar="TOKEN",
        help="Cloudflare API token with Zone:Read and DNS:Read (default: CLOUDFLARE_API_TOKEN); "
        "without one the Cloudflare comparison is skipped",
    )
    verify.add_argument(
        "--cloudflare-base-url",
        metavar="URL",
        help="Cloudflare API base URL (default: CLOUDFLARE_BASE_URL, else https://api.cloudflare.com/client/v4)",
    )
    return parser


def _print_report(report: Report, output_format: str) -> int:
    from .report import render_json, render_text
    from .scenarios import render_markdown, render_matrix_text

    if output_format == "json":
        print(render_json(report))
    elif output_format == "markdown":
        print(render_markdown(report.sections, report.stack))
    elif output_format == "mermaid":
        from .diagram import render_mermaid

        print(render_mermaid(report.graph))
    else:
        print(render_text(report, render_matrix_text(report.sections)))
    return EXIT_FINDINGS if report.has_mandatory_findings else EXIT_OK


def _fail(message: str) -> int:
    print(f"error: {message}", file=sys.stderr)
    return EXIT_INPUT


def main(argv: Sequence[str] | None = None) -> int:
    # Provider SDKs emit dozens of DeprecationWarnings about their own members on import.
    warnings.simplefilter("ignore", DeprecationWarning)
    args = _parser().parse_args(argv)
    from .engine import ProgramError
    from .stackconfig import StackConfigError

    try:
        if args.command == "plan":
            from .plan import PlanInputError, build_plan

            try:
                report = build_plan(args.stack, args.assignments)
            except PlanInputError as error:
                return _fail(str(error))
            return _print_report(report, args.format)
        if args.command == "audit":
            from .audit import build_audit

            report = build_audit(args.directory, args.stack, args.assignments, args.severity)
            return _print_report(report, args.format)
        if args.command == "verify":
            from .verify import VerifyError, build_verify, render_verify

            try:
                live = build_verify(
                    args.stack,
                    region=args.region,
                    endpoint_url=args.endpoint_url,
                    cloudflare_token=args.cloudflare_token,
                    cloudflare_base_url=args.cloudflare_base_url,
                )
            except VerifyError as error:
                return _fail(str(error))
            print(render_verify(live, args.format))
            return EXIT_FINDINGS if live.has_mandatory_findings else EXIT_OK
    except (ProgramError, StackConfigError) as error:
        return _fail(str(error))
    return EXIT_INPUT
