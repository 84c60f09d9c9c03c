"""Time the offline plan of prod against a bare import of the third-party modules it loads.

Run it with `make bench`. Each side runs as a fresh process, several times, and the best run
counts, because the slower runs measure the machine's other work rather than the code. The
baseline imports exactly the modules of pulumi, pulumi_aws, pulumi_cloudflare and yaml that a
plan run leaves in sys.modules, recorded by running the plan in a subprocess first, so the
ratio shows what the plan costs beyond loading its SDKs. The last line printed ends with the
ratio; the exit status is 1 when it reaches --max-ratio.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
from collections.abc import Sequence
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PLAN = ["-m", "spof", "plan", "--stack", "prod", "--format", "json"]
# Packages whose import is the floor of a plan's run time: the Pulumi SDK, the two providers the
# program uses and the YAML parser that reads the stack files.
THIRD_PARTY = ("pulumi", "pulumi_aws", "pulumi_cloudflare", "yaml")
# The plan hides the providers' DeprecationWarnings; the baseline must not pay for printing them.
PYTHON_FLAGS = ["-W", "ignore::DeprecationWarning"]

_RECORD_MODULES = """
import contextlib, io, json, sys
sys.path.insert(0, {root!r})
from spof import cli
with contextlib.redirect_stdout(io.StringIO()):
    cli.main({argv!r})
print(json.dumps(sorted(sys.modules)))
"""


def plan_modules(python: str) -> list[str]:
    """Return the third-party modules that a plan of prod leaves loaded."""
    code = _RECORD_MODULES.format(root=str(ROOT), argv=PLAN[2:])
    result = subprocess.run([python, *PYTHON_FLAGS, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True)
    loaded = json.loads(result.stdout.strip().splitlines()[-1])
    return [name for name in loaded if name.split(".", 1)[0] in THIRD_PARTY]


def best_time(command: Sequence[str], runs: int) -> float:
    """Return the shortest wall time in seconds of `runs` runs of `command`; any failure raises."""
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run(command, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True)
        times.append(time.perf_counter() - start)
    return min(times)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description="Time the offline plan of prod against a bare import of its SDK modules."
    )
    parser.add_argument("--runs", type=int, default=5, help="runs of each command; the best counts (default: 5)")
    parser.add_argument(
        "--max-ratio",
        type=float,
        default=2.0,
        help="exit with status 1 when plan time / import time reaches this (default: 2.0)",
    )
    args = parser.parse_args(argv)
    if args.runs < 1:
        parser.error(f"--runs: invalid value {args.runs}: expected at least 1")

    python = sys.executable
    modules = plan_modules(python)
    imports = "import " + ", ".join(modules)
    roots = sorted({name.split(".", 1)[0] for name in modules})
    print(f"baseline imports {len(modules)} modules of {', '.join(roots)}")

    plan_s = best_time([python, *PLAN], args.runs)
    import_s = best_time([python, *PYTHON_FLAGS, "-c", imports], args.runs)
    ratio = plan_s / import_s
    print(f"plan of prod, best of {args.runs}: {plan_s:.2f} s")
    print(f"bare import, best of {args.runs}: {import_s:.2f} s")
    print(f"plan/import ratio: {ratio:.2f}")
    return 1 if ratio >= args.max_ratio else 0


if __name__ == "__main__":
    sys.exit(main())
