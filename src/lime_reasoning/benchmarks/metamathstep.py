"""The MetaMathStep benchmark: proof-step prediction examples from a Metamath database, split by theorem.

Pipeline: read the database (stopping after ``--upto`` when given), choose the theorems (all, or a
label range or an outline section), run every chosen proof through the verifier while collecting its
``|-`` steps (:mod:`lime_reasoning.metamath.steps`), drop examples over the length limits, optionally
keep each distinct example once per theorem, split the theorems that still have examples with a
seeded permutation, and write the splits with :func:`lime_reasoning.datasets.write_dataset`. Any
proof that does not check stops the build before anything is written.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from tqdm import tqdm

from lime_reasoning.benchmarks.splits import Size, assign_splits, resolve_sizes
from lime_reasoning.datasets import ColumnBlock, base_meta, write_dataset
from lime_reasoning.errors import LimeError
from lime_reasoning.metamath.database import Assertion, Database
from lime_reasoning.metamath.reader import read_database
from lime_reasoning.metamath.sections import find_section, outline
from lime_reasoning.metamath.source import file_sha256
from lime_reasoning.metamath.steps import StepExample, theorem_steps, unique_steps
from lime_reasoning.metamath.verifier import ProofError, Verifier

KIND = "metamathstep"
COLUMNS = ("src", "tgt", "theorem", "step")
STEP_CHOICES = ("all", "unique")
BLOCK_ROWS = 65536


@dataclass(frozen=True)
class MetaMathStepConfig:
    """Everything that decides the dataset's content (stored in ``meta.json``)."""

    train: Size = 35_000
    valid: Size = 1_000
    test: Size = 1_000
    seed: int = 0
    steps: str = "all"
    max_source_tokens: int | None = None
    max_target_tokens: int | None = None
    first: str | None = None
    last: str | None = None
    section: str | None = None

    def __post_init__(self) -> None:
        if self.steps not in STEP_CHOICES:
            raise LimeError(f"--steps: choose from {', '.join(STEP_CHOICES)}, not {self.steps!r}")
        for name in ("max_source_tokens", "max_target_tokens"):
            value = getattr(self, name)
            if value is not None and value < 1:
                raise LimeError(f"--{name.replace('_', '-')}: must be at least 1, not {value}")


@dataclass
class Extraction:
    """The examples of the chosen theorems, and what was left out on the way."""

    theorems: list[Assertion] = field(default_factory=list)
    examples: list[list[StepExample]] = field(default_factory=list)
    incomplete: list[str] = field(default_factory=list)
    without_examples: int = 0
    steps_found: int = 0
    too_long: int = 0
    duplicates: int = 0


def chosen_theorems(database: Database, config: MetaMathStepConfig) -> list[Assertion]:
    """The ``$p`` statements inside the ``--from`` / ``--upto`` range and the ``--section``, in order."""
    theorems = database.theorems
    bounds = []
    for option, label in (("--from", config.first), ("--upto", config.last)):
        if label is None:
            bounds.append(None)
            continue
        statement = database.statements.get(label)
        if statement is None:
            raise LimeError(f"{option}: {database.path} has no statement labelled {label}")
        bounds.append(statement.index)
    low, high = bounds
    if low is not None:
        theorems = [t for t in theorems if t.index >= low]
    if high is not None:
        theorems = [t for t in theorems if t.index <= high]
    if config.section is not None:
        section = find_section(outline(database.comments), config.section)
        theorems = [t for t in theorems if section.start <= t.token < section.end]
    return theorems


def _fits(example: StepExample, config: MetaMathStepConfig) -> bool:
    if config.max_source_tokens is not None and example.source.count(" ") + 1 > config.max_source_tokens:
        return False
    return config.max_target_tokens is None or example.target.count(" ") + 1 <= config.max_target_tokens


def extract(database: Database, config: MetaMathStepConfig, quiet: bool = False) -> Extraction:
    """Verify the chosen proofs and collect their examples (see the module docstring)."""
    verifier = Verifier(database)
    result = Extraction()
    theorems = chosen_theorems(database, config)
    limited = config.max_source_tokens is not None or config.max_target_tokens is not None
    for theorem in tqdm(theorems, desc="verifying and extracting", unit=" proofs", disable=quiet):
        try:
            examples = theorem_steps(verifier, theorem)
        except ProofError as error:
            raise LimeError(error.describe(database)) from None
        if examples is None:
            result.incomplete.append(theorem.label)
            continue
        result.steps_found += len(examples)
        if limited:
            kept = [e for e in examples if _fits(e, config)]
            result.too_long += len(examples) - len(kept)
            examples = kept
        if config.steps == "unique":
            kept = unique_steps(examples)
            result.duplicates += len(examples) - len(kept)
            examples = kept
        if not examples:
            result.without_examples += 1
            continue
        result.theorems.append(theorem)
        result.examples.append(examples)
    return result


def _blocks(groups: Sequence[list[StepExample]]) -> Iterator[ColumnBlock]:
    records: list[dict[str, Any]] = []
    for group in groups:
        for e in group:
            records.append({"src": e.source, "tgt": e.target, "theorem": e.theorem, "step": e.step})
            if len(records) == BLOCK_ROWS:
                yield ColumnBlock.from_records(records)
                records = []
    if records:
        yield ColumnBlock.from_records(records)


def build_metamathstep(
    database_path: Path,
    out: Path,
    config: MetaMathStepConfig,
    formats: Sequence[str],
    overwrite: bool = False,
    quiet: bool = False,
) -> dict[str, Any]:
    """Build the benchmark into ``out`` and return its ``meta.json`` content."""
    database = read_database(database_path, stop_after=config.last)
    extraction = extract(database, config, quiet)
    requested = {"train": config.train, "valid": config.valid, "test": config.test}
    sizes = resolve_sizes(len(extraction.theorems), requested)
    assigned = assign_splits(len(extraction.theorems), sizes, config.seed)
    groups = {name: [extraction.examples[i] for i in indices.tolist()] for name, indices in assigned.items()}
    train_pairs = {(e.source, e.target) for group in groups["train"] for e in group}
    meta = base_meta(KIND, formats)
    meta.update(
        {
            "database": {
                "name": database_path.name,
                "path": str(database_path.resolve()),  # where checkers look first (dataset_database)
                "sha256": file_sha256(database_path),
                "bytes": database_path.stat().st_size,
                "statements": database.counts,
            },
            "config": asdict(config),
            "variables": sorted(database.variables),  # the $v tokens: novelty compares sources up to renaming them
            "theorems": {
                "chosen": len(extraction.theorems) + extraction.without_examples + len(extraction.incomplete),
                "with_examples": len(extraction.theorems),
                "incomplete_proofs": extraction.incomplete,
                "without_examples": extraction.without_examples,
                "unused": len(extraction.theorems) - sum(sizes.values()),
                **{name: len(indices) for name, indices in assigned.items()},
            },
            "steps": {
                "found": extraction.steps_found,
                "over_length_limits": extraction.too_long,
                "repeated_in_theorem": extraction.duplicates,
            },
            "test_examples_also_in_train": sum(
                (e.source, e.target) in train_pairs for group in groups["test"] for e in group
            ),
            "source_format": "GOAL [$e HYPOTHESIS]... (see docs/metamath.md)",
            "target_format": "LABEL [$s VARIABLE SUBSTITUTION...]... (see docs/metamath.md)",
        }
    )
    progress = tqdm(total=sum(len(g) for split in groups.values() for g in split), desc="writing", unit=" examples", disable=quiet)

    def counted(blocks: Iterator[ColumnBlock]) -> Iterator[ColumnBlock]:
        for block in blocks:
            yield block
            progress.update(len(block))

    with progress:
        counts = write_dataset(
            out,
            {name: counted(_blocks(split)) for name, split in groups.items()},
            formats,
            COLUMNS,
            meta,
            overwrite,
        )
    meta["counts"] = counts
    return meta
