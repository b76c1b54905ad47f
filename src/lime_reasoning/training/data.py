"""Examples as token ids: encoding a split once into flat arrays, and padding a batch into tensors.

A split of millions of examples is held as two :class:`Ragged` arrays of ids (about 4 bytes per token)
instead of millions of Python lists; batches are cut from it by index.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch
from tokenizers import Tokenizer

from lime_reasoning.datasets import iter_blocks
from lime_reasoning.errors import LimeError
from lime_reasoning.modeling.vocabulary import EOS_ID, PAD_ID
from lime_reasoning.ragged import Ragged


@dataclass(frozen=True)
class Encoded:
    """Source and target ids (each ending in ``</s>``) and each example's task index."""

    src: Ragged
    tgt: Ragged
    task: np.ndarray
    task_names: tuple[str, ...]

    def __len__(self) -> int:
        return len(self.src)

    def select(self, rows: np.ndarray) -> Encoded:
        return Encoded(self.src.take(rows), self.tgt.take(rows), self.task[rows], self.task_names)


def _ids(tokenizer: Tokenizer, lines: Sequence[str]) -> tuple[np.ndarray, np.ndarray]:
    encodings = tokenizer.encode_batch(list(lines), add_special_tokens=True)
    lengths = np.fromiter((len(e.ids) for e in encodings), dtype=np.int64, count=len(encodings))
    flat = np.fromiter((i for e in encodings for i in e.ids), dtype=np.int32, count=int(lengths.sum()))
    return flat, lengths


def encode_pairs(
    tokenizer: Tokenizer, sources: Sequence[str], targets: Sequence[str], tasks: Sequence[str] | None = None
) -> Encoded:
    """Encode parallel lists of sources, targets and (optional) task names."""
    src, src_lengths = _ids(tokenizer, sources)
    tgt, tgt_lengths = _ids(tokenizer, targets)
    names = tuple(sorted(set(tasks))) if tasks is not None else ()
    index = {name: i for i, name in enumerate(names)}
    task = np.fromiter((index[t] for t in tasks), dtype=np.int16, count=len(tasks)) if tasks is not None else (
        np.zeros(len(sources), dtype=np.int16))
    return Encoded(Ragged.from_lengths(src, src_lengths), Ragged.from_lengths(tgt, tgt_lengths), task, names)


def concat_encoded(parts: Iterable[Encoded]) -> Encoded:
    parts = list(parts)
    names = tuple(sorted({n for p in parts for n in p.task_names}))
    index = {name: i for i, name in enumerate(names)}
    tasks = [np.array([index[n] for n in p.task_names] or [0], dtype=np.int16)[p.task] for p in parts]

    def join(rows: list[Ragged]) -> Ragged:
        return Ragged.from_lengths(np.concatenate([r.compact().values for r in rows]),
                                   np.concatenate([r.lengths for r in rows]))

    return Encoded(join([p.src for p in parts]), join([p.tgt for p in parts]), np.concatenate(tasks), names)


def encode_split(
    tokenizer: Tokenizer, directory: Path | str, split: str, fmt: str | None = None, limit: int | None = None
) -> Encoded:
    """Every example of ``split`` (or the first ``limit``), block by block."""
    parts = []
    rows = 0
    for block in iter_blocks(directory, split, fmt):
        records = block.records() if limit is None or rows + len(block) <= limit else block.records()[: limit - rows]
        parts.append(encode_pairs(
            tokenizer,
            [r["src"] for r in records],
            [r["tgt"] for r in records],
            [str(r["task"]) for r in records] if "task" in block.columns else None,
        ))
        rows += len(records)
        if limit is not None and rows >= limit:
            break
    if not rows:
        raise LimeError(f"{directory}: the {split!r} split is empty")
    return concat_encoded(parts)


def drop_too_long(data: Encoded, max_positions: int) -> tuple[Encoded, int]:
    """Examples that fit the model's positions, and how many were left out (fairseq skips them too)."""
    keep = (data.src.lengths <= max_positions) & (data.tgt.lengths <= max_positions)
    dropped = int((~keep).sum())
    return (data.select(np.flatnonzero(keep)) if dropped else data), dropped


@dataclass(frozen=True)
class Batch:
    """Padded tensors for one forward pass; ``tokens`` counts the target tokens the loss covers and
    ``src_tokens`` the real (unpadded) source tokens."""

    input_ids: torch.Tensor
    attention_mask: torch.Tensor
    decoder_input_ids: torch.Tensor
    labels: torch.Tensor
    task: np.ndarray
    tokens: int
    src_tokens: int

    def to(self, device: torch.device) -> Batch:
        if device.type == "cpu":
            return self
        move = {"device": device, "non_blocking": True}
        return Batch(self.input_ids.to(**move), self.attention_mask.to(**move), self.decoder_input_ids.to(**move),
                     self.labels.to(**move), self.task, self.tokens, self.src_tokens)


def collate(data: Encoded, rows: np.ndarray) -> Batch:
    """The examples ``rows`` of ``data`` as one padded batch (teacher forcing: decoder input = labels shifted)."""
    src, tgt = data.src.take(rows), data.tgt.take(rows)
    input_ids, src_mask = src.padded(fill=PAD_ID)
    labels, _ = tgt.padded(fill=PAD_ID)
    decoder_input_ids = np.full_like(labels, EOS_ID)
    decoder_input_ids[:, 1:] = labels[:, :-1]
    return Batch(
        torch.from_numpy(input_ids.astype(np.int64)),
        torch.from_numpy(src_mask.astype(np.int64)),
        torch.from_numpy(decoder_input_ids.astype(np.int64)),
        torch.from_numpy(labels.astype(np.int64)),
        data.task[rows],
        int(tgt.lengths.sum()),
        int(src.lengths.sum()),
    )
