"""Importing IsarStep (Li et al., ICLR 2021: fill in the missing step of an Isar proof) as released.

Two layouts are read, both line-aligned files with one example per line:

* a ``CausalSteps/`` directory, as Build_IsarStep's extraction script writes it: ``source.txt`` (or
  ``source_g.txt``, the same sources plus the used global facts), ``target.txt`` (the missing
  proposition) and ``meta.txt`` (eleven fields joined by ``<!;!>``, kept as extra columns). It has no
  split, so the examples are split by theorem with a seeded permutation, as MetaMathStep is;
* fairseq pairs ``train.src/train.tgt``, ``valid.*``, ``test.*`` (what users of the HAT code hold),
  whose split is kept.

Sources are whitespace tokens; the section markers are kept as tokens of their own (split off a
neighbour they are glued to), and a token shaped like a marker that IsarStep does not have is bad
input. IsarStep's normalised free variables ``<X0>, <X1>, ...`` are not markers: they are listed in
``meta.json`` as the dataset's ``variables``, so that novelty compares sources up to renaming them.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
from tqdm import tqdm

from lime_reasoning.benchmarks.importing import (
    Groups,
    Row,
    SeededSplit,
    aligned_lines,
    describe_files,
    require_examples,
    seeded_assignment,
    split_meta,
    write_import,
)
from lime_reasoning.datasets import SPLITS, base_meta
from lime_reasoning.errors import LimeError
from lime_reasoning.wording import counted

KIND = "isarstep"
CAUSAL, FAIRSEQ = "CausalSteps", "fairseq"
GLOBAL_FACTS = "<used_global_facts>"
SECTIONS = ("<used_local_facts>", "<consequences>", "<consequences_others>", GLOBAL_FACTS)  # in a source's order
MARKERS = (*SECTIONS, "<SEP>")
SECTION_SET, MARKER_SET = frozenset(SECTIONS), frozenset(MARKERS)
# Longest first, so that <consequences_others> is not cut as <consequences> + "_others>".
GLUED = re.compile("(" + "|".join(re.escape(m) for m in sorted(MARKERS, key=len, reverse=True)) + ")")
MARKER_FORM = re.compile(r"<[A-Za-z_]\w*>")
VARIABLE = re.compile(r"<X\d+>")
META_SEPARATOR = "<!;!>"
# meta.txt's fields, named after the attributes of the extraction script's XML they come from.
META_FIELDS = (
    "theory",
    "theorem",
    "location_in_theorem",
    "refinement_step_location",
    "compound_index",
    "target_ascii",
    "has_consequence",
    "location_in_theorem_consequence",
    "refinement_step_location_consequence",
    "compound_index_consequence",
    "consequences_ascii",
)
SOURCE_FORMAT = ("<used_local_facts> [<SEP> FACT]... <consequences> [FACT] <consequences_others> [<SEP> FACT]... "
                 "[<used_global_facts> [<SEP> FACT]...] (see docs/importers.md)")
TARGET_FORMAT = "the missing intermediate proposition, pre-tokenised term printing (see docs/importers.md)"


@dataclass(frozen=True)
class IsarStepConfig:
    """Everything that decides the dataset's content besides the input."""

    global_facts: bool = False
    split: SeededSplit = field(default_factory=SeededSplit)


@dataclass(frozen=True)
class Files:
    """Line-aligned files of one set of examples: sources, targets and, for CausalSteps, meta.txt."""

    source: Path
    target: Path
    meta: Path | None = None

    @property
    def paths(self) -> list[Path]:
        return [path for path in (self.source, self.target, self.meta) if path is not None]


@dataclass
class Scan:
    """What the checking pass finds: how many examples, each one's theorem, the free variables."""

    examples: int = 0
    theorems: Groups = field(default_factory=Groups)
    variables: set[str] = field(default_factory=set)


def find_input(src: Path, global_facts: bool) -> tuple[str, dict[str, Files]]:
    """The layout of ``src`` and its files: one set for CausalSteps (under ``""``), one per split for fairseq."""
    if not src.is_dir():
        raise LimeError(f"{src}: no such directory")
    for directory in (src, src / CAUSAL):
        if (directory / "target.txt").is_file():
            files = Files(directory / ("source_g.txt" if global_facts else "source.txt"), directory / "target.txt",
                          directory / "meta.txt")
            for path in files.paths:
                if not path.is_file():
                    raise LimeError(f"{path}: missing (a CausalSteps directory holds target.txt, source.txt, "
                                    "source_g.txt and meta.txt)")
            return CAUSAL, {"": files}
    pairs = {}
    for split in SPLITS:
        source, target = src / f"{split}.src", src / f"{split}.tgt"
        if source.is_file() != target.is_file():
            present, absent = (source, target) if source.is_file() else (target, source)
            raise LimeError(f"{present}: has no {absent.name} beside it "
                            f"(fairseq pairs come as {split}.src + {split}.tgt)")
        if source.is_file():
            pairs[split] = Files(source, target)
    if not pairs:
        raise LimeError(f"{src}: neither a CausalSteps directory (target.txt, source.txt, meta.txt) nor fairseq "
                        "pairs (train.src + train.tgt, valid.src + valid.tgt, test.src + test.tgt)")
    return FAIRSEQ, pairs


def tokens(text: str, allowed: frozenset[str], path: Path, number: int) -> list[str]:
    """The whitespace tokens of line ``number``, markers glued to a neighbour split off (see :func:`check_marker`)."""
    found: list[str] = []
    for token in text.split():
        pieces = [piece for piece in GLUED.split(token) if piece] if "<" in token else [token]
        for piece in pieces:
            if piece[0] == "<" and piece not in allowed:
                check_marker(piece, path, number)
        found.extend(pieces)
    if not found:
        raise LimeError(f"{path}:{number}: empty line, expected an example")
    return found


def check_marker(token: str, path: Path, number: int) -> None:
    """Stop at a ``<name>`` token not allowed where it stands: a marker (in a target) or one IsarStep lacks."""
    if not MARKER_FORM.fullmatch(token) or VARIABLE.fullmatch(token):
        return
    if token in MARKER_SET:
        raise LimeError(f"{path}:{number}: a target holds the section marker {token}; a target is one proposition")
    raise LimeError(f"{path}:{number}: unknown section marker {token} (IsarStep's are {', '.join(MARKERS)})")


def without_global_facts(source: list[str]) -> list[str]:
    """``source`` less its ``<used_global_facts>`` section (from the marker to the next section or the end)."""
    kept: list[str] = []
    inside = False
    for token in source:
        if token in SECTION_SET:
            inside = token == GLOBAL_FACTS
        if not inside:
            kept.append(token)
    return kept


def meta_fields(text: str, path: Path, number: int) -> Row:
    fields = text.split(META_SEPARATOR)
    if len(fields) != len(META_FIELDS):
        raise LimeError(f"{path}:{number}: {counted(len(fields), 'field')} joined by {META_SEPARATOR}, expected "
                        f"{len(META_FIELDS)} ({', '.join(META_FIELDS)})")
    row = dict(zip(META_FIELDS, fields))
    for name in ("theory", "theorem"):
        if not row[name].strip():
            raise LimeError(f"{path}:{number}: the {name} field is empty")
    return row


def _row(files: Files, number: int, texts: tuple[str, ...], global_facts: bool) -> Row:
    source = tokens(texts[0], MARKER_SET, files.source, number)
    if not global_facts:
        source = without_global_facts(source)
    row = {"src": " ".join(source), "tgt": " ".join(tokens(texts[1], frozenset(), files.target, number))}
    if files.meta is not None:
        row.update(meta_fields(texts[2], files.meta, number))
    return row


def rows(files: Files, global_facts: bool, keep: np.ndarray | None = None) -> Iterator[Row]:
    """Every example of ``files`` (or those where ``keep`` is true), checked."""
    for number, texts in enumerate(aligned_lines(files.paths), 1):
        if keep is None or keep[number - 1]:
            yield _row(files, number, texts, global_facts)


def scan(files: Files, global_facts: bool, found: Scan, quiet: bool) -> None:
    """Check every line of ``files`` and add what it holds to ``found``."""
    count = 0
    for row in tqdm(rows(files, global_facts), desc=f"checking {files.source.name}", unit=" examples", disable=quiet):
        count += 1
        found.variables.update(VARIABLE.findall(row["src"]), VARIABLE.findall(row["tgt"]))
        if files.meta is not None:
            found.theorems.add((row["theory"], row["theorem"]))
    require_examples(count, files.source, "the dataset" if files.meta is not None else f"the {files.source.stem} split")
    found.examples += count


def import_isarstep(
    src: Path,
    out: Path,
    config: IsarStepConfig,
    formats: list[str],
    overwrite: bool = False,
    quiet: bool = False,
) -> dict[str, Any]:
    """Import ``src`` (either layout, see the module docstring) into ``out``; return its ``meta.json`` content."""
    layout, inputs = find_input(src, config.global_facts)
    found = Scan()
    if layout == CAUSAL:
        files = inputs[""]
        scan(files, config.global_facts, found, quiet)
        assignment = seeded_assignment(found.theorems, config.split, "theorem")
        splits = {name: rows(files, config.global_facts, assignment.keep(name)) for name in SPLITS}
        columns: tuple[str, ...] = ("src", "tgt", *META_FIELDS)
        split = split_meta("theorem (the theory and theorem fields of meta.txt), seeded", assignment, config.split)
        total = sum(assignment.examples().values())
    else:
        config.split.refuse(f"{src} holds fairseq pairs, which come already split")
        for files in inputs.values():
            scan(files, config.global_facts, found, quiet)
        splits = {name: rows(files, config.global_facts) for name, files in inputs.items()}
        columns = ("src", "tgt")
        split = split_meta("the input's own train / valid / test files", None)
        total = found.examples
    meta = base_meta(KIND, formats)
    meta.update(
        {
            "input": {
                "path": str(next(iter(inputs.values())).source.parent.resolve()),  # the directory read
                "layout": layout,
                "files": describe_files(path for files in inputs.values() for path in files.paths),
            },
            "config": {"global_facts": config.global_facts},
            "split": split,
            "variables": sorted(found.variables, key=lambda v: int(v[2:-1])),
            "source_format": SOURCE_FORMAT,
            "target_format": TARGET_FORMAT,
        }
    )
    return write_import(out, splits, columns, meta, formats, total, overwrite, quiet)
