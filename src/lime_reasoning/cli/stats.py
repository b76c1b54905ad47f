"""``lime stats DIR``: counts and token-length distributions per split and task."""

from __future__ import annotations

import argparse
import json
from pathlib import Path


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "stats",
        help="counts and token-length distributions of a dataset",
        description="Counts and token lengths (mean, p50, p95, max) per split and per task.",
    )
    parser.add_argument("directory", type=Path, help="a dataset directory (text, jsonl or parquet)")
    parser.add_argument("--json", action="store_true", help="print JSON instead of a table")
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from lime_reasoning.datasets.stats import dataset_statistics, format_statistics

    stats = dataset_statistics(args.directory)
    print(json.dumps(stats, indent=2) if args.json else format_statistics(stats))
    return 0
