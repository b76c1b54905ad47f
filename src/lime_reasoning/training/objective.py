"""The training objective: label-smoothed cross-entropy on real target tokens only, plus accuracy counts.

The output layer runs on the non-padding decoder positions alone, so neither the vocabulary projection
(the largest matrix when a benchmark has tens of thousands of labels) nor the softmax is spent on
padding. It is an ``nn.Module`` so that DistributedDataParallel wraps the whole computation.

Exact match here is teacher-forced: a sequence counts when every one of its argmax predictions,
``</s>`` included, equals the target. That is precisely when greedy decoding outputs the target (greedy
decoding follows the target prefix exactly as long as every argmax agrees), so validation measures
greedy exact match without running a decoder.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch
import torch.nn.functional as F
from torch import nn
from transformers import BartForConditionalGeneration

from lime_reasoning.modeling.vocabulary import PAD_ID


@dataclass
class Stats:
    """Sums over a batch: ``loss`` carries the gradient; the rest are detached counts."""

    loss: torch.Tensor
    nll: torch.Tensor
    correct: torch.Tensor
    exact: torch.Tensor  # one boolean per sequence


class Seq2SeqObjective(nn.Module):
    def __init__(self, model: BartForConditionalGeneration, label_smoothing: float) -> None:
        super().__init__()
        self.model = model
        self.label_smoothing = label_smoothing

    def forward(self, input_ids: torch.Tensor, attention_mask: torch.Tensor, decoder_input_ids: torch.Tensor,
                labels: torch.Tensor) -> Stats:
        hidden = self.model.model(
            input_ids=input_ids, attention_mask=attention_mask, decoder_input_ids=decoder_input_ids, use_cache=False
        ).last_hidden_state
        mask = labels != PAD_ID
        targets = labels[mask]
        logits = self.model.lm_head(hidden[mask]) + self.model.final_logits_bias[0]
        log_probs = F.log_softmax(logits.to(torch.promote_types(logits.dtype, torch.float32)), dim=-1)
        nll = -log_probs.gather(1, targets[:, None]).sum()
        eps = self.label_smoothing
        loss = (1.0 - eps) * nll - eps / log_probs.shape[-1] * log_probs.sum() if eps else nll
        right = log_probs.detach().argmax(dim=-1) == targets
        wrong = torch.zeros_like(labels, dtype=torch.bool)
        wrong[mask] = ~right
        return Stats(loss, nll.detach(), right.sum(), ~wrong.any(dim=1))
