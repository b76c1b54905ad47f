"""``lime metamath``: verify a database, show a proof's steps, check proof steps against a database."""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from lime_reasoning.errors import LimeError
from lime_reasoning.wording import counted

SHOWN_FAILURES = 5


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("metamath", help="verify Metamath databases, show proofs, check proof steps")
    commands = parser.add_subparsers(dest="metamath_command", metavar="COMMAND", required=True)

    verify = commands.add_parser("verify", help="read a .mm database and verify every proof")
    verify.add_argument(
        "database",
        nargs="?",
        help="the .mm file; without it, or when 'set.mm' is not a file here: $LIME_SETMM, Debian's set.mm, "
        "or the download",
    )
    verify.add_argument("--quiet", action="store_true", help="no progress bar")
    verify.set_defaults(run=run_verify)

    show = commands.add_parser("show", help="print every step of a proof: number, hypotheses' steps, label, expression")
    show.add_argument("label", help="the theorem ($p) to show")
    show.add_argument("--mm", help="the .mm database (default: $LIME_SETMM, Debian's set.mm, or the download)")
    show.set_defaults(run=run_show)

    check = commands.add_parser(
        "check", help="check a MetaMathStep split's targets (or predictions for it) with the step checker",
        description="Run the step checker over a MetaMathStep split's targets, or over predictions for it, "
                    "against the database the dataset was built from (meta.json's path, or --mm).",
        epilog="Exit status: 0 when every step passes, 1 when some fail (a summary line on stderr), "
               "2 on bad input (such as a database other than the dataset's).",
    )
    check.add_argument("dataset", help="a MetaMathStep dataset directory (needs the theorem column)")
    check.add_argument("--split", default="test", help="which split (default: test)")
    check.add_argument("--predictions", help="one predicted target per line, in the split's order (default: its targets)")
    check.add_argument("--mm", metavar="PATH", help="the .mm database the dataset was built from, where it is no "
                       "longer at the path in its meta.json (default: that path; the SHA-256 must match)")
    check.add_argument("--quiet", action="store_true", help="no progress bar")
    check.set_defaults(run=run_check)


def _database_path(given: str | None) -> Path:
    from lime_reasoning.metamath.source import resolve_database

    if given is not None and not Path(given).exists() and given == "set.mm":
        return resolve_database(None)
    return resolve_database(given)


def run_verify(args: argparse.Namespace) -> int:
    from tqdm import tqdm

    from lime_reasoning.metamath import Verifier, read_database

    path = _database_path(args.database)
    started = time.perf_counter()
    database = read_database(path)
    read_seconds = time.perf_counter() - started
    theorems = database.theorems
    with tqdm(total=len(theorems), desc=f"verifying {path.name}", unit=" proofs", disable=args.quiet) as bar:
        report = Verifier(database).verify_all(theorems, bar.update)
    verify_seconds = time.perf_counter() - started - read_seconds
    counts = database.counts
    for failure in report.failures:
        print(f"lime: error: {failure}", file=sys.stderr)
    print(
        f"{path}: {counts['statements']:,} statements ({counts['$a']:,} $a, {counts['$p']:,} $p); "
        f"{report.verified:,} proofs verified, {len(report.incomplete):,} incomplete, {len(report.failures):,} failed; "
        f"read {read_seconds:.1f} s, verified {verify_seconds:.1f} s"
    )
    if report.incomplete:
        shown = ", ".join(report.incomplete[:SHOWN_FAILURES]) + (", ..." if len(report.incomplete) > SHOWN_FAILURES else "")
        print(f"incomplete proofs ('?' steps, skipped): {shown}")
    return 2 if report.failures else 0


def run_show(args: argparse.Namespace) -> int:
    from lime_reasoning.metamath import ProofError, Verifier, read_database
    from lime_reasoning.metamath.steps import proof_trace

    path = _database_path(args.mm)
    database = read_database(path)
    theorem = database.assertion(args.label)
    if theorem is None or theorem.kind != "p":
        raise LimeError(f"{path}: no theorem ($p) labelled {args.label}")
    try:
        trace = proof_trace(Verifier(database), theorem)
    except ProofError as error:
        raise LimeError(error.describe(database)) from None
    if trace is None:
        raise LimeError(f"{database.where(theorem)}: proof of {theorem.label} is incomplete ('?' steps)")
    print("\n".join(map(str, trace)))
    return 0


def run_check(args: argparse.Namespace) -> int:
    from tqdm import tqdm

    from lime_reasoning.datasets import read_meta, read_records
    from lime_reasoning.metamath import StepChecker, read_database
    from lime_reasoning.metamath.source import dataset_database

    records = read_records(args.dataset, args.split)
    if records and "theorem" not in records[0]:
        raise LimeError(f"{args.dataset}: the {args.split} split has no theorem column (not a MetaMathStep dataset?)")
    if args.predictions is not None:
        targets = _read_lines(args.predictions)
        if len(targets) != len(records):
            raise LimeError(
                f"{args.predictions}: {counted(len(targets), 'line')}, but the {args.split} split has {counted(len(records), 'example')}"
            )
    else:
        targets = [record["tgt"] for record in records]
    path = dataset_database(args.dataset, read_meta(args.dataset).get("database"), args.mm)
    checker = StepChecker(read_database(path))
    correct = 0
    failures: list[str] = []
    for number, (record, target) in enumerate(
        tqdm(list(zip(records, targets)), desc="checking", unit=" steps", disable=args.quiet), start=1
    ):
        verdict = checker.check(record["theorem"], record["src"], target)
        if verdict.ok:
            correct += 1
        elif len(failures) < SHOWN_FAILURES:
            failures.append(f"  example {number} ({record['theorem']}, step {record['step']}): {verdict.reason}")
    total = len(records)
    share = f" ({100 * correct / total:.2f}%)" if total else ""
    print(f"{args.dataset} {args.split}: {correct:,} of {total:,} steps correct{share}")
    if failures:
        print("\n".join(failures))
    if correct < total:
        what = "predictions" if args.predictions is not None else "targets"
        print(f"lime: {total - correct:,} of {total:,} {what} fail the step checker", file=sys.stderr)
        return 1
    return 0


def _read_lines(path: str) -> list[str]:
    """The lines of a predictions file; bytes that are not UTF-8 are one error line saying where."""
    try:
        data = Path(path).read_bytes()
    except OSError as error:
        raise LimeError(f"{path}: cannot read ({error.strerror or error})") from None
    from lime_reasoning.datasets.reading import decode_utf8

    return decode_utf8(data, Path(path), 1, 0).splitlines()
