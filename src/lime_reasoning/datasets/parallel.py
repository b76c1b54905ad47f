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
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass
from multiprocessing import shared_memory

import numpy as np

from lime_reasoning.datasets.columns import ColumnBlock, TextColumn
from lime_reasoning.datasets.synthetic import BLOCK_SIZE, SyntheticSpec, task_labels

SLOT_BYTES = 24 << 20
SLOTS_PER_WORKER = 3
Targets = dict[str, tuple[str, int]]  # column -> (file path, byte offset)


@dataclass(frozen=True)
class BlockHandle:
    """A generated block: its metadata here; its text here (``text``) or in shared-memory slot ``slot``."""

    src_ends: np.ndarray
    tgt_ends: np.ndarray
    task: np.ndarray
    hashes: np.ndarray
    slot: int | None
    src_size: int
    tgt_size: int
    text: tuple[np.ndarray, np.ndarray] | None


def block_columns(handle: BlockHandle, memory: np.ndarray | None, names: list[str]) -> ColumnBlock:
    """The block's rows; views into ``memory`` (the slot) when the text lies there."""
    if handle.text is not None:
        src, tgt = handle.text
    else:
        assert memory is not None
        src = memory[: handle.src_size]
        tgt = memory[handle.src_size : handle.src_size + handle.tgt_size]
    return ColumnBlock(
        {
            "src": TextColumn(src, handle.src_ends),
            "tgt": TextColumn(tgt, handle.tgt_ends),
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
        data = memoryview(block.columns[name].data)
        while len(data):
            written = os.pwrite(files[path], data, offset)
            data, offset = data[written:], offset + written


_SPEC: SyntheticSpec | None = None
_SLOTS: dict[str, shared_memory.SharedMemory] = {}
_FILES: dict[str, int] = {}


def _start_worker(spec: SyntheticSpec) -> None:
    global _SPEC
    _SPEC = spec
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the parent handles Ctrl-C and stops the pool


def _slot_memory(name: str) -> np.ndarray:
    """The slot's bytes: the mapping is inherited when forked, attached by name when spawned."""
    if name not in _SLOTS:
        _SLOTS[name] = shared_memory.SharedMemory(name=name)
    return np.frombuffer(_SLOTS[name].buf, dtype=np.uint8)


def _generate(split: str, block: int, slot: int, name: str) -> BlockHandle:
    assert _SPEC is not None
    text = _SPEC.engine.generate(_SPEC.rng(split, block), BLOCK_SIZE)
    memory = _slot_memory(name)
    size = len(text.src) + len(text.tgt)
    fits = size <= len(memory)
    if fits:
        memory[: len(text.src)] = text.src
        memory[len(text.src) : size] = text.tgt
    del memory
    return BlockHandle(text.src_ends, text.tgt_ends, text.choices, text.hashes, slot, len(text.src), len(text.tgt),
                       None if fits else (text.src, text.tgt))


def _write(handle: BlockHandle, name: str, rows: np.ndarray | None, targets: Targets) -> None:
    assert _SPEC is not None
    memory = _slot_memory(name)
    write_rows(block_columns(handle, memory, _SPEC.mixture.names), rows, targets, _FILES)
    del memory


class BlockSource:
    """Blocks of a split in order; ``workers > 1`` generates and writes them in parallel."""

    def __init__(self, spec: SyntheticSpec, workers: int) -> None:
        self.spec = spec
        self.names = spec.mixture.names
        self.pool: ProcessPoolExecutor | None = None
        self.slots: list[shared_memory.SharedMemory] = []
        self.free: queue.SimpleQueue[int] = queue.SimpleQueue()
        self.writes: deque[Future] = deque()
        self.files: dict[str, int] = {}
        if workers > 1:
            # Compile (or load) the kernels before the workers exist, so that they inherit or load them.
            spec.engine.generate(spec.rng("train", 0), 1)
            self.slots = [shared_memory.SharedMemory(create=True, size=SLOT_BYTES)
                          for _ in range(SLOTS_PER_WORKER * workers)]
            _SLOTS.update({slot.name: slot for slot in self.slots})
            for index in range(len(self.slots)):
                self.free.put(index)
            method = "fork" if "fork" in multiprocessing.get_all_start_methods() else "spawn"
            self.pool = ProcessPoolExecutor(
                workers, mp_context=multiprocessing.get_context(method), initializer=_start_worker, initargs=(spec,)
            )

    def handles(self, split: str, indices: range) -> Iterator[BlockHandle]:
        """Each block of ``indices`` in order. Every handle must be given to :meth:`write` or :meth:`release`
        before the next one is requested."""
        if self.pool is None:
            for block in indices:
                text = self.spec.engine.generate(self.spec.rng(split, block), BLOCK_SIZE)
                yield BlockHandle(text.src_ends, text.tgt_ends, text.choices, text.hashes, None, len(text.src),
                                  len(text.tgt), (text.src, text.tgt))
            return
        pending: deque[Future] = deque()
        upcoming = iter(indices)
        for block in upcoming:
            slot = self.free.get()
            pending.append(self.pool.submit(_generate, split, block, slot, self.slots[slot].name))
            if len(pending) == len(self.slots):
                break
        while pending:
            yield pending.popleft().result()
            for block in upcoming:
                slot = self.free.get()  # a slot comes back when a write or a release finishes
                pending.append(self.pool.submit(_generate, split, block, slot, self.slots[slot].name))
                break

    def columns(self, handle: BlockHandle) -> ColumnBlock:
        """The block's rows (views into its slot: valid until the handle is written or released)."""
        memory = None if handle.slot is None else np.frombuffer(self.slots[handle.slot].buf, dtype=np.uint8)
        return block_columns(handle, memory, self.names)

    def write(self, handle: BlockHandle, rows: np.ndarray | None, targets: Targets) -> None:
        """Write the selected rows at the given file offsets: by a worker when the text is in a slot."""
        if handle.slot is None or handle.text is not None:
            write_rows(self.columns(handle), rows, targets, self.files)
            self.release(handle)
            return
        assert self.pool is not None
        future = self.pool.submit(_write, handle, self.slots[handle.slot].name, rows, targets)
        slot = handle.slot
        future.add_done_callback(lambda _: self.free.put(slot))
        self.writes.append(future)
        while self.writes and self.writes[0].done():
            self.writes.popleft().result()

    def release(self, handle: BlockHandle) -> None:
        if handle.slot is not None:
            self.free.put(handle.slot)

    def wait(self) -> None:
        """Block until every write handed out so far is on its way to the files (and raise its error)."""
        while self.writes:
            self.writes.popleft().result()

    def close(self) -> None:
        if self.pool is not None:
            self.pool.shutdown(wait=True, cancel_futures=True)
            self.pool = None
        for descriptor in self.files.values():
            os.close(descriptor)
        self.files = {}
        for slot in self.slots:
            _SLOTS.pop(slot.name, None)
            slot.unlink()
            try:
                slot.close()
            except BufferError:  # a caller still holds a view; the mapping goes when the view does
                pass
        self.slots = []
