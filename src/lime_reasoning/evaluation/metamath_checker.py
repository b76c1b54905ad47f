"""The ``metamath`` checker: is a predicted MetaMathStep target a correct proof step for its goal?

It plugs the Metamath step checker (:mod:`lime_reasoning.metamath.checker`) into ``lime evaluate``'s
``(src, prediction) -> bool`` hook. A MetaMathStep dataset records the theorem each example comes
from (its ``theorem`` column) and the database it was built from (``meta.json``); the checker reads
that same database (found by :func:`~lime_reasoning.metamath.source.dataset_database`: meta.json's
path, or ``mm`` from ``lime evaluate --mm``; SHA-256 checked), up to the last statement the dataset used.

The hook sees only the source line; when the same source (goal and hypotheses) occurs in several
theorems, a prediction counts as correct when it is a correct step inside any of them.
"""

from __future__ import annotations

from pathlib import Path

from lime_reasoning.datasets import read_meta, read_records
from lime_reasoning.errors import LimeError
from lime_reasoning.evaluation.checkers import Checker


def make_checker(data_dir: Path, split: str, *, mm: str | None = None) -> Checker:
    """The step checker for ``split``; ``mm`` is a path to the dataset's database where it has moved."""
    from lime_reasoning.metamath.checker import StepChecker
    from lime_reasoning.metamath.reader import read_database
    from lime_reasoning.metamath.source import dataset_database

    meta = read_meta(data_dir)
    path = dataset_database(data_dir, meta.get("database"), mm)
    theorems: dict[str, list[str]] = {}
    for record in read_records(data_dir, split):
        if "theorem" not in record:
            raise LimeError(f"{data_dir}: the {split!r} split has no theorem column")
        found = theorems.setdefault(record["src"], [])
        if str(record["theorem"]) not in found:
            found.append(str(record["theorem"]))
    checker = StepChecker(read_database(path, stop_after=meta.get("config", {}).get("last")))

    def check(src: str, prediction: str) -> bool:
        return any(checker.check(theorem, src, prediction).ok for theorem in theorems[src])

    return check
