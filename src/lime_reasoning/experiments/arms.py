"""The arms of the experiment: what each one pretrains on before the identical fine-tuning.

``scratch`` pretrains on nothing (the baseline). ``scratch_long`` pretrains on nothing either but
fine-tunes for the pretraining budget plus the fine-tuning budget: LIME's claim is about compute, so a
pretrained arm must also beat the downstream data given the updates it spent on synthetic data. The task arms pretrain on a synthetic task of the
generator. ``param_stats`` (Wu, Li, Liang 2022) pretrains on nothing either: each weight tensor is drawn
from a Gaussian with the mean and standard deviation of the ``mixed``-pretrained tensor of the same
seed, which separates what LIME teaches from the mere scale of well-trained weights.
"""

from __future__ import annotations

from lime_reasoning.errors import LimeError

SCRATCH, SCRATCH_LONG, PARAM_STATS = "scratch", "scratch_long", "param_stats"
PARAM_STATS_SOURCE = "mixed"
PRETRAINING_TASKS: dict[str, str] = {
    "deduct": "deduct",
    "induct": "induct",
    "abduct": "abduct",
    "mixed": "mixed",
    "rewrite_multistep_hard": "rewrite_multistep_hard",
    "set": "set",
}
ARMS: tuple[str, ...] = (SCRATCH, SCRATCH_LONG, *PRETRAINING_TASKS, PARAM_STATS)
UNPRETRAINED: tuple[str, ...] = (SCRATCH, SCRATCH_LONG)


def parse_arms(text: str | None) -> tuple[str, ...]:
    """``"scratch,mixed"`` -> the arms in the canonical order (which the report keeps); None: all."""
    if text is None:
        return ARMS
    wanted = [part.strip() for part in text.split(",") if part.strip()]
    unknown = [arm for arm in wanted if arm not in ARMS]
    if unknown or not wanted:
        raise LimeError(f"--arms {text!r}: choose among {', '.join(ARMS)}")
    return tuple(arm for arm in ARMS if arm in wanted)


def pretrained_source(arm: str) -> str | None:
    """The pretraining arm whose checkpoint ``arm`` starts from (None: no pretrained checkpoint)."""
    if arm in UNPRETRAINED:
        return None
    return PARAM_STATS_SOURCE if arm == PARAM_STATS else arm
