"""The compute account of a finished training run: updates, tokens, seconds and model FLOPs.

FLOPs follow :mod:`lime_reasoning.modeling.flops` (matmul FLOPs of forward and backward, padding
excluded). The trainer counts the tokens it consumed, not which examples they were, so the run's FLOPs
are its tokens times the FLOPs per token of its training split (every example once, as tokenised by the
run's own tokenizer): exact when the run saw whole epochs, and within a few per cent of it otherwise.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
from transformers import BartConfig

from lime_reasoning.datasets import read_records
from lime_reasoning.modeling.flops import training_flops
from lime_reasoning.modeling.vocabulary import load_tokenizer
from lime_reasoning.training.metrics import CSV_FILE, read_rows


def last_logged(run: Path) -> tuple[int, int, float]:
    """Step, tokens seen and training seconds of the last row of the run's ``metrics.csv``."""
    last = read_rows(run / CSV_FILE)[-1]
    return int(last["step"]), int(last["tokens_seen"]), float(last["elapsed_s"])


def flops_per_token(run: Path, data: Path) -> float:
    """Training FLOPs per (source + target) token over the run's training split."""
    config = BartConfig.from_pretrained(str(run))  # the shape is all it needs: no weights
    tokenizer = load_tokenizer(run)
    records = read_records(data, "train")
    src = np.array([len(e.ids) for e in tokenizer.encode_batch([r["src"] for r in records])])
    tgt = np.array([len(e.ids) for e in tokenizer.encode_batch([r["tgt"] for r in records])])
    positions = config.max_position_embeddings
    fits = (src <= positions) & (tgt <= positions)
    src, tgt = src[fits], tgt[fits]
    return training_flops(config, src, tgt) / float((src + tgt).sum())


def training_account(run: Path, data: Path) -> dict[str, Any]:
    step, tokens, seconds = last_logged(run)
    return {"steps": step, "tokens_seen": tokens, "train_seconds": seconds,
            "flops": tokens * flops_per_token(run, data)}
