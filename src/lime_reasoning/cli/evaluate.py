"""``lime evaluate``: beam search on a split, top-1 / top-k exact match, predictions as JSON lines."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

SECTIONS = ("per_task", "per_subset")
NOTES = ("novelty", "checker_guarantee", "unknown_source_tokens")  # printed under the table, one per line


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "evaluate", help="beam-search a trained model on a split: exact match, predictions, checkers",
        description="Decode every example of a split with beam search and report top-1 and top-k exact match "
                    "(per task for mixtures); where the data has a train split, also on the novel and seen "
                    "sources and beside two model-free baselines fitted on train. Interrupted runs resume "
                    "when the same command is run again.",
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
    print(summary_table(metrics))
    print(f"lime: predictions and metrics in {out}", file=sys.stderr)
    return 0


def _groups(metrics: dict[str, Any]) -> Iterator[tuple[str, tuple[str, ...]]]:
    """(name, path in metrics) of every group of rates: overall, then per task and per subset."""
    yield "all", ()
    for section in SECTIONS:
        for name in metrics.get(section, {}):
            yield name, (section, name)


def _at(metrics: dict[str, Any], path: tuple[str, ...]) -> dict[str, Any]:
    for key in path:
        metrics = metrics.get(key, {})
    return metrics


def _title(name: str, rates: dict[str, Any]) -> str:
    title = f"{name}: {rates['examples']:,} examples"
    if "share" in rates:
        title += f", {rates['share']:.1%} of all"
    if "label_coverage" in rates:
        title += f", gold label seen in train {rates['label_coverage']:.1%}"
    return title


def _shown(value: Any) -> str:
    if value is None:
        return "none declared"
    return f"{value:.1%}" if isinstance(value, float) else str(value)


def summary_table(metrics: dict[str, Any]) -> str:
    """Every rate of the model beside the same rate of each baseline (a memorisation floor), then the notes."""
    columns = {"model": metrics, **metrics.get("baselines", {})}
    names = [name for name in metrics if name.startswith(("top", "checked_top"))]
    width = max(len(name) for name in names) + 2
    lines = [" " * width + "".join(f"{column:>15}" for column in columns)]
    for group, path in _groups(metrics):
        lines.append(_title(group, _at(metrics, path)))
        for name in names:
            cells = (_at(summary, path).get(name) for summary in columns.values())
            lines.append(f"  {name:<{width - 2}}" + "".join(f"{'' if v is None else _shown(v):>15}" for v in cells))
    lines += [f"{note}: {_shown(metrics[note])}" for note in NOTES if note in metrics]
    return "\n".join(lines)
