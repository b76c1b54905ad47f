"""Batched beam search through ``generate()``: sources sorted by length, batches within a token budget.

Sorting by length keeps padding (and the beams' wasted work on it) low; predictions are handed back
in the input order.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import torch
from tokenizers import Tokenizer
from transformers import BartForConditionalGeneration

from lime_reasoning.modeling.vocabulary import PAD_ID
from lime_reasoning.ragged import Ragged


def decode_batches(lengths: np.ndarray, beam: int, batch_tokens: int) -> list[np.ndarray]:
    """Index arrays of sources, shortest first, with ``rows × beam × longest source <= batch_tokens``."""
    order = np.argsort(lengths, kind="stable")
    batches, start = [], 0
    while start < len(order):
        stop = start + 1
        while stop < len(order) and (stop - start + 1) * beam * int(lengths[order[stop]]) <= batch_tokens:
            stop += 1
        batches.append(order[start:stop])
        start = stop
    return batches


@torch.no_grad()
def beam_search(model: BartForConditionalGeneration, tokenizer: Tokenizer, sources: Ragged, beam: int,
                max_new_tokens: int, batch_tokens: int, device: torch.device) -> list[list[str]]:
    """The ``beam`` best hypotheses (best first) for every source, as text."""
    model.eval()
    results: list[list[str]] = [[] for _ in range(len(sources))]
    for rows in decode_batches(sources.lengths, beam, batch_tokens):
        input_ids, mask = sources.take(rows).padded(fill=PAD_ID)
        output = model.generate(
            input_ids=torch.from_numpy(input_ids.astype(np.int64)).to(device),
            attention_mask=torch.from_numpy(mask.astype(np.int64)).to(device),
            num_beams=beam,
            num_return_sequences=beam,
            max_new_tokens=max_new_tokens,
            do_sample=False,
        )
        texts = tokenizer.decode_batch(output.cpu().tolist(), skip_special_tokens=True)
        for position, row in enumerate(rows):
            results[row] = texts[position * beam : (position + 1) * beam]
    return results


def normalise(text: str) -> str:
    """Targets and predictions compare token by token, whatever their spacing."""
    return " ".join(text.split())


def correct_rank(predictions: Sequence[str], target: str) -> int | None:
    """1-based rank of the first prediction equal to the target, or ``None``."""
    wanted = normalise(target)
    for rank, prediction in enumerate(predictions, start=1):
        if normalise(prediction) == wanted:
            return rank
    return None
