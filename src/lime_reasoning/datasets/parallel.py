"""Generated blocks, in order, from this process or from a pool of worker processes.

With workers, a block's text never travels through a pipe: a worker writes it into a shared-memory
slot and returns only its line ends, task indices and source hashes. The parent decides which rows
to keep and where they go in each output file, then hands the slot back to a worker, which writes the
text straight into the files at those offsets (``os.pwrite``). The parent thus does bookkeeping only,
and the copy into the files is spread over the workers. The blocks in flight, and so the memory, are
bounded by the number of slots. On Linux the workers are forked after the kernels are compiled.
"""

from __future__ import annotations

import multiprocessing
import os
import queue
import signal
from collections import deque
from collections.abc import Iterator
from multiprocessing.pool import AsyncResult, Pool
from dataclasses import dataclass
from typing import TYPE_CHECKING
from multiprocessing import shared_memory

import numpy as np

from lime_reasoning.datasets.columns import ColumnBlock, TextColumn
from lime_reasoning.datasets.synthetic import BLOCK_SIZE, SyntheticSpec, task_labels
from lime_reasoning.datasets.writers import write_at
from lime_reasoning.tasks.buffers import RANDOM_WORDS, Buffers

if TYPE_CHECKING:
    from lime_reasoning.tasks.engine import BlockText

SLOT_BYTES = 24 << 20
SLOTS_PER_WORKER = 4
Targets = dict[str, tuple[str, int]]  # column -> (file path, byte offset)


@dataclass(frozen=True)
class BlockHandle:
    """A generated block: line ends, task indices, source hashes and text, held in this process or as
    views into shared-memory slot ``slot`` (valid until the block is written or released)."""

    src_ends: np.ndarray
    tgt_ends: np.ndarray
    task: np.ndarray
    hashes: np.ndarray
    src: np.ndarray
    tgt: np.ndarray
    slot: int | None = None


@dataclass(frozen=True)
class SlotLayout:
    """Where a block lies in its slot: four per-row arrays, then the source text, then the target text.

    The generator writes the text straight into the slot's two text regions.
    """

    rows: int
    src_size: int
    tgt_size: int

    @staticmethod
    def regions(memory: np.ndarray, rows: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """The slot's arrays region (4 × rows int64) and its source and target text regions."""
        arrays_end = 4 * 8 * rows
        src_end = arrays_end + (len(memory) - arrays_end) * 2 // 3
        return memory[:arrays_end].view(np.int64).reshape(4, rows), memory[arrays_end:src_end], memory[src_end:]

    def store(self, memory: np.ndarray, text: BlockText) -> None:
        arrays, _, _ = self.regions(memory, self.rows)
        arrays[0], arrays[1], arrays[2] = text.src_ends, text.tgt_ends, text.choices
        arrays[3] = text.hashes.view(np.int64)

    def handle(self, memory: np.ndarray, slot: int) -> BlockHandle:
        arrays, src, tgt = self.regions(memory, self.rows)
        return BlockHandle(arrays[0], arrays[1], arrays[2], arrays[3].view(np.uint64), src[: self.src_size],
                           tgt[: self.tgt_size], slot)


def block_columns(handle: BlockHandle, names: list[str]) -> ColumnBlock:
    """The block's rows (views of its text)."""
    return ColumnBlock(
        {
            "src": TextColumn(handle.src, handle.src_ends),
            "tgt": TextColumn(handle.tgt, handle.tgt_ends),
            "task": task_labels(names, handle.task),
        }
    )


def write_rows(block: ColumnBlock, rows: np.ndarray | None, targets: Targets, files: dict[str, int]) -> None:
    """Write the selected rows (all when ``rows`` is None) of each column at its file offset."""
    if rows is not None:
        block = block.take(rows)
    for name, (path, offset) in targets.items():
        if path not in files:
            files[path] = os.open(path, os.O_WRONLY)
        write_at(files[path], block.columns[name].data, offset, path)


class Slot(shared_memory.SharedMemory):
    """A shared-memory slot whose mapping may outlive :meth:`BlockSource.close` while an interrupted
    run's traceback still holds views of it; it then goes with the last view, silently."""

    def close(self) -> None:
        try:
            super().close()
        except BufferError:
            pass


_SPEC: SyntheticSpec | None = None
_SLOTS: dict[str, shared_memory.SharedMemory] = {}
_FILES: dict[str, int] = {}
_RANDOM = np.zeros(RANDOM_WORDS, dtype=np.uint32)


def _start_worker(spec: SyntheticSpec) -> None:
    global _SPEC
    _SPEC = spec
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the parent handles Ctrl-C and stops the pool
    signal.signal(signal.SIGTERM, signal.SIG_DFL)  # not the parent's handler: the pool ends workers so


def _slot_memory(name: str) -> np.ndarray:
    """The slot's bytes: the mapping is inherited when forked, attached by name when spawned."""
    if name not in _SLOTS:
        _SLOTS[name] = shared_memory.SharedMemory(name=name)
    return np.frombuffer(_SLOTS[name].buf, dtype=np.uint8)


def _generate(split: str, block: int, name: str) -> SlotLayout | BlockText:
    """Generate a block into the slot; return where it lies (or the block itself if it did not fit)."""
    assert _SPEC is not None
    memory = _slot_memory(name)
    _, src, tgt = SlotLayout.regions(memory, BLOCK_SIZE)
    text = _SPEC.engine.generate(_SPEC.rng(split, block), BLOCK_SIZE, Buffers(_RANDOM, src, tgt))
    if not (np.shares_memory(text.src, src) and np.shares_memory(text.tgt, tgt)):
        return text
    layout = SlotLayout(BLOCK_SIZE, len(text.src), len(text.tgt))
    layout.store(memory, text)
    return layout


def _write(layout: SlotLayout, name: str, rows: np.ndarray | None, targets: Targets) -> None:
    assert _SPEC is not None
    handle = layout.handle(_slot_memory(name), 0)
    write_rows(block_columns(handle, _SPEC.mixture.names), rows, targets, _FILES)


def in_process(text: BlockText) -> BlockHandle:
    return BlockHandle(text.src_ends, text.tgt_ends, text.choices, text.hashes, text.src, text.tgt)


class BlockSource:
    """Blocks of a split in order; ``workers > 1`` generates and writes them in parallel."""

    def __init__(self, spec: SyntheticSpec, workers: int) -> None:
        self.spec = spec
        self.names = spec.mixture.names
        self.pool: Pool | None = None
        self.slots: list[Slot] = []
        self.free: queue.SimpleQueue[int] = queue.SimpleQueue()
        self.writes: deque[AsyncResult] = deque()
        self.files: dict[str, int] = {}
        self.layouts: dict[int, SlotLayout] = {}
        if workers > 1:
            # Compile (or load) the kernels before the workers exist, so that they inherit or load them.
            spec.engine.generate(spec.rng("train", 0), 1)
            try:
                for _ in range(SLOTS_PER_WORKER * workers):
                    self.slots.append(Slot(create=True, size=SLOT_BYTES))
            except OSError as error:
                self.close()
                raise OSError(error.errno, f"{error.strerror}, making {SLOTS_PER_WORKER * workers} shared-memory "
                                           f"slots of {SLOT_BYTES >> 20} MiB for --workers {workers}",
                              "/dev/shm") from None
            _SLOTS.update({slot.name: slot for slot in self.slots})
            for index in range(len(self.slots)):
                self.free.put(index)
            # multiprocessing's Pool (not concurrent.futures): its workers take tasks straight from a
            # pipe, so they never wait for this busy process to hand them the next one.
            method = "fork" if "fork" in multiprocessing.get_all_start_methods() else "spawn"
            self.pool = multiprocessing.get_context(method).Pool(workers, _start_worker, (spec,))

    def handles(self, split: str, indices: range) -> Iterator[BlockHandle]:
        """Each block of ``indices`` in order. Every handle must be given to :meth:`write` or :meth:`release`
        before the next one is requested."""
        if self.pool is None:
            buffers = Buffers()
            for block in indices:
                yield in_process(self.spec.engine.generate(self.spec.rng(split, block), BLOCK_SIZE, buffers))
            return
        pool = self.pool
        pending: deque[tuple[int, AsyncResult]] = deque()
        upcoming = iter(indices)

        def submit() -> bool:
            for block in upcoming:
                slot = self.free.get()  # a slot comes back when a write or a release finishes
                pending.append((slot, pool.apply_async(_generate, (split, block, self.slots[slot].name))))
                return True
            return False

        while len(pending) < len(self.slots) and submit():
            pass
        while pending:
            slot, future = pending.popleft()
            result = future.get()
            if isinstance(result, SlotLayout):
                self.layouts[slot] = result
                yield result.handle(np.frombuffer(self.slots[slot].buf, dtype=np.uint8), slot)
            else:
                self.free.put(slot)
                yield in_process(result)
            submit()

    def columns(self, handle: BlockHandle) -> ColumnBlock:
        """The block's rows (views into its slot: valid until the handle is written or released)."""
        return block_columns(handle, self.names)

    def write(self, handle: BlockHandle, rows: np.ndarray | None, targets: Targets) -> None:
        """Write the selected rows at the given file offsets: by a worker when the block is in a slot."""
        if handle.slot is None:
            write_rows(self.columns(handle), rows, targets, self.files)
            return
        assert self.pool is not None
        slot = handle.slot
        self.writes.append(
            self.pool.apply_async(
                _write,
                (self.layouts[slot], self.slots[slot].name, rows, targets),
                callback=lambda _: self.free.put(slot),
                error_callback=lambda _: self.free.put(slot),
            )
        )
        while self.writes and self.writes[0].ready():
            self.writes.popleft().get()

    def release(self, handle: BlockHandle) -> None:
        if handle.slot is not None:
            self.free.put(handle.slot)

    def wait(self) -> None:
        """Block until every write handed out so far is on its way to the files (and raise its error)."""
        while self.writes:
            self.writes.popleft().get()

    def close(self) -> None:
        if self.pool is not None:
            self.pool.terminate()  # every write that counts was waited for; the rest is abandoned
            self.pool.join()
            self.pool = None
        for descriptor in self.files.values():
            os.close(descriptor)
        self.files = {}
        for slot in self.slots:
            _SLOTS.pop(slot.name, None)
            slot.unlink()
            slot.close()
        self.slots = []
