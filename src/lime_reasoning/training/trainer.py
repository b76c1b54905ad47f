"""The training loop: accumulate, reduce across ranks, clip, step; validate, checkpoint, stop on budget.

Gradients are computed on *summed* losses and divided once per update by the number of target tokens
in the global batch (all ranks, all accumulated batches), as fairseq does; so the update does not
depend on how the global batch is split over processes or accumulation steps.
"""

from __future__ import annotations

import contextlib
import math
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import torch
from torch.nn.parallel import DistributedDataParallel
from tqdm import tqdm
from transformers import BartForConditionalGeneration

from lime_reasoning.training.budget import Budget, StopFlag
from lime_reasoning.training.checkpoint import (checkpoint_dir, explain_write_failures, publish, resume_advice,
                                                rng_state, save_checkpoint, set_rng_state)
from lime_reasoning.training.data import Batch, Encoded
from lime_reasoning.training.distributed import Dist, all_sum, barrier, gather_objects
from lime_reasoning.training.metrics import MetricsLog
from lime_reasoning.training.objective import Seq2SeqObjective
from lime_reasoning.training.schedule import adamw, inverse_sqrt
from lime_reasoning.training.sources import Source
from lime_reasoning.training.validation import validate, validation_batches

AUTOCAST_TYPES = {"bf16": torch.bfloat16, "fp16": torch.float16}
# Sums over the steps since the last train/ log line; part of the checkpoint, so that the first line after
# a resume averages the same steps as an uninterrupted run's.
WINDOW_SUMS = ("loss", "nll", "correct", "target")
# --select: the validation metric whose best value picks the published model, and whether higher is better.
# "last" publishes the last checkpoint instead; a run without validation always does.
SELECTIONS: dict[str, tuple[str, bool]] = {"loss": ("valid/loss", False), "exact_match": ("valid/exact_match", True)}


@dataclass(frozen=True)
class Settings:
    """The resolved numbers the loop needs (see :class:`~lime_reasoning.training.config.TrainConfig`)."""

    lr: float
    warmup: int
    weight_decay: float
    adam_betas: tuple[float, float]
    clip_norm: float
    label_smoothing: float
    precision: str
    seed: int
    select: str
    max_tokens: int
    budget: Budget
    valid_every: int
    save_every: int
    log_every: int


@dataclass(frozen=True)
class Outcome:
    step: int
    reason: str
    interrupted: bool
    selected: tuple[str, float] | None  # the --select metric and its best validation value


def improves(select: str, best: float | None, metrics: dict[str, float]) -> bool:
    """Whether a validation is the best so far by the --select metric (a tie keeps the earlier one)."""
    if select not in SELECTIONS:
        return False
    name, higher = SELECTIONS[select]
    if best is None:
        return True
    return metrics[name] > best if higher else metrics[name] < best


def resolve_precision(requested: str, device: torch.device) -> str:
    """``auto``: bf16 on a GPU that has it, else fp16 on a GPU, fp32 on a CPU (autocast is for GPUs).

    ``fp64`` holds on any device: the whole model in float64, so that two ways of computing the same
    update (processes against accumulation) agree to float64 rounding.
    """
    if requested == "fp64":
        return requested
    if requested != "auto":
        return requested if device.type == "cuda" else "fp32"
    if device.type != "cuda":
        return "fp32"
    return "bf16" if torch.cuda.is_bf16_supported() else "fp16"


class Trainer:
    def __init__(self, run: Path, d: Dist, model: BartForConditionalGeneration, source: Source,
                 valid: Encoded | None, settings: Settings, state: dict[str, Any] | None) -> None:
        self.run, self.d, self.settings, self.source = run, d, settings, source
        self.precision = resolve_precision(settings.precision, d.device)
        self.model = model.to(d.device)
        if self.precision == "fp64":
            self.model.double()
        self.objective = Seq2SeqObjective(self.model, settings.label_smoothing)
        self.wrapped = DistributedDataParallel(self.objective) if d.active else self.objective
        self.parameters = [p for p in self.model.parameters() if p.requires_grad]
        self.optimizer = adamw(self.model, settings.lr, settings.weight_decay, settings.adam_betas)
        self.scheduler = inverse_sqrt(self.optimizer, settings.warmup)
        self.scaler = torch.amp.GradScaler("cuda", enabled=self.precision == "fp16")
        self.valid = valid
        self.valid_batches = validation_batches(valid, settings.max_tokens, d) if valid is not None else []
        self.step, self.tokens_seen, self.elapsed_before = 0, 0, 0.0
        self.best: float | None = None  # the best validation value of the --select metric so far
        self.window = dict.fromkeys(WINDOW_SUMS, 0.0)
        if state is not None:
            self._restore(state)
        else:
            torch.manual_seed(settings.seed * 1000 + d.rank)
        self.log = MetricsLog(run, self.step if state is not None else None, d.is_main)

    def _autocast(self) -> contextlib.AbstractContextManager:
        if self.precision in AUTOCAST_TYPES:
            return torch.autocast(device_type=self.d.device.type, dtype=AUTOCAST_TYPES[self.precision])
        return contextlib.nullcontext()

    def _restore(self, state: dict[str, Any]) -> None:
        self.optimizer.load_state_dict(state["optimizer"])
        self.scheduler.load_state_dict(state["scheduler"])
        if state.get("scaler"):
            self.scaler.load_state_dict(state["scaler"])
        self.step, self.tokens_seen, self.elapsed_before = state["step"], state["tokens_seen"], state["elapsed"]
        self.best = state.get("best", state.get("best_loss") if self.settings.select == "loss" else None)
        self.window.update(state.get("window", {}))
        mine = state["ranks"][self.d.rank]
        self.source.seek(mine["data"])
        set_rng_state(mine["rng"], self.d.device)

    # One update -----------------------------------------------------------------------------------

    def _forward_backward(self, batches: list[Batch]) -> torch.Tensor:
        sums = torch.zeros(5, dtype=torch.float64)
        for index, batch in enumerate(batches):
            batch = batch.to(self.d.device)
            last = index == len(batches) - 1
            sync = contextlib.nullcontext() if last or not self.d.active else self.wrapped.no_sync()
            with sync:
                with self._autocast():
                    stats = self.wrapped(batch.input_ids, batch.attention_mask, batch.decoder_input_ids, batch.labels)
                self.scaler.scale(stats.loss).backward()
            sums += torch.tensor([float(stats.loss.detach()), float(stats.nll), float(stats.correct), batch.tokens,
                                  batch.src_tokens], dtype=torch.float64)
        return sums

    def _update(self, target_tokens: float) -> float:
        """Normalise by the global batch's target tokens (DDP already averaged over ranks), clip, step."""
        self.scaler.unscale_(self.optimizer)
        factor = self.d.world / max(target_tokens, 1.0)
        grads = [p.grad for p in self.parameters if p.grad is not None]
        torch._foreach_mul_(grads, factor)
        if self.settings.clip_norm > 0:
            norm = torch.nn.utils.clip_grad_norm_(self.parameters, self.settings.clip_norm)
        else:
            norm = torch.linalg.vector_norm(torch.stack([torch.linalg.vector_norm(g) for g in grads]))
        self.scaler.step(self.optimizer)
        self.scaler.update()
        self.scheduler.step()
        self.optimizer.zero_grad(set_to_none=True)
        return float(norm)

    # Checkpoints ----------------------------------------------------------------------------------

    def _state(self, elapsed: float) -> dict[str, Any] | None:
        ranks = gather_objects(self.d, {"data": self.source.position(), "rng": rng_state(self.d.device)})
        if not self.d.is_main:
            return None
        return {
            "step": self.step, "tokens_seen": self.tokens_seen, "elapsed": elapsed, "best": self.best,
            "window": dict(self.window),
            "optimizer": self.optimizer.state_dict(), "scheduler": self.scheduler.state_dict(),
            "scaler": self.scaler.state_dict() if self.scaler.is_enabled() else {},
            "ranks": ranks, "world": self.d.world,
        }

    def _save(self, name: str, elapsed: float, publish_it: bool) -> None:
        state = self._state(elapsed)
        if state is not None:
            with explain_write_failures(checkpoint_dir(self.run, name), lambda: resume_advice(self.run)):
                path = save_checkpoint(self.run, name, self.model, state)
                if publish_it:
                    publish(self.run, path)
        barrier(self.d)

    def _validate(self, elapsed: float) -> None:
        metrics = validate(self.objective, self.valid_batches, self.valid.task_names, self.d, self._autocast())
        self.log.log(self.step, self.tokens_seen, elapsed, metrics)
        if improves(self.settings.select, self.best, metrics):
            self.best = metrics[SELECTIONS[self.settings.select][0]]
            self._save("best", elapsed, publish_it=True)
        if self.d.is_main:
            shown = ", ".join(f"{k.removeprefix('valid/')} {v:.4f}" for k, v in metrics.items())
            tqdm.write(f"step {self.step}: valid {shown}", file=sys.stderr)

    def _outcome(self, step_reason: str, interrupted: bool) -> Outcome:
        selected = (self.settings.select, self.best) if self.best is not None else None
        return Outcome(self.step, step_reason, interrupted, selected)

    @property
    def _publishes_last(self) -> bool:
        return self.valid is None or self.settings.select not in SELECTIONS

    # The loop -------------------------------------------------------------------------------------

    def train(self) -> Outcome:
        """Train until a budget is spent or a signal arrives; the bar and the log close however it ends
        (an error line then starts a line of its own)."""
        bar = tqdm(total=self.settings.budget.max_steps, initial=self.step, disable=not self.d.is_main, unit="step",
                   dynamic_ncols=True, mininterval=1.0 if sys.stderr.isatty() else 30.0)
        try:
            return self._loop(bar)
        finally:
            bar.close()
            self.log.close()

    def _loop(self, bar: tqdm) -> Outcome:
        s = self.settings
        started = time.monotonic()
        throughput = {"tokens": 0.0, "time": started}  # this process's speed since the last log line
        reason, interrupted, validated_at = "", False, -1
        elapsed = self.elapsed_before
        already = s.budget.spent(self.step, self.tokens_seen, elapsed)
        if already:
            return self._outcome(f"{already} (already spent: raise the budget to train on)", False)
        self.objective.train()
        with StopFlag() as flag:
            while True:
                sums = self._forward_backward(self.source.next_step())
                elapsed_here = self.elapsed_before + time.monotonic() - started
                totals = all_sum(self.d, torch.cat([sums, torch.tensor(
                    [float(flag.requested), elapsed_here if self.d.is_main else 0.0], dtype=torch.float64)]))
                loss, nll, correct, target, source_tokens, stop, elapsed = totals.tolist()
                norm = self._update(target)
                self.step += 1
                self.tokens_seen += int(target + source_tokens)
                for key, value in zip(WINDOW_SUMS, (loss, nll, correct, target)):
                    self.window[key] += value
                throughput["tokens"] += target + source_tokens
                bar.update(1)
                if self.step % s.log_every == 0:
                    self._log_train(throughput, elapsed, norm, bar)
                if self.valid is not None and self.step % s.valid_every == 0:
                    before = time.monotonic()
                    self._validate(elapsed)
                    throughput["time"] += time.monotonic() - before
                    validated_at = self.step
                if stop:
                    reason, interrupted = "interrupted", True
                else:
                    reason = s.budget.spent(self.step, self.tokens_seen, elapsed) or ""
                if reason:
                    break
                if self.step % s.save_every == 0:
                    self._save("last", elapsed, publish_it=self._publishes_last)
        if self.valid is not None and validated_at != self.step and not interrupted:
            self._validate(elapsed)
        self._save("last", elapsed, publish_it=self._publishes_last)
        # A signal during the update that spent the budget still asks the caller to stop (lime reproduce
        # would otherwise go on to its next stage).
        return self._outcome(reason, interrupted or flag.requested)

    def _log_train(self, throughput: dict[str, float], elapsed: float, norm: float, bar: tqdm) -> None:
        now = time.monotonic()
        rate = throughput["tokens"] / max(now - throughput["time"], 1e-9)
        window = self.window
        metrics = {
            "train/loss": window["loss"] / window["target"],
            "train/nll": window["nll"] / window["target"],
            "train/token_accuracy": window["correct"] / window["target"],
            "train/lr": self.scheduler.get_last_lr()[0],
            "train/grad_norm": norm,
            "train/tokens_per_s": rate,
        }
        self.log.log(self.step, self.tokens_seen, elapsed, metrics)
        done = self.settings.budget.fraction(self.step, self.tokens_seen, elapsed)
        eta = elapsed * (1 - done) / done if done > 0 else math.inf
        bar.set_postfix_str(f"loss {metrics['train/loss']:.3f} acc {metrics['train/token_accuracy']:.3f} "
                            f"{rate:,.0f} tok/s eta {_clock(eta)}", refresh=False)
        throughput.update(tokens=0.0, time=now)
        self.window = dict.fromkeys(WINDOW_SUMS, 0.0)


def _clock(seconds: float) -> str:
    if not math.isfinite(seconds):
        return "?"
    minutes, secs = divmod(int(seconds), 60)
    hours, minutes = divmod(minutes, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}"
