"""The experiment's "theorems proved": each fine-tuned model, and the model-free floors, proving one sample.

Every arm of a seed, and the floors, attempt the same theorems: the preset's sample of the seed's test
split (:func:`~lime_reasoning.proving.theorem_choice.sample_theorems`), with the search of
``lime prove``. A stage's record keeps, per theorem, whether it was proved and whether its statement is
novel (absent from train), from which the report computes the shares proved on the ``all``, ``novel``
and ``seen`` theorems, as it does for step accuracy.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from lime_reasoning.datasets import read_records
from lime_reasoning.datasets.novelty import NOVEL, SEEN, TRAIN
from lime_reasoning.evaluation.baselines import BASELINES
from lime_reasoning.experiments.experiment_presets import Proving
from lime_reasoning.metamath.database import Assertion, Database
from lime_reasoning.proving.runner import prove_theorems, search_config
from lime_reasoning.proving.search import Proposer
from lime_reasoning.proving.theorem_choice import (
    dataset_database_for_proving,
    novel_statements,
    sample_theorems,
    split_theorems,
)

PROVED = "proved"
RESULTS_SUFFIX = ".jsonl"


@dataclass(frozen=True)
class ProvingTask:
    """What one seed's provers attempt: the database, the sampled test theorems and their novelty."""

    database: Database
    theorems: list[Assertion]
    novel: list[bool]

    @classmethod
    def of(cls, data: Path, database: Path, proving: Proving, seed: int) -> ProvingTask:
        db = _database(data, database)
        labels = sample_theorems(split_theorems(data, "test"), proving.theorems, seed)
        theorems = [db.assertion(label) for label in labels]
        missing = [label for label, t in zip(labels, theorems) if t is None or t.kind != "p"]
        assert not missing, f"{data}: test theorems {missing[:3]} are not theorems of {db.path}"
        return cls(db, theorems, novel_statements(data, theorems))  # type: ignore[arg-type]

    def attempt(self, proposer: Proposer, proving: Proving, out: Path, quiet: bool) -> list[dict[str, Any]]:
        """Prove every theorem (resuming ``out``); per theorem: its label, novelty, and whether it was proved."""
        config = search_config(self.database, proving.budget, proving.k)
        rows = {row["theorem"]: row for row in prove_theorems(self.database, self.theorems, proposer, config, out,
                                                             quiet=quiet)}
        return [{"theorem": t.label, "novel": novel, PROVED: bool(rows[t.label][PROVED])}
                for t, novel in zip(self.theorems, self.novel)]


@functools.lru_cache(maxsize=2)
def _database(data: Path, database: Path) -> Database:
    """Read once per worker process: a seed's arms and its floors prove against the same database."""
    return dataset_database_for_proving(data, database)


def prove_with_model(model: Path, data: Path, database: Path, proving: Proving, seed: int, out: Path,
                     quiet: bool = False) -> dict[str, Any]:
    """A fine-tuned model's attempt at the seed's sample; the stage's facts."""
    from lime_reasoning.proving.model_proposer import ModelProposer

    task = ProvingTask.of(data, database, proving, seed)
    proposer = ModelProposer(model, task.database, max_length=proving.max_length)
    return {"theorems": task.attempt(proposer, proving, out / f"{PROVED}{RESULTS_SUFFIX}", quiet)}


def prove_with_baselines(data: Path, database: Path, proving: Proving, seed: int, out: Path,
                         quiet: bool = False) -> dict[str, Any]:
    """Each model-free baseline's attempt at the seed's sample (the floors); the stage's facts."""
    from lime_reasoning.proving.baseline_proposer import BaselineProposer

    task = ProvingTask.of(data, database, proving, seed)
    train = read_records(data, TRAIN)
    return {"baselines": {name: task.attempt(BaselineProposer(name, task.database, train), proving,
                                             out / f"{name}{RESULTS_SUFFIX}", quiet) for name in BASELINES}}


def proving_rates(theorems: list[dict[str, Any]]) -> dict[str, float]:
    """Shares proved: ``all/proved``, and ``novel/proved`` / ``seen/proved`` where the subset has theorems."""
    rates = {}
    for subset, mine in (("all", theorems), (NOVEL, [t for t in theorems if t["novel"]]),
                         (SEEN, [t for t in theorems if not t["novel"]])):
        if mine:
            rates[f"{subset}/{PROVED}"] = sum(t[PROVED] for t in mine) / len(mine)
    return rates
