"""The proof search's speed: goals batched per expansion against the one-goal-at-a-time loop, side by side.

In one process, on the same theorems (a seeded sample of a MetaMathStep split's, as ``lime reproduce``
proves), the search runs twice with the same model, budget and k: with ``batch_goals`` (every new open
goal of an expanded node decoded in one ``generate`` call) and without (the first goal alone, one call
per expansion). It prints expansions/s, theorems/s, model calls and the theorems proved by each, and
checks that both expanded the same nodes (the same proved set and expansion counts, up to beams that
padding in a batch can reorder). A few searches run untimed first, so that neither run pays for the
process's warm-up. One torch thread, as the experiment's stages use. Run it alone on the
machine: ``flock /tmp/lime-cpu.lock python perf/bench_prover.py --model RUN --data DIR``.
"""

from __future__ import annotations

import argparse
import dataclasses
import datetime
import json
import platform
import time
from pathlib import Path

import torch

from lime_reasoning.metamath.checker import StepChecker
from lime_reasoning.modeling.model import quiet_transformers
from lime_reasoning.proving.model_proposer import ModelProposer
from lime_reasoning.proving.runner import search_config
from lime_reasoning.proving.search import ProofSearch
from lime_reasoning.proving.theorem_choice import dataset_database_for_proving, sample_theorems, split_theorems


WARM_UP = 5  # theorems searched once before either timed run


class CountingProposer:
    """The model proposer, counting its calls and the goals they decode."""

    def __init__(self, proposer: ModelProposer) -> None:
        self.proposer, self.calls, self.goals = proposer, 0, 0

    def propose(self, theorem: str, goals: list[str], k: int) -> list[list[tuple[str, float]]]:
        self.calls += 1
        self.goals += len(goals)
        return self.proposer.propose(theorem, goals, k)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--model", type=Path, required=True, help="a fine-tuned run directory")
    parser.add_argument("--data", type=Path, required=True, help="the MetaMathStep dataset it was fine-tuned on")
    parser.add_argument("--theorems", type=int, default=100, help="test theorems to prove (default 100)")
    parser.add_argument("--seed", type=int, default=0, help="chooses the sample (default 0)")
    parser.add_argument("--budget", type=int, default=16, help="expansions per theorem (default 16, the tiny preset's)")
    parser.add_argument("--k", type=int, default=8, help="candidates per expansion (default 8)")
    parser.add_argument("--max-length", type=int, default=32, help="most tokens per step (default 32)")
    args = parser.parse_args()
    torch.set_num_threads(1)
    quiet_transformers()
    database = dataset_database_for_proving(args.data)
    labels = sample_theorems(split_theorems(args.data, "test"), args.theorems, args.seed)
    theorems = [database.assertion(label) for label in labels]
    model = ModelProposer(args.model, database, max_length=args.max_length, device=torch.device("cpu"))
    config = search_config(database, args.budget, args.k)
    for theorem in theorems[:WARM_UP]:  # untimed: the first calls of a process pay for allocations and caches
        ProofSearch(StepChecker(database), model, config).prove(theorem)  # type: ignore[arg-type]
    runs = {}
    for name, batch in (("batched", True), ("one goal at a time", False)):
        proposer = CountingProposer(model)
        search = ProofSearch(StepChecker(database), proposer, dataclasses.replace(config, batch_goals=batch))
        began = time.perf_counter()
        results = [search.prove(theorem) for theorem in theorems]  # type: ignore[arg-type]
        seconds = time.perf_counter() - began
        expansions = sum(r.expansions for r in results)
        runs[name] = {"seconds": round(seconds, 2), "expansions": expansions, "model_calls": proposer.calls,
                      "goals_decoded": proposer.goals, "expansions_per_s": round(expansions / seconds, 2),
                      "theorems_per_s": round(len(theorems) / seconds, 3),
                      "proved": sorted(t.label for t, r in zip(theorems, results) if r.found),  # type: ignore[union-attr]
                      "per_theorem_expansions": [r.expansions for r in results]}
    batched, single = runs["batched"], runs["one goal at a time"]
    print(json.dumps({
        "date": datetime.date.today().isoformat(), "python": platform.python_version(), "torch": torch.__version__,
        "model": str(args.model), "data": str(args.data), "theorems": len(theorems), "budget": args.budget, "k": args.k,
        "runs": {name: {k: v for k, v in run.items() if k != "per_theorem_expansions"} for name, run in runs.items()},
        "speedup": round(single["seconds"] / batched["seconds"], 2),
        "same_nodes": batched["proved"] == single["proved"]
        and batched["per_theorem_expansions"] == single["per_theorem_expansions"],
    }, indent=2))


if __name__ == "__main__":
    main()
