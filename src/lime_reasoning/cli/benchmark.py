"""``lime benchmark build NAME``: build a downstream benchmark dataset (MetaMathStep from set.mm)."""

from __future__ import annotations

import argparse
from pathlib import Path

from lime_reasoning.benchmarks.splits import parse_size


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("benchmark", help="build downstream benchmark datasets")
    commands = parser.add_subparsers(dest="benchmark_command", metavar="COMMAND", required=True)
    build = commands.add_parser("build", help="build a benchmark dataset")
    benchmarks = build.add_subparsers(dest="benchmark", metavar="BENCHMARK", required=True)

    step = benchmarks.add_parser(
        "metamathstep",
        help="proof-step prediction from Metamath's set.mm, split by theorem",
        description="One example per |- proof step of every theorem: source = goal and the theorem's $e "
        "hypotheses, target = the assertion's label and the substitution of its variables (docs/metamath.md).",
    )
    step.add_argument("--out", required=True, help="output directory (created atomically)")
    step.add_argument(
        "--mm", help="the .mm database (default: $LIME_SETMM, then Debian's set.mm, then 'lime data download set.mm')"
    )
    for name, default in (("train", "35000"), ("valid", "1000"), ("test", "1000")):
        step.add_argument(
            f"--{name}", type=parse_size, default=parse_size(default), metavar="N|F",
            help=f"{name} theorems: a count, or a fraction with a decimal point (default: {default})",
        )
    step.add_argument("--seed", type=int, default=0, help="seed of the split by theorem (default: 0)")
    step.add_argument(
        "--steps", choices=("all", "unique"), default="all",
        help="every |- step, or each distinct (source, target) once per theorem (default: all)",
    )
    step.add_argument("--max-source-tokens", type=int, metavar="N", help="drop examples with longer sources")
    step.add_argument("--max-target-tokens", type=int, metavar="N", help="drop examples with longer targets")
    step.add_argument("--from", dest="first", metavar="LABEL", help="only theorems from this statement on")
    step.add_argument("--upto", dest="last", metavar="LABEL", help="only theorems up to this statement (read stops there)")
    step.add_argument("--section", metavar="TITLE", help="only theorems under this part, chapter or section header")
    step.add_argument(
        "--format", default="text", help="comma-separated: text (fairseq files), jsonl, parquet (default: text)"
    )
    step.add_argument("--overwrite", action="store_true", help="replace an output directory that lime wrote as a dataset (its meta.json says so)")
    step.add_argument("--quiet", action="store_true", help="no progress bars")
    step.set_defaults(run=run_metamathstep)


def run_metamathstep(args: argparse.Namespace) -> int:
    from lime_reasoning.benchmarks.metamathstep import MetaMathStepConfig, build_metamathstep
    from lime_reasoning.datasets import check_formats
    from lime_reasoning.metamath.source import resolve_database

    formats = check_formats([fmt.strip() for fmt in args.format.split(",")])
    config = MetaMathStepConfig(
        train=args.train,
        valid=args.valid,
        test=args.test,
        seed=args.seed,
        steps=args.steps,
        max_source_tokens=args.max_source_tokens,
        max_target_tokens=args.max_target_tokens,
        first=args.first,
        last=args.last,
        section=args.section,
    )
    database = resolve_database(args.mm)
    meta = build_metamathstep(database, Path(args.out), config, formats, args.overwrite, args.quiet)
    theorems, counts = meta["theorems"], meta["counts"]
    splits = ", ".join(f"{name} {theorems[name]:,} theorems / {counts[name]:,} examples" for name in counts)
    print(f"{args.out}: {splits} (from {database}; {', '.join(formats)})")
    return 0
