"""fairseq's inverse-square-root schedule: linear warm-up to the peak, then decay as 1/sqrt(step)."""

from __future__ import annotations

import math

import torch
from torch.optim.lr_scheduler import LambdaLR


def inverse_sqrt_factor(step: int, warmup: int) -> float:
    """Multiplier of the peak learning rate for the update after ``step`` updates."""
    warmup = max(warmup, 1)
    now = step + 1
    return min(now / warmup, math.sqrt(warmup / now))


def inverse_sqrt(optimizer: torch.optim.Optimizer, warmup: int) -> LambdaLR:
    return LambdaLR(optimizer, lambda step: inverse_sqrt_factor(step, warmup))


def adamw(model: torch.nn.Module, lr: float, weight_decay: float, betas: tuple[float, float]) -> torch.optim.AdamW:
    """AdamW with no decay on biases and layer norms (fairseq's transformer recipe decays every weight matrix)."""
    decay, plain = [], []
    for name, parameter in model.named_parameters():
        (plain if parameter.ndim < 2 else decay).append(parameter)
    groups = [{"params": decay, "weight_decay": weight_decay}, {"params": plain, "weight_decay": 0.0}]
    return torch.optim.AdamW(groups, lr=lr, betas=betas, eps=1e-8, foreach=True)
