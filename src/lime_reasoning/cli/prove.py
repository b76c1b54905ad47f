"""``lime prove``: model-guided best-first proof search on Metamath theorems, every proof verified."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from lime_reasoning.metamath.database import Database


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "prove", help="prove Metamath theorems by best-first search guided by a trained model",
        description="For each theorem, a best-first search over sets of open goals asks the model for candidate "
                    "steps, keeps those the step checker accepts, and stops at a proof or at the budget. Every "
                    "proof is assembled in normal format and verified before it counts. One JSON line per "
                    "theorem goes to --out; running the same command again skips the theorems already there.",
    )
    parser.add_argument("--model", metavar="RUN", required=True, help="a run directory of lime finetune / train")
    parser.add_argument("--mm", metavar="DB",
                        help="the .mm database (with --data: where the data's database has moved)")
    which = parser.add_mutually_exclusive_group(required=True)
    which.add_argument("--theorems", metavar="T1,T2", help="comma-separated labels of theorems ($p) to prove")
    which.add_argument("--data", metavar="DIR", help="a MetaMathStep dataset: prove the theorems of --split")
    parser.add_argument("--split", default="test", help="with --data (default test)")
    parser.add_argument("--budget", type=int, required=True, metavar="N", help="expansions per theorem")
    parser.add_argument("--k", type=int, default=8, metavar="K", help="candidate steps asked per expansion (default 8)")
    parser.add_argument("--max-time", metavar="DURATION", help="wall-clock limit per theorem, e.g. 30s, 5m")
    parser.add_argument("--max-length", type=int, default=256, metavar="N", help="most tokens per step (default 256)")
    parser.add_argument("--out", metavar="FILE.jsonl", required=True, help="one result per theorem, appended")
    parser.add_argument("--write-proofs", metavar="FILE.mm",
                        help="write every proof in --out as a .mm fragment to append to the database")
    parser.set_defaults(run=run, on_interrupt="; run the same command again to resume")


def run(args: argparse.Namespace) -> int:
    from lime_reasoning.errors import LimeError
    from lime_reasoning.training.budget import parse_duration

    for name in ("budget", "k", "max_length"):
        if getattr(args, name) < 1:
            raise LimeError(f"--{name.replace('_', '-')} must be at least 1, got {getattr(args, name)}")
    max_seconds = parse_duration(args.max_time) if args.max_time else None
    database, labels = _database_and_theorems(args)
    theorems = []
    for label in labels:
        theorem = database.assertion(label)
        if theorem is None or theorem.kind != "p":
            raise LimeError(f"{database.path}: no theorem ($p) labelled {label}")
        theorems.append(theorem)

    from lime_reasoning.modeling.model import quiet_transformers
    from lime_reasoning.proving.model_proposer import ModelProposer
    from lime_reasoning.proving.runner import prove_theorems, search_config

    quiet_transformers()
    proposer = ModelProposer(args.model, database, max_length=args.max_length)
    proposer.check_vocabulary(theorems)
    config = search_config(database, args.budget, args.k, max_seconds)
    proofs = Path(args.write_proofs) if args.write_proofs else None
    rows = prove_theorems(database, theorems, proposer, config, Path(args.out), proofs)
    wanted = {t.label for t in theorems}
    proved = sum(bool(row["proved"]) for row in rows if row["theorem"] in wanted)
    print(f"proved {proved} of {len(theorems)} theorems (budget {args.budget} expansions, k {args.k})")
    print(f"lime: results in {args.out}" + (f", proofs in {proofs}" if proofs else ""), file=sys.stderr)
    return 0


def _database_and_theorems(args: argparse.Namespace) -> tuple[Database, list[str]]:
    """The database (read up to the data's last statement, as its checker reads it) and the labels to prove."""
    from lime_reasoning.errors import LimeError
    from lime_reasoning.metamath.reader import read_database
    from lime_reasoning.metamath.source import resolve_database
    from lime_reasoning.proving.theorem_choice import dataset_database_for_proving, split_theorems

    if args.theorems is not None:
        labels = [label for label in args.theorems.split(",") if label]
        if not labels:
            raise LimeError("--theorems names no theorem")
        return read_database(resolve_database(args.mm)), list(dict.fromkeys(labels))
    data = Path(args.data)
    return dataset_database_for_proving(data, args.mm), split_theorems(data, args.split)
