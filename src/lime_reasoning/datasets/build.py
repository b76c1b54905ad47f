"""``lime generate``: write a synthetic dataset, in parallel, filtered, resumable, shardable.

Splits are written in the order valid, test, train. Sources are kept disjoint: a test row whose
source appears in valid is dropped, and so is a train row whose source appears in valid or test;
``dedup`` also drops a row whose source appeared earlier in the same split. Every split is cut into
``n`` equal slices for ``shard=(i, n)``: shard ``i`` writes slice ``i`` of every split, so the shards'
files concatenated in order are byte-identical to a single run's. A shard of a deduplicated train
split first hashes (without writing) the rows of the slices before its own.
"""

from __future__ import annotations

import hashlib
import json
import signal
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, BinaryIO

import numpy as np
from tqdm import tqdm

from lime_reasoning.datasets.dedup import HashSet, first_occurrences
from lime_reasoning.datasets.output import base_meta, check_formats, write_meta
from lime_reasoning.datasets.parallel import BlockHandle, BlockSource
from lime_reasoning.datasets.staging import RESUME_FILE, StagedDirectory
from lime_reasoning.datasets.synthetic import BLOCK_SIZE, COLUMNS, SyntheticSpec
from lime_reasoning.datasets.writers import SplitWriter
from lime_reasoning.errors import LimeError

WRITE_ORDER: tuple[str, ...] = ("valid", "test", "train")
CHECKPOINT_BLOCKS = 16
PARQUET_CHECKPOINT_BLOCKS = 128
HASH_FILE = ".train.hashes"


@dataclass(frozen=True)
class BuildRequest:
    spec: SyntheticSpec
    counts: dict[str, int]
    out: Path
    formats: tuple[str, ...] = ("text",)
    workers: int = 1
    shard: tuple[int, int] = (0, 1)
    dedup: bool = False
    overwrite: bool = False
    quiet: bool = False

    def __post_init__(self) -> None:
        for split, count in self.counts.items():
            if count < 0:
                raise LimeError(f"--{split}: must be a non-negative number of examples, got {count}")
        if not any(self.counts.values()):
            raise LimeError("--train/--valid/--test: nothing to generate (every count is 0)")
        if self.workers < 1:
            raise LimeError(f"--workers: must be at least 1, got {self.workers}")
        index, total = self.shard
        if not 0 <= index < total:
            raise LimeError(f"--shard: index {index} is not in 0..{total - 1}")
        object.__setattr__(self, "formats", tuple(check_formats(list(self.formats))))

    def key(self) -> str:
        """Identifies the output, so that only the very same request resumes a partial run."""
        payload = json.dumps(self.describe(), sort_keys=True)
        return hashlib.sha256(payload.encode()).hexdigest()

    def describe(self) -> dict[str, Any]:
        return {
            "task": self.spec.mixture.describe(),
            "config": self.spec.config.to_dict(),
            "seed": self.spec.seed,
            "requested": {split: self.counts.get(split, 0) for split in WRITE_ORDER},
            "formats": list(self.formats),
            "shard": list(self.shard),
            "dedup": self.dedup,
            "block_size": BLOCK_SIZE,
        }


def shard_rows(count: int, shard: tuple[int, int]) -> tuple[int, int]:
    """The rows ``[start, stop)`` of a split of ``count`` rows that shard ``i`` of ``n`` writes."""
    index, total = shard
    return count * index // total, count * (index + 1) // total


@dataclass
class SplitCounts:
    rows: int = 0
    overlap: int = 0
    duplicate: int = 0
    tasks: dict[str, int] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {"rows": self.rows, "overlap": self.overlap, "duplicate": self.duplicate, "tasks": self.tasks}


class OnlineFilter:
    """Keeps rows whose source is not in ``excluded`` and, with dedup, was not seen earlier.

    With dedup, the hashes of kept rows are also appended to ``log``, from which an interrupted run
    rebuilds what it had seen.
    """

    def __init__(self, excluded: HashSet, dedup: bool) -> None:
        self.excluded = excluded
        self.dedup = dedup
        self.seen = HashSet()
        self.log: BinaryIO | None = None

    def decide(self, rows: slice, hashes: np.ndarray) -> tuple[np.ndarray, np.ndarray] | None:
        """(keep, overlap) masks for the next rows of the split, or None when every row is kept."""
        if not self.dedup and not len(self.excluded):
            return None
        overlap = self.excluded.contains(hashes)
        keep = ~overlap
        if self.dedup:
            keep &= ~self.seen.contains(hashes) & first_occurrences(hashes)
            self.seen.add(hashes[keep])
            if self.log is not None:
                self.log.write(hashes[keep].tobytes())
        return keep, overlap


@dataclass(frozen=True)
class FixedDecisions:
    """Keep and overlap masks decided in advance for every row of a (small) split."""

    keep: np.ndarray
    overlap: np.ndarray

    def decide(self, rows: slice, hashes: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        return self.keep[rows], self.overlap[rows]


def block_range(start: int, stop: int) -> range:
    return range(start // BLOCK_SIZE, (stop + BLOCK_SIZE - 1) // BLOCK_SIZE)


def rows_in_block(block: int, start: int, stop: int) -> slice:
    """The part of ``block`` that lies in rows ``[start, stop)``, as a slice of the block."""
    first = block * BLOCK_SIZE
    return slice(max(start - first, 0), min(stop - first, BLOCK_SIZE))


def split_hashes(source: BlockSource, split: str, stop: int) -> Iterator[np.ndarray]:
    """Source hashes of rows ``[0, stop)`` of a split, block by block."""
    blocks = block_range(0, stop)
    for block, handle in zip(blocks, source.handles(split, blocks)):
        hashes = handle.hashes[rows_in_block(block, 0, stop)].copy()
        source.release(handle)
        yield hashes


def line_sizes(ends: np.ndarray) -> np.ndarray:
    """Bytes of each line, newline included, from the newlines' positions."""
    return np.diff(ends + 1, prepend=0)


class Builder:
    """One run of ``lime generate``; see the module docstring."""

    def __init__(self, request: BuildRequest) -> None:
        self.request = request
        self.spec = request.spec
        self.staged = StagedDirectory(request.out, request.overwrite, request.key())
        self.interval = PARQUET_CHECKPOINT_BLOCKS if "parquet" in request.formats else CHECKPOINT_BLOCKS

    def run(self) -> dict[str, Any]:
        directory = self.staged.open()
        state = self.staged.resume_state or {"splits": {}}
        previous = signal.signal(signal.SIGTERM, _interrupt)
        source: BlockSource | None = None
        try:
            source = BlockSource(self.spec, self.request.workers)
            decisions, excluded = self._decide_small_splits(source)
            splits = [split for split in WRITE_ORDER if self.request.counts.get(split, 0)]
            todo = sum(self._remaining(split, state) for split in splits)
            with tqdm(total=todo, unit="ex", unit_scale=True, desc="generate", disable=self.request.quiet) as bar:
                for split in splits:
                    if not state["splits"].get(split, {}).get("done"):
                        rule = decisions.get(split) or self._train_filter(excluded, directory, state, source)
                        self._write_split(split, directory, state, rule, source, bar)
            meta = self._meta(state)
            write_meta(directory, meta)
            (directory / HASH_FILE).unlink(missing_ok=True)
        except LimeError:
            if source is not None:
                source.close()
            self.staged.discard()
            raise
        except OSError as error:  # a full disk, say: what was checkpointed stays, for the same command to resume
            raise LimeError(f"{error.filename or self.staged.partial}: cannot write ({error.strerror or error}); "
                            f"{self._keep_resumable()}") from None
        finally:
            if source is not None:
                source.close()
            signal.signal(signal.SIGTERM, previous)
        self.staged.commit()
        return meta

    def _keep_resumable(self) -> str:
        """After a failed write: keep the partial directory if it holds a checkpoint (say so), else remove it."""
        if (self.staged.partial / RESUME_FILE).exists():
            return (f"the finished part is kept in {self.staged.partial}: free some space (or fix the cause) and "
                    "run the same command again to continue from it")
        self.staged.discard()
        return "nothing was kept: free some space (or fix the cause) and run the command again"

    def _remaining(self, split: str, state: dict[str, Any]) -> int:
        start, stop = shard_rows(self.request.counts[split], self.request.shard)
        done_blocks = state["splits"].get(split, {}).get("next_block", start // BLOCK_SIZE)
        return max(0, stop - max(start, done_blocks * BLOCK_SIZE))

    def _decide_small_splits(self, source: BlockSource) -> tuple[dict[str, FixedDecisions], HashSet]:
        """Filter valid and test in full (every shard needs them); return their decisions and kept hashes."""
        decisions: dict[str, FixedDecisions] = {}
        kept = HashSet()
        for split in ("valid", "test"):
            count = self.request.counts.get(split, 0)
            if not count:
                continue
            rule = OnlineFilter(HashSet(kept.to_array()), self.request.dedup)
            keeps, overlaps = [], []
            for hashes in split_hashes(source, split, count):
                decision = rule.decide(slice(None), hashes)
                keep, overlap = decision or (np.ones(len(hashes), dtype=bool), np.zeros(len(hashes), dtype=bool))
                kept.add(hashes[keep])
                keeps.append(keep)
                overlaps.append(overlap)
            decisions[split] = FixedDecisions(np.concatenate(keeps), np.concatenate(overlaps))
        return decisions, kept

    def _train_filter(
        self, excluded: HashSet, directory: Path, state: dict[str, Any], source: BlockSource
    ) -> OnlineFilter:
        """Train's filter, knowing (with dedup) the rows of earlier shards and of an interrupted run."""
        rule = OnlineFilter(excluded, self.request.dedup)
        if self.request.dedup:
            start, _ = shard_rows(self.request.counts["train"], self.request.shard)
            for hashes in split_hashes(source, "train", start):
                rule.decide(slice(None), hashes)
            saved = state["splits"].get("train")
            path = directory / HASH_FILE
            if saved:
                with open(path, "r+b") as handle:
                    handle.truncate(saved["hash_bytes"])
                rule.seen.add(np.fromfile(path, dtype=np.uint64))
            rule.log = open(path, "ab" if saved else "wb")
        return rule

    def _write_split(
        self,
        split: str,
        directory: Path,
        state: dict[str, Any],
        rule: OnlineFilter | FixedDecisions,
        source: BlockSource,
        bar: tqdm,
    ) -> None:
        start, stop = shard_rows(self.request.counts[split], self.request.shard)
        saved = state["splits"].get(split)
        next_block = saved["next_block"] if saved else start // BLOCK_SIZE
        counts = SplitCounts(**saved["counts"]) if saved else SplitCounts()
        writer = SplitWriter(directory, split, self.request.formats, COLUMNS, saved["writer"] if saved else None)
        log = rule.log if isinstance(rule, OnlineFilter) else None
        names = self.spec.mixture.names
        blocks = range(next_block, block_range(start, stop).stop)
        since_checkpoint = 0
        label_sizes = np.array([len(name.encode()) + 1 for name in names], dtype=np.int64)
        try:
            for block, handle in zip(blocks, source.handles(split, blocks)):
                part = rows_in_block(block, start, stop)
                first = block * BLOCK_SIZE
                selected = np.zeros(BLOCK_SIZE, dtype=bool)
                selected[part] = True
                decision = rule.decide(slice(first + part.start, first + part.stop), handle.hashes[part])
                if decision is not None:
                    keep, overlap = decision
                    selected[part] = keep
                    counts.overlap += int(overlap.sum())
                    counts.duplicate += int((~keep & ~overlap).sum())
                rows = None if selected.all() else selected
                tasks = handle.task[selected]
                for index in np.flatnonzero(number := np.bincount(tasks, minlength=len(names))):
                    counts.tasks[names[index]] = counts.tasks.get(names[index], 0) + int(number[index])
                counts.rows += len(tasks)
                self._write_block(writer, source, handle, rows, label_sizes)
                bar.update(part.stop - part.start)
                since_checkpoint += 1
                if since_checkpoint >= self.interval or block + 1 == blocks.stop:
                    source.wait()
                    self._checkpoint(state, split, block + 1, writer, counts, log, done=block + 1 == blocks.stop)
                    since_checkpoint = 0
            if not blocks:
                self._checkpoint(state, split, next_block, writer, counts, log, done=True)
        finally:
            writer.close()
            if log is not None:
                log.close()

    def _write_block(self, writer: SplitWriter, source: BlockSource, handle: BlockHandle, rows: np.ndarray | None,
                     label_sizes: np.ndarray) -> None:
        """Text goes straight from the block to its reserved place in the files (by a worker, if any);
        other formats are built here."""
        others = [fmt for fmt in self.request.formats if fmt != "text"]
        if others:
            block = source.columns(handle)
            writer.write(block if rows is None else block.take(rows), text="text" not in self.request.formats)
        if "text" not in self.request.formats:
            source.release(handle)
            return
        if rows is None:
            sizes = {"src": len(handle.src), "tgt": len(handle.tgt), "task": int(label_sizes[handle.task].sum())}
        else:
            sizes = {
                "src": int(line_sizes(handle.src_ends)[rows].sum()),
                "tgt": int(line_sizes(handle.tgt_ends)[rows].sum()),
                "task": int(label_sizes[handle.task[rows]].sum()),
            }
        source.write(handle, rows, writer.reserve_text(sizes, len(handle.task) if rows is None else int(rows.sum())))

    def _checkpoint(
        self,
        state: dict[str, Any],
        split: str,
        next_block: int,
        writer: SplitWriter,
        counts: SplitCounts,
        log: BinaryIO | None,
        done: bool,
    ) -> None:
        entry: dict[str, Any] = {
            "next_block": next_block,
            "writer": writer.checkpoint(),
            "counts": counts.to_dict(),
            "done": done,
        }
        if log is not None:
            log.flush()
            entry["hash_bytes"] = log.tell()
        state["splits"][split] = entry
        self.staged.checkpoint(state)

    def _meta(self, state: dict[str, Any]) -> dict[str, Any]:
        meta = base_meta("lime-synthetic", self.request.formats)
        meta.update(self.request.describe())
        meta["tasks"] = self.spec.mixture.names
        meta["weights"] = list(self.spec.mixture.weights)
        meta["columns"] = list(COLUMNS)
        meta["counts"] = {split: entry["counts"]["rows"] for split, entry in state["splits"].items()}
        meta["splits"] = {split: entry["counts"] for split, entry in state["splits"].items()}
        return meta


def _interrupt(signum: int, frame: object) -> None:
    raise KeyboardInterrupt


def build(request: BuildRequest) -> dict[str, Any]:
    """Write the dataset ``request`` describes and return its ``meta.json`` contents."""
    started = time.perf_counter()
    meta = Builder(request).run()
    meta["seconds"] = round(time.perf_counter() - started, 3)
    return meta
