"""Which theorems to prove: a MetaMathStep split's theorems, a seeded sample of them, and which are novel.

A split's theorems are the ones its examples come from, in the order they first appear. A sample is
the ``count`` theorems with the smallest SHA-256 of ``"<seed>\\t<label>"``, kept in that order: it
depends on the seed and the labels alone (not on a random generator's implementation), and a larger
count keeps every theorem of a smaller one.

A theorem's statement is *novel* when its source (the statement with its hypotheses, as the first
step of its proof is written) occurs in no train example up to variable renaming
(:mod:`lime_reasoning.datasets.novelty`): a train theorem with the same statement would let a model
recall that first step instead of finding it.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from pathlib import Path

from lime_reasoning.datasets import read_meta, read_records
from lime_reasoning.datasets.novelty import TRAIN, canonical_source, dataset_variables
from lime_reasoning.errors import LimeError
from lime_reasoning.metamath.database import Assertion, Database
from lime_reasoning.metamath.reader import read_database
from lime_reasoning.metamath.source import dataset_database
from lime_reasoning.proving.search import goal_source


def split_theorems(data: Path, split: str) -> list[str]:
    """The labels of the theorems of ``split`` in ``data``, in order of first appearance."""
    records = read_records(data, split)
    if not records:
        raise LimeError(f"{data}: the {split!r} split is empty")
    if "theorem" not in records[0]:
        raise LimeError(f"{data}: the {split!r} split has no theorem column")
    return list(dict.fromkeys(str(record["theorem"]) for record in records))


def sample_theorems(labels: Sequence[str], count: int | None, seed: int) -> list[str]:
    """``count`` of ``labels`` chosen by ``seed`` (all of them when ``count`` is None or not smaller)."""
    if count is None or count >= len(labels):
        return list(labels)
    chosen = set(sorted(labels, key=lambda label: hashlib.sha256(f"{seed}\t{label}".encode()).hexdigest())[:count])
    return [label for label in labels if label in chosen]


def dataset_database_for_proving(data: Path, mm: str | Path | None = None) -> Database:
    """The database ``data`` was built from, read up to the data's last theorem (as its checker reads it)."""
    meta = read_meta(data)
    return read_database(dataset_database(data, meta.get("database"), mm), stop_after=meta.get("config", {}).get("last"))


def novel_statements(data: Path, theorems: Sequence[Assertion]) -> list[bool]:
    """Per theorem: is its statement's source absent from ``data``'s train split (up to variable renaming)?"""
    variables = dataset_variables(data) or frozenset()
    seen = {canonical_source(record["src"], variables) for record in read_records(data, TRAIN)}
    return [canonical_source(goal_source(t, t.expression), variables) not in seen for t in theorems]
