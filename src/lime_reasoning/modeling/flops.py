"""Model FLOPs of training on given examples: the useful arithmetic, padding excluded.

Model-FLOPs utilisation divides this by the time a step took and by the machine's measured matrix-
multiply rate. Counted as 2 FLOPs per multiply-add, forward only, then ×3 for training (backward
costs twice the forward). Layer norms, softmax and other element-wise work are not counted: they are
overhead that MFU is meant to expose.
"""

from __future__ import annotations

import numpy as np
from transformers import BartConfig


def forward_flops(config: BartConfig, src_lengths: np.ndarray, tgt_lengths: np.ndarray) -> float:
    """Forward-pass matmul FLOPs summed over examples of the given source / target lengths."""
    d = config.d_model
    s = np.asarray(src_lengths, dtype=np.float64)
    t = np.asarray(tgt_lengths, dtype=np.float64)
    encoder = config.encoder_layers * ((4 * d * d + 2 * d * config.encoder_ffn_dim) * s + 2 * s * s * d)
    decoder = config.decoder_layers * (
        (4 * d * d + 2 * d * d + 2 * d * config.decoder_ffn_dim) * t  # self-attention, cross q/o, FFN
        + 2 * d * d * s  # cross-attention keys and values of every source position
        + 2 * t * t * d + 2 * t * s * d  # attention scores and weighted sums
    )
    output = d * config.vocab_size * t
    return float(2 * (encoder + decoder + output).sum())


def training_flops(config: BartConfig, src_lengths: np.ndarray, tgt_lengths: np.ndarray) -> float:
    return 3 * forward_flops(config, src_lengths, tgt_lengths)
