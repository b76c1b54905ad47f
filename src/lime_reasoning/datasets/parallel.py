"""Generated blocks, in order, from this process or from a pool of worker processes.

Workers write a block's text into a shared-memory slot and send back only its line ends, task
indices and source hashes, so the parent copies each byte once (into the output file) instead of
receiving it through a pipe. The number of blocks in flight, and so the memory used, is bounded.
On Linux the workers are forked after the kernels are compiled, so they start at once.
"""

from __future__ import annotations

import multiprocessing
import signal
from collections import deque
from collections.abc import Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass
from multiprocessing import shared_memory

import numpy as np

from lime_reasoning.datasets.synthetic import BLOCK_SIZE, GeneratedBlock, SyntheticSpec, assemble_block, generate_block

SLOT_BYTES = 24 << 20


@dataclass(frozen=True)
class SlotResult:
    """What a worker returns: where its text lies in its slot (or the text itself if it did not fit)."""

    slot: int
    src_size: int
    tgt_size: int
    src_ends: np.ndarray
    tgt_ends: np.ndarray
    task: np.ndarray
    hashes: np.ndarray
    inline: tuple[np.ndarray, np.ndarray] | None


_WORKER_SPEC: SyntheticSpec | None = None
_WORKER_SLOTS: dict[str, shared_memory.SharedMemory] = {}


def _start_worker(spec: SyntheticSpec) -> None:
    global _WORKER_SPEC
    _WORKER_SPEC = spec
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the parent handles Ctrl-C and stops the pool


def _attach(name: str) -> shared_memory.SharedMemory:
    """The slot's mapping: inherited when forked, attached by name when spawned."""
    if name not in _WORKER_SLOTS:
        _WORKER_SLOTS[name] = shared_memory.SharedMemory(name=name)
    return _WORKER_SLOTS[name]


def _generate_into_slot(split: str, block: int, slot: int, name: str) -> SlotResult:
    assert _WORKER_SPEC is not None
    text = _WORKER_SPEC.engine.generate(_WORKER_SPEC.rng(split, block), BLOCK_SIZE)
    buffer = np.frombuffer(_attach(name).buf, dtype=np.uint8)
    inline = None
    if len(text.src) + len(text.tgt) <= len(buffer):
        buffer[: len(text.src)] = text.src
        buffer[len(text.src) : len(text.src) + len(text.tgt)] = text.tgt
    else:
        inline = (text.src, text.tgt)
    del buffer
    return SlotResult(slot, len(text.src), len(text.tgt), text.src_ends, text.tgt_ends, text.choices, text.hashes, inline)


class BlockSource:
    """Blocks of a split in order; ``workers > 1`` generates them in parallel."""

    def __init__(self, spec: SyntheticSpec, workers: int) -> None:
        self.spec = spec
        self.pool: ProcessPoolExecutor | None = None
        self.slots: list[shared_memory.SharedMemory] = []
        if workers > 1:
            # Compile (or load) the kernels before the workers exist, so that they inherit or load them.
            spec.engine.generate(spec.rng("train", 0), 1)
            method = "fork" if "fork" in multiprocessing.get_all_start_methods() else "spawn"
            self.slots = [shared_memory.SharedMemory(create=True, size=SLOT_BYTES) for _ in range(2 * workers)]
            _WORKER_SLOTS.update({slot.name: slot for slot in self.slots})
            self.pool = ProcessPoolExecutor(
                workers, mp_context=multiprocessing.get_context(method), initializer=_start_worker, initargs=(spec,)
            )

    def blocks(self, split: str, indices: range) -> Iterator[GeneratedBlock]:
        """Generated blocks; with workers, each block is valid until the next one is requested."""
        if self.pool is None:
            for block in indices:
                yield generate_block(self.spec, split, block)
            return
        free = deque(range(len(self.slots)))
        pending: deque[Future] = deque()
        upcoming = iter(indices)

        def submit() -> None:
            for block in upcoming:
                slot = free.popleft()
                pending.append(self.pool.submit(_generate_into_slot, split, block, slot, self.slots[slot].name))
                return

        while free and len(pending) < len(self.slots):
            before = len(pending)
            submit()
            if len(pending) == before:
                break
        while pending:
            result: SlotResult = pending.popleft().result()
            yield self._assemble(result)
            free.append(result.slot)
            submit()

    def _assemble(self, result: SlotResult) -> GeneratedBlock:
        if result.inline is not None:
            src, tgt = result.inline
        else:
            memory = np.frombuffer(self.slots[result.slot].buf, dtype=np.uint8)
            src = memory[: result.src_size]
            tgt = memory[result.src_size : result.src_size + result.tgt_size]
        return assemble_block(self.spec, src, result.src_ends, tgt, result.tgt_ends, result.task, result.hashes)

    def close(self) -> None:
        if self.pool is not None:
            self.pool.shutdown(wait=True, cancel_futures=True)
            self.pool = None
        for slot in self.slots:
            _WORKER_SLOTS.pop(slot.name, None)
            slot.unlink()
            try:
                slot.close()
            except BufferError:  # a caller still holds a view; the mapping goes when the view does
                pass
        self.slots = []
