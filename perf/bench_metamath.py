"""Speed and memory of the Metamath layer on set.mm, side by side with mmverify.py and the reference C program.

Each measurement runs in its own fresh process (one Python process uses one core), so its time and
peak resident memory are its own:

* ``read``: parse set.mm (lexer + reader, frames of every assertion);
* ``read+verify``: the above, then check every proof (what ``lime metamath verify`` does);
* ``read+verify+extract``: the above while extracting every MetaMathStep example (the build's work
  before writing);
* ``build``: ``lime benchmark build metamathstep`` end to end, with the default formats;
* ``check``: the step checker on every extracted example (how many pass, and how fast);
* ``mmverify.py``: David A. Wheeler's pure-Python verifier, from a local checkout given with
  ``--mmverify`` (never shipped with this project);
* ``metamath``: ``metamath "read set.mm" "verify proof *" exit``, the reference C verifier.

Run it alone on the machine (``flock /tmp/lime-cpu.lock python perf/bench_metamath.py ...``);
results go to stdout as a table and, with ``--json FILE``, as JSON.
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

CHILD = r"""
import json, resource, sys, time
from pathlib import Path
started = time.perf_counter()
task, path = sys.argv[1], Path(sys.argv[2])
result = {}
from lime_reasoning.metamath import StepChecker, Verifier, read_database, theorem_steps
database = read_database(path)
result["read_s"] = time.perf_counter() - started
if task in ("verify", "extract", "check"):
    verifier = Verifier(database)
    if task == "verify":
        report = verifier.verify_all()
        result["verified"] = report.verified
        result["failures"] = len(report.failures)
    else:
        examples = []
        for theorem in database.theorems:
            examples.extend(theorem_steps(verifier, theorem) or [])
        result["examples"] = len(examples)
    result["work_s"] = time.perf_counter() - started - result["read_s"]
    if task == "check":
        checker = StepChecker(database)
        begun = time.perf_counter()
        result["passed"] = sum(checker.check(e.theorem, e.source, e.target).ok for e in examples)
        result["check_s"] = time.perf_counter() - begun
result["total_s"] = time.perf_counter() - started
result["peak_rss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print(json.dumps(result))
"""


def child(task: str, database: Path) -> dict:
    """Run one measurement in a fresh interpreter and return what it reports."""
    output = subprocess.run(
        [sys.executable, "-c", CHILD, task, str(database)], capture_output=True, text=True, check=True
    ).stdout
    return json.loads(output.strip().splitlines()[-1])


def timed(command: list[str], cwd: Path | None = None) -> tuple[float, float]:
    """Wall seconds and peak memory (MB) of an external command, via wait4's resource usage."""
    started = time.perf_counter()
    process = subprocess.Popen(command, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(process.pid, 0)
    seconds = time.perf_counter() - started
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"{' '.join(command)} failed: {process.stderr.read().decode()[-500:]}")
    return seconds, usage.ru_maxrss / 1024


def machine() -> str:
    memory_kb = next(
        (int(line.split()[1]) for line in Path("/proc/meminfo").read_text().splitlines() if line.startswith("MemTotal")),
        0,
    )
    return f"{os.cpu_count()} cores, {memory_kb / 1024**2:.0f} GB, Python {platform.python_version()}, {platform.machine()}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--mm", type=Path, default=Path("/usr/share/metamath/databases/set.mm"), help="the database")
    parser.add_argument("--mmverify", type=Path, help="path of mmverify.py from a local checkout, to run side by side")
    parser.add_argument("--repeat", type=int, default=1, help="runs of each measurement; the fastest is reported")
    parser.add_argument("--json", type=Path, help="also write the results here")
    args = parser.parse_args()
    database = args.mm.resolve()

    def best(task: str) -> dict:
        runs = [child(task, database) for _ in range(args.repeat)]
        return min(runs, key=lambda r: r["total_s"])

    results: dict = {"date": datetime.date.today().isoformat(), "machine": machine(), "database": str(database)}
    results["read"] = best("read")
    results["read+verify"] = best("verify")
    results["read+verify+extract"] = best("extract")
    lime = shutil.which("lime", path=str(Path(sys.executable).parent)) or "lime"
    with tempfile.TemporaryDirectory() as scratch:
        build = [lime, "benchmark", "build", "metamathstep", "--mm", str(database), "--quiet", "--overwrite"]
        runs = [timed([*build, "--out", str(Path(scratch) / "mms")]) for _ in range(args.repeat)]
        seconds, peak = min(runs)
        sizes = sum(p.stat().st_size for p in (Path(scratch) / "mms").iterdir())
        results["build"] = {"total_s": seconds, "peak_rss_mb": peak, "bytes_written": sizes}
    results["check"] = child("check", database)
    if args.mmverify is not None:
        runs = [timed([sys.executable, str(args.mmverify.resolve()), database.name], cwd=database.parent) for _ in range(args.repeat)]
        seconds, peak = min(runs)
        results["mmverify.py"] = {"total_s": seconds, "peak_rss_mb": peak}
    if shutil.which("metamath"):
        command = ["metamath", f"read {database.name}", "verify proof *", "exit"]
        runs = [timed(command, cwd=database.parent) for _ in range(args.repeat)]
        seconds, peak = min(runs)
        results["metamath"] = {"total_s": seconds, "peak_rss_mb": peak}

    ours = results["read+verify"]["total_s"]
    print(f"# {database.name} on {results['machine']}, {results['date']}\n")
    print("| measurement | seconds | peak memory (MB) | notes |")
    print("|---|---:|---:|---|")
    notes = {
        "read": "",
        "read+verify": f"{results['read+verify']['verified']:,} proofs, {results['read+verify']['failures']} failures",
        "read+verify+extract": f"{results['read+verify+extract']['examples']:,} examples",
        "build": f"{results['build']['bytes_written'] / 1e6:,.0f} MB written (default format: text)",
        "check": f"{results['check']['passed']:,} of {results['check']['examples']:,} pass; "
        f"checker alone {results['check']['check_s']:.1f} s",
        "mmverify.py": f"lime is {results.get('mmverify.py', {}).get('total_s', 0) / ours:.2f}x faster",
        "metamath": f"lime takes {ours / results.get('metamath', {}).get('total_s', 1):.2f}x as long",
    }
    for name in ("read", "read+verify", "read+verify+extract", "build", "check", "mmverify.py", "metamath"):
        if name in results:
            row = results[name]
            print(f"| {name} | {row['total_s']:.1f} | {row['peak_rss_mb']:,.0f} | {notes[name]} |")
    if args.json is not None:
        args.json.write_text(json.dumps(results, indent=2) + "\n")


if __name__ == "__main__":
    main()
