"""The ``metamath`` checker: is a predicted MetaMathStep target a correct proof step for its example?

It plugs the Metamath step checker (:mod:`lime_reasoning.metamath.checker`) into ``lime evaluate``'s
``(record, prediction) -> bool`` hook. A MetaMathStep dataset records the theorem each example comes
from (its ``theorem`` column) and the database it was built from (``meta.json``); the checker reads
that same database (found by :func:`~lime_reasoning.metamath.source.dataset_database`: meta.json's
path, or ``mm`` from ``lime evaluate --mm``; SHA-256 checked), up to the last statement the dataset used.

Each prediction is judged in the example's own theorem, with only the assertions that precede it:
never in another theorem that happens to have the same goal and hypotheses (a later one may use the
theorem itself as a lemma). A step leaving the goal itself as a subgoal is wrong. Where every axiom the
dataset's theorems can use is propositional (set.mm up to ``ax-gen``), the new subgoals must also be
tautology-consequences of the theorem's hypotheses. The returned checker's ``guarantee`` says which
of these applied.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from lime_reasoning.datasets import read_meta, read_records
from lime_reasoning.errors import LimeError
from lime_reasoning.evaluation.checkers import Checker

OWN_THEOREM = ("the step applies in the example's own theorem, with only the assertions before it; "
               "it leaves no circular subgoal (the goal itself)")
TAUTOLOGIES = (OWN_THEOREM + "; every new subgoal in propositional calculus is a tautology-consequence of "
               "the theorem's hypotheses (truth tables)")


def make_checker(data_dir: Path, split: str, *, mm: str | None = None) -> Checker:
    """The step checker for ``split``; ``mm`` is a path to the dataset's database where it has moved."""
    from lime_reasoning.metamath.checker import StepChecker
    from lime_reasoning.metamath.reader import read_database
    from lime_reasoning.metamath.source import dataset_database

    meta = read_meta(data_dir)
    path = dataset_database(data_dir, meta.get("database"), mm)
    missing = f"{data_dir}: the {split!r} split has no theorem column"
    if any("theorem" not in record for record in read_records(data_dir, split, limit=1)):
        raise LimeError(missing)
    checker = StepChecker(read_database(path, stop_after=meta.get("config", {}).get("last")))
    tautology = checker.truth_tables.propositional_database()

    def check(record: Mapping[str, Any], prediction: str) -> bool:
        theorem = record.get("theorem")
        if theorem is None:
            raise LimeError(missing)
        return checker.check(str(theorem), record["src"], prediction, tautology=tautology).ok

    check.guarantee = TAUTOLOGIES if tautology else OWN_THEOREM  # type: ignore[attr-defined]
    return check
