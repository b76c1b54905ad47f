"""``lime generate``: write a synthetic LIME dataset."""

from __future__ import annotations

import argparse
import dataclasses
from pathlib import Path

from lime_reasoning.errors import LimeError
from lime_reasoning.tasks.config import IntRange, TaskConfig, option_name

EPILOG = """\
tasks: deduct, abduct, induct, induct_v2, induct_v3, induct_hard, induct_v2_double, rewrite,
induct_rewrite, rewrite_multistep_hard, rewrite_multistep_easy, and the controls set, identity;
'mixed' = deduct,induct,abduct.
A mixture may carry relative weights: --task deduct=2,abduct=1.
"""


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "generate",
        help="write a synthetic LIME dataset (text, jsonl or parquet)",
        description="Write a seeded synthetic LIME dataset with clean train/valid/test splits.",
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--task", default="mixed", help="a task, 'mixed', or a weighted mixture (default: mixed)")
    parser.add_argument("--train", type=int, default=0, metavar="N", help="training examples")
    parser.add_argument("--valid", type=int, default=0, metavar="N", help="validation examples")
    parser.add_argument("--test", type=int, default=0, metavar="N", help="test examples")
    parser.add_argument("--seed", type=int, default=0, help="the dataset is a pure function of its settings and seed")
    parser.add_argument("--out", type=Path, required=True, help="output directory (created atomically)")
    parser.add_argument(
        "--format", default="text", help="comma-separated: text (fairseq files), jsonl, parquet (default: text)"
    )
    parser.add_argument("--workers", type=int, default=1, help="worker processes (output does not depend on it)")
    parser.add_argument("--shard", default="0/1", metavar="I/N", help="write only slice I of N of every split")
    parser.add_argument("--dedup", action="store_true", help="drop examples whose source appeared earlier in the split")
    parser.add_argument("--overwrite", action="store_true", help="replace an output directory that lime wrote as a dataset (its meta.json says so)")
    parser.add_argument("--quiet", action="store_true", help="no progress bar and no summary")
    parser.add_argument("--no-header", action="store_true", help="drop the <UPPER> ... <space> header from sources")
    knobs = parser.add_argument_group("task knobs (defaults are the reference generator's)")
    defaults = TaskConfig()
    for field in dataclasses.fields(TaskConfig):
        if field.name == "header":
            continue
        default = getattr(defaults, field.name)
        kind = str if isinstance(default, IntRange) else type(default)
        metavar = "MIN..MAX" if isinstance(default, IntRange) else None
        knobs.add_argument(option_name(field.name), type=kind, default=str(default) if metavar else default,
                           metavar=metavar, help=f"{field.metadata['help']} (default: {default})")
    parser.set_defaults(run=run, on_interrupt="; run the same command again to resume")


def parse_shard(text: str) -> tuple[int, int]:
    index, slash, total = text.partition("/")
    try:
        parsed = int(index), int(total)
    except ValueError:
        raise LimeError(f"--shard: expected I/N such as 0/4, got {text!r}") from None
    if not slash or parsed[1] < 1 or not 0 <= parsed[0] < parsed[1]:
        raise LimeError(f"--shard: expected I/N with 0 <= I < N, got {text!r}")
    return parsed


def config_from_args(args: argparse.Namespace) -> TaskConfig:
    values = {}
    for field in dataclasses.fields(TaskConfig):
        if field.name == "header":
            values["header"] = not args.no_header
            continue
        value = getattr(args, field.name)
        default = getattr(TaskConfig(), field.name)
        values[field.name] = IntRange.parse(value, option_name(field.name)) if isinstance(default, IntRange) else value
    return TaskConfig(**values).validate()


def run(args: argparse.Namespace) -> int:
    from lime_reasoning.datasets.build import BuildRequest, build
    from lime_reasoning.datasets.synthetic import SyntheticSpec
    from lime_reasoning.datasets.stats import print_summary

    request = BuildRequest(
        spec=SyntheticSpec(args.task, config_from_args(args), args.seed),
        counts={"train": args.train, "valid": args.valid, "test": args.test},
        out=args.out,
        formats=tuple(fmt.strip() for fmt in args.format.split(",")),
        workers=args.workers,
        shard=parse_shard(args.shard),
        dedup=args.dedup,
        overwrite=args.overwrite,
        quiet=args.quiet,
    )
    meta = build(request)
    if not args.quiet:
        print_summary(args.out, meta)
    return 0
