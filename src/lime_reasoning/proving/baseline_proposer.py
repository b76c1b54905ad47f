"""Model-free proposers: the evaluation's train-split baselines as provers, the floor of "theorems proved".

A prover whose candidates are the targets of train examples with the same source (``train_lookup``),
or the most frequent train targets whatever the goal (``best_constant``), proves what memorising the
train split proves. Its candidates are exactly the predictions the evaluation scores for these baselines
(:data:`~lime_reasoning.evaluation.baselines.BASELINES`); as they carry no probability, the ``i``-th
candidate of a goal scores ``-log(i + 1)``, a rank-only prior that makes the search prefer earlier
candidates as a model's log-probabilities would.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

from lime_reasoning.evaluation.baselines import BASELINES
from lime_reasoning.metamath.database import Database
from lime_reasoning.proving.search import goal_source


class BaselineProposer:
    """Candidates from the model-free baseline ``name`` fitted on ``train`` (MetaMathStep records)."""

    def __init__(self, name: str, database: Database, train: Sequence[dict[str, Any]]) -> None:
        self.predict = BASELINES[name]
        self.database = database
        self.train = train

    def propose(self, theorem: str, goals: list[str], k: int) -> list[list[tuple[str, float]]]:
        proved = self.database.assertion(theorem)
        assert proved is not None, theorem  # the search only proves the database's theorems
        records = [{"src": goal_source(proved, goal)} for goal in goals]
        return [[(target, -math.log(rank + 1)) for rank, target in enumerate(targets)]
                for targets in self.predict(self.train, records, k)]
