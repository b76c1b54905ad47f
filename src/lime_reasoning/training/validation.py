"""Periodic validation: loss, token accuracy and (greedy, teacher-forced) exact match, per task too."""

from __future__ import annotations

from contextlib import AbstractContextManager

import numpy as np
import torch

from lime_reasoning.training.batching import token_batches
from lime_reasoning.training.data import Batch, Encoded, collate
from lime_reasoning.training.distributed import Dist, all_sum
from lime_reasoning.training.objective import Seq2SeqObjective


def validation_batches(data: Encoded, max_tokens: int, d: Dist) -> list[Batch]:
    """This rank's share of the validation batches (the same split on every run)."""
    batches = token_batches(data.src.lengths, data.tgt.lengths, max_tokens, np.random.default_rng(0))
    return [collate(data, rows) for rows in batches[d.rank :: d.world]]


@torch.no_grad()
def validate(objective: Seq2SeqObjective, batches: list[Batch], task_names: tuple[str, ...], d: Dist,
             autocast: AbstractContextManager) -> dict[str, float]:
    """Metrics over every rank's batches, summed across ranks."""
    was_training = objective.training
    objective.eval()
    tasks = max(len(task_names), 1)
    sums = torch.zeros(5 + 2 * tasks, dtype=torch.float64)
    for batch in batches:
        batch_on = batch.to(d.device)
        with autocast:
            stats = objective(batch_on.input_ids, batch_on.attention_mask, batch_on.decoder_input_ids,
                              batch_on.labels)
        exact = stats.exact.cpu().numpy()
        sums[:5] += torch.tensor([float(stats.loss), float(stats.nll), float(stats.correct), batch.tokens,
                                  float(exact.sum())], dtype=torch.float64)
        sums[5 : 5 + tasks] += torch.from_numpy(np.bincount(batch.task, weights=exact, minlength=tasks))
        sums[5 + tasks :] += torch.from_numpy(np.bincount(batch.task, minlength=tasks).astype(np.float64))
    objective.train(was_training)
    sums = all_sum(d, sums)
    loss, nll, correct, tokens, exact = sums[:5].tolist()
    per_task_exact, per_task_count = sums[5 : 5 + tasks].tolist(), sums[5 + tasks :].tolist()
    metrics = {
        "valid/loss": loss / tokens,
        "valid/nll": nll / tokens,
        "valid/token_accuracy": correct / tokens,
        "valid/exact_match": exact / sum(per_task_count),
    }
    if len(task_names) > 1:
        for name, hit, count in zip(task_names, per_task_exact, per_task_count):
            if count:
                metrics[f"valid/exact_match/{name}"] = hit / count
    return metrics
