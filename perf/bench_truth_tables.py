"""How fast the truth tables decide set.mm's propositional calculus, and what they find there.

In one fresh process: read set.mm up to ``ax-gen``; decide, for every ``|-`` assertion, whether its
conclusion is a tautology-consequence of its ``$e`` hypotheses (cold: every formula parsed for the
first time); then run the step checker with ``tautology=True`` on every example extracted from that
range. Run it alone on the machine (``flock /tmp/lime-cpu.lock python perf/bench_truth_tables.py``).
"""

from __future__ import annotations

import argparse
import datetime
import json
import platform
import time
from pathlib import Path

from lime_reasoning.metamath import StepChecker, Verifier, read_database, theorem_steps
from lime_reasoning.metamath.truth_tables import OutsideTruthTables, TruthTables


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--mm", type=Path, default=Path("/usr/share/metamath/databases/set.mm"), help="the database")
    parser.add_argument("--upto", default="ax-gen", help="the last statement read")
    args = parser.parse_args()
    started = time.perf_counter()
    database = read_database(args.mm, stop_after=args.upto)
    read_s = time.perf_counter() - started

    begun = time.perf_counter()
    tables = TruthTables(database)
    counts = {"tautology-consequence": 0, "not": 0, "outside": 0}
    theorems = {"tautology-consequence": 0, "not": 0, "outside": 0}
    for assertion in database.assertions:
        if assertion.typecode != "|-":
            continue
        try:
            found = tables.consequence(assertion.expression, [h.expression for h in assertion.essentials])
            verdict = "tautology-consequence" if found else "not"
        except OutsideTruthTables:
            verdict = "outside"
        counts[verdict] += 1
        theorems[verdict] += assertion.kind == "p"
    tables_s = time.perf_counter() - begun

    verifier, checker = Verifier(database), StepChecker(database)
    examples = [e for theorem in database.theorems for e in theorem_steps(verifier, theorem) or []]
    begun = time.perf_counter()
    passed = sum(checker.check(e.theorem, e.source, e.target, tautology=True).ok for e in examples)
    check_s = time.perf_counter() - begun
    result = {
        "date": datetime.date.today().isoformat(), "python": platform.python_version(), "upto": args.upto,
        "read_s": round(read_s, 2), "assertions": counts, "theorems": theorems, "truth_tables_s": round(tables_s, 3),
        "examples": len(examples), "passed_with_tautology": passed, "check_s": round(check_s, 2),
    }
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
