"""``lime evaluate``: beam search on a split, top-1 / top-k exact match, predictions as JSON lines."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "evaluate", help="beam-search a trained model on a split: exact match, predictions, checkers",
        description="Decode every example of a split with beam search and report top-1 and top-k exact match "
                    "(per task for mixtures). Interrupted runs resume when the same command is run again.",
    )
    parser.add_argument("--model", metavar="RUN", required=True, help="a run directory of lime train / finetune")
    parser.add_argument("--data", metavar="DIR", required=True, help="dataset directory")
    parser.add_argument("--split", default="test", help="default test")
    parser.add_argument("--format", choices=("text", "jsonl", "parquet"), help="which format to read")
    parser.add_argument("--beam", type=int, default=10, help="beam size = k of top-k (default 10)")
    parser.add_argument("--max-length", type=int, default=256, metavar="N", help="most tokens to generate (default 256)")
    parser.add_argument("--batch-tokens", type=int, default=16384, metavar="N",
                        help="sources × beam × longest source per batch (default 16384)")
    parser.add_argument("--limit", type=int, metavar="N", help="evaluate only the first N examples")
    parser.add_argument("--checker", metavar="NAME",
                        help="also judge predictions with a semantic checker: metamath, an entry point of the "
                             "group lime_reasoning.checkers, or module:factory")
    parser.add_argument("--mm", metavar="PATH",
                        help="for --checker metamath: the .mm database the data was built from, where it is no "
                             "longer at the path in the data's meta.json (its SHA-256 must match)")
    parser.add_argument("--out", metavar="DIR",
                        help="where predictions.jsonl and metrics.json go (default RUN/eval/<data>-<split>)")
    parser.add_argument("--overwrite", action="store_true", help="replace an evaluation directory that lime wrote (its meta.json says so)")
    parser.set_defaults(run=run, on_interrupt="; run the same command again to resume")


def run(args: argparse.Namespace) -> int:
    from lime_reasoning.evaluation.runner import EvalConfig, evaluate
    from lime_reasoning.modeling.model import quiet_transformers

    quiet_transformers()
    cfg = EvalConfig(model=args.model, data=args.data, split=args.split, format=args.format, beam=args.beam,
                     max_length=args.max_length, batch_tokens=args.batch_tokens, limit=args.limit,
                     checker=args.checker, mm=args.mm)
    out = Path(args.out) if args.out else Path(args.model) / "eval" / f"{Path(args.data).resolve().name}-{args.split}"
    metrics = evaluate(cfg, out, args.overwrite)
    shown = {k: v for k, v in metrics.items() if k != "config"}
    print(json.dumps(shown, indent=2))
    print(f"lime: predictions and metrics in {out}", file=sys.stderr)
    return 0
