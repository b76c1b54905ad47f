"""Importing LeanStep (Han et al., proof artifact co-training on Lean's mathlib) as lean-step writes it.

lean-step's ``python/lean_step.py`` writes one JSON-lines file per task; two are read here:

* ``next_lemma_prediction.json``: ``{"goal": tactic state, "next_lemma": "(name : type)"}``, the tactic
  state being the hypotheses joined by tabs, then ``⊢ goal``. The target is the lemma as released, or
  its name only (``lemma="name"``); the name is also kept in the column ``lemma``;
* ``skip_proof.json``: ``{"skip_proof": the declaration's proof term with the subterm at point replaced
  by PREDICT, "proof_term": that subterm}``.

The split: lean-step assigns declarations to train / valid / test by a hash of their name
(``python/dhash.py``, reproduced exactly by :func:`hash_split`). Records that carry the declaration's
name in ``decl_nm`` (the field of lean-step's raw datapoints) are split that way. The released task
files carry no name, so their examples are split with a seeded permutation of their distinct sources:
an identical source never falls in two splits.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import mpmath
import numpy as np
from tqdm import tqdm

from lime_reasoning.benchmarks.importing import (
    Assignment,
    Groups,
    Row,
    SeededSplit,
    describe_files,
    lines,
    require_examples,
    seeded_assignment,
    split_meta,
    write_import,
)
from lime_reasoning.datasets import SPLITS, base_meta
from lime_reasoning.errors import LimeError
from lime_reasoning.wording import counted

KIND = "leanstep"
NAME_FIELD = "decl_nm"
LEMMA_FORMS = ("typed", "name")

# dhash.py: x = SHA-256 of the name mod 10**30; the split is the fractional part of x * pi, which lean-step
# computes with mpmath at 50 significant digits and compares with the thresholds as Python floats.
HASH_MODULUS = 10**30
HASH_DIGITS = 50
TRAIN_BELOW, VALID_BELOW = 0.92, 0.96


@dataclass(frozen=True)
class Task:
    """A lean-step task file: its name, the source and target fields, and what every source contains."""

    file: str
    source: str
    target: str
    source_holds: str
    columns: tuple[str, ...]


TASKS = {
    "next-lemma": Task("next_lemma_prediction.json", "goal", "next_lemma", "⊢", ("src", "tgt", "lemma")),
    "skip-proof": Task("skip_proof.json", "skip_proof", "proof_term", "PREDICT", ("src", "tgt")),
}


@dataclass(frozen=True)
class LeanStepConfig:
    """Everything that decides the dataset's content besides the input; None: not given."""

    task: str | None = None
    lemma: str | None = None
    split: SeededSplit = field(default_factory=SeededSplit)

    def __post_init__(self) -> None:
        if self.task is not None and self.task not in TASKS:
            raise LimeError(f"--task: choose from {', '.join(TASKS)}, not {self.task!r}")
        if self.lemma is not None and self.lemma not in LEMMA_FORMS:
            raise LimeError(f"--lemma: choose from {', '.join(LEMMA_FORMS)}, not {self.lemma!r}")


def name_hash(name: str) -> mpmath.mpf:
    """dhash.py's ``hash_string_to_float``: the fractional part of x * pi, with mpmath at lean-step's precision."""
    with mpmath.workdps(HASH_DIGITS):
        x = mpmath.mpf(int(hashlib.sha256(name.encode("utf-8")).hexdigest(), 16) % HASH_MODULUS)
        return mpmath.fmod(x * mpmath.mp.pi, mpmath.mpf(1.0))


def hash_split(name: str) -> str:
    """lean-step's split of a declaration (``dhash.get_split``, which hashes a line's first word): 92 / 4 / 4."""
    value = name_hash(name.split()[0])
    return "train" if value < TRAIN_BELOW else "valid" if value < VALID_BELOW else "test"


def find_input(src: Path, task: str | None) -> tuple[Path, str]:
    """The task file to read and its task: ``task``, else the one the file's name or the directory's content says."""
    if src.is_file():
        named = [name for name, spec in TASKS.items() if spec.file == src.name]
        return src, task or (named[0] if named else "next-lemma")
    if not src.is_dir():
        raise LimeError(f"{src}: no such file or directory")
    present = [name for name, spec in TASKS.items() if (src / spec.file).is_file()]
    if task is None:
        if len(present) != 1:
            first, second = (spec.file for spec in TASKS.values())
            raise LimeError(f"{src}: holds both {first} and {second}; pass --task" if present else
                            f"{src}: holds neither {first} nor {second}")
        task = present[0]
    path = src / TASKS[task].file
    if not path.is_file():
        raise LimeError(f"{path}: missing (--task {task} reads it)")
    return path, task


def parse(line: str, path: Path, number: int) -> dict[str, Any]:
    try:
        record = json.loads(line)
    except ValueError as error:
        raise LimeError(f"{path}:{number}: not valid JSON ({error})") from None
    if not isinstance(record, dict):
        raise LimeError(f"{path}:{number}: expected a JSON object, not {type(record).__name__}")
    return record


def text_field(record: dict[str, Any], name: str, where: str) -> str:
    if name not in record:
        raise LimeError(f"{where}: missing field {name!r}")
    value = record[name]
    if not isinstance(value, str) or not value.strip():
        shown = json.dumps(value, ensure_ascii=False)[:60]
        raise LimeError(f"{where}: field {name!r} must be a non-empty string, not {shown}")
    if "\n" in value:
        raise LimeError(f"{where}: field {name!r} holds a newline, which a dataset row cannot hold")
    return value


def lemma_name(lemma: str, where: str) -> str:
    """The name in a next lemma as lean-step prints it, ``(name : type)``."""
    name, colon, _ = lemma[1:].partition(" : ")
    if not (lemma.startswith("(") and lemma.endswith(")") and colon and name.strip()):
        raise LimeError(f"{where}: field 'next_lemma' is not of the form '(name : type)': {lemma[:60]!r}")
    return name


def _row(record: dict[str, Any], where: str, task: Task, lemma: str, named: bool) -> Row:
    source, target = text_field(record, task.source, where), text_field(record, task.target, where)
    if task.source_holds not in source:
        raise LimeError(f"{where}: field {task.source!r} holds no {task.source_holds} (not a {task.file} record)")
    row = {"src": source, "tgt": target}
    if "lemma" in task.columns:
        name = lemma_name(target, where)
        row.update(tgt=name if lemma == "name" else target, lemma=name)
    if (NAME_FIELD in record) != named:
        raise LimeError(f"{where}: missing field {NAME_FIELD!r}, which line 1 has" if named else
                        f"{where}: has a field {NAME_FIELD!r}, which line 1 lacks (records carry the declaration "
                        "name all or none)")
    if named:
        row["declaration"] = text_field(record, NAME_FIELD, where)
    return row


def rows(path: Path, task: Task, lemma: str, named: bool, keep: np.ndarray | None = None) -> Iterator[Row]:
    """Every example of ``path`` (or those where ``keep`` is true), checked."""
    for number, line in enumerate(lines(path), 1):
        if keep is None or keep[number - 1]:
            yield _row(parse(line, path, number), f"{path}:{number}", task, lemma, named)


def group_key(row: Row, named: bool) -> Any:
    """What keeps examples together: the declaration, or else the source (as a digest, to hold little memory)."""
    return row["declaration"] if named else hashlib.blake2b(row["src"].encode("utf-8"), digest_size=16).digest()


def carries_names(path: Path) -> bool:
    """Whether the first record has the declaration's name (then every record must)."""
    first = next(lines(path), None)
    return first is not None and NAME_FIELD in parse(first, path, 1)


def hash_assignment(declarations: Groups, path: Path) -> Assignment:
    """lean-step's split of every example by its declaration; a split that no declaration falls into is bad input."""
    label_of_group = np.fromiter((SPLITS.index(hash_split(name)) for name in declarations.index), dtype=np.int8,
                                 count=len(declarations))
    counts = np.bincount(label_of_group, minlength=len(SPLITS))
    for split, count in zip(SPLITS, counts):
        if not count:
            raise LimeError(f"{path}: none of its {counted(len(declarations), 'declaration')} hashes into the {split} "
                            "split, which would be empty (lean-step's 92 / 4 / 4 split needs many declarations)")
    groups = {split: int(count) for split, count in zip(SPLITS, counts)}
    return Assignment(declarations.labels(label_of_group), "declaration", groups)


def import_leanstep(
    src: Path,
    out: Path,
    config: LeanStepConfig,
    formats: list[str],
    overwrite: bool = False,
    quiet: bool = False,
) -> dict[str, Any]:
    """Import a lean-step task file (see the module docstring) into ``out``; return its ``meta.json`` content."""
    path, task_name = find_input(src, config.task)
    task = TASKS[task_name]
    if config.lemma is not None and "lemma" not in task.columns:
        raise LimeError(f"--lemma: applies to --task next-lemma only, not {task_name}")
    lemma = config.lemma or "typed"
    named = carries_names(path)
    if named:
        config.split.refuse(f"the records carry the declaration name ({NAME_FIELD}) and are split by lean-step's "
                            "hash of it")
    checked = tqdm(rows(path, task, lemma, named), desc=f"checking {path.name}", unit=" examples", disable=quiet)
    groups = Groups()
    for row in checked:
        groups.add(group_key(row, named))
    require_examples(len(groups.ids), path, "the dataset")
    if named:
        assignment = hash_assignment(groups, path)
        split = split_meta("declaration name hash (lean-step's dhash.py: 92 / 4 / 4)", assignment)
    else:
        assignment = seeded_assignment(groups, config.split, "source")
        split = split_meta("source (identical sources in one split), seeded", assignment, config.split)
    meta = base_meta(KIND, formats)
    meta.update(
        {
            "input": {"path": str(path.resolve()), "layout": "JSON lines", "files": describe_files([path])},
            "config": {"task": task_name, "lemma": lemma if "lemma" in task.columns else None},
            "split": split,
            "source_format": f"the {task.source!r} field as released (see docs/importers.md)",
            "target_format": f"the {task.target!r} field" + (", name only" if lemma == "name" else "")
            + " (see docs/importers.md)",
        }
    )
    columns = task.columns + (("declaration",) if named else ())
    splits = {name: rows(path, task, lemma, named, assignment.keep(name)) for name in SPLITS}
    return write_import(out, splits, columns, meta, formats, sum(assignment.examples().values()), overwrite, quiet)
