"""Turning a :class:`TrainConfig` into a ready trainer: vocabulary, model, data, and the run directory.

Everything that can fail on bad input (data, vocabulary, preset, initial checkpoint, batch budget) is
checked before anything is written, so a mistake leaves no half-made run directory behind.
"""

from __future__ import annotations

import dataclasses
import sys
import tempfile
from pathlib import Path
from typing import Any

from tokenizers import Tokenizer
from transformers import BartForConditionalGeneration

from lime_reasoning.atomic import assembled_directory, write_json_atomic
from lime_reasoning.datasets import present_splits
from lime_reasoning.errors import LimeError
from lime_reasoning.modeling.model import bart_config, build_model, load_model, quiet_transformers
from lime_reasoning.modeling.model_presets import MODEL_PRESETS, resolve_model_preset
from lime_reasoning.modeling.transfer import transfer
from lime_reasoning.modeling.vocabulary import build_tokenizer, load_tokenizer, save_tokenizer, tokenizer_from_lines
from lime_reasoning.training.budget import Budget
from lime_reasoning.training.checkpoint import explain_write_failures, find_checkpoint, load_checkpoint
from lime_reasoning.training.config import ARGS_FILE, TrainConfig, read_saved
from lime_reasoning.training.data import Encoded, drop_too_long, encode_pairs, encode_split
from lime_reasoning.training.distributed import Dist, barrier
from lime_reasoning.training.sources import FileSource, Source, StreamSource, stream_examples, stream_seed
from lime_reasoning.training.trainer import Settings, Trainer

STREAM_VOCAB_SAMPLE = 20000
VOCAB_PART, VALID_PART = 1 << 30, (1 << 30) + 1


def note(d: Dist, message: str) -> None:
    if d.is_main:
        print(f"lime: {message}", file=sys.stderr)


def _check_out(run: Path, overwrite: bool) -> None:
    """Refuse an --out that is taken or cannot be written before any work is done (the run is assembled in
    a hidden sibling and renamed into place, so the place that must be writable is its nearest existing
    parent: a file is created and removed there)."""
    if run.exists() and not run.is_dir():
        raise LimeError(f"{run}: exists and is not a directory")
    if run.is_dir() and any(run.iterdir()):
        if not (run / ARGS_FILE).exists():
            raise LimeError(f"{run}: not empty and not a training run; choose another --out")
        if not overwrite:
            raise LimeError(f"{run}: already holds a run; pass --resume to continue it or --overwrite to start over")
    parent = run.absolute().parent
    while not parent.exists():
        parent = parent.parent
    try:
        with tempfile.TemporaryDirectory(dir=parent, prefix=f".{run.name}.probe-") as probe:
            (Path(probe) / "probe").write_bytes(b"\0")
    except OSError as error:
        raise LimeError(f"{run}: cannot create the run directory in {parent} ({error.strerror or error})") from None


def _vocabulary(cfg: TrainConfig) -> Tokenizer:
    if cfg.stream is not None:
        sample = stream_examples(cfg.stream, stream_seed(cfg.seed, VOCAB_PART), STREAM_VOCAB_SAMPLE)
        return tokenizer_from_lines([line for e in sample for line in (e.src, e.tgt)], cfg.vocab_min_count,
                                    cfg.vocab_max_size)
    return build_tokenizer(cfg.data, cfg.format, cfg.vocab_min_count, cfg.vocab_max_size)


def _new_model(cfg: TrainConfig, tokenizer: Tokenizer, d: Dist) -> tuple[BartForConditionalGeneration, float, int]:
    """The model to start from and the schedule (peak learning rate, warm-up) that suits it."""
    vocab = tokenizer.get_vocab()
    if cfg.init is None:
        fields, preset = resolve_model_preset(cfg.preset, cfg.set)
        return build_model(bart_config(fields, len(vocab)), cfg.seed), preset.lr, preset.warmup
    init = Path(cfg.init)
    pretrained = load_model(init)
    pretrained_vocab = load_tokenizer(init).get_vocab()
    model, mapping = transfer(pretrained, pretrained_vocab, vocab, cfg.transfer, cfg.seed)
    if mapping is not None:
        note(d, f"--transfer map: {mapping.by_name} tokens kept by name, {mapping.by_symbol} took pretrained "
                f"symbol rows, {mapping.fresh} got fresh rows")
    schedule = read_saved(init) if (init / ARGS_FILE).exists() else {}
    base = MODEL_PRESETS["base"]
    return model, schedule.get("lr") or base.lr, schedule.get("warmup") or base.warmup


def _data(cfg: TrainConfig, tokenizer: Tokenizer, max_positions: int, d: Dist) -> tuple[Source, Encoded | None]:
    if cfg.stream is not None:
        source: Source = StreamSource(cfg.stream, cfg.seed, tokenizer, cfg.max_tokens, max_positions, d, cfg.grad_accum)
        sample = stream_examples(cfg.stream, stream_seed(cfg.seed, VALID_PART), cfg.valid_size)
        valid = encode_pairs(tokenizer, [e.src for e in sample], [e.tgt for e in sample], [e.task for e in sample])
        return source, drop_too_long(valid, max_positions)[0]
    train, dropped = drop_too_long(encode_split(tokenizer, cfg.data, "train", cfg.format), max_positions)
    if dropped:
        note(d, f"skipping {dropped} training examples longer than the model's {max_positions} positions")
    if not len(train):
        raise LimeError(f"{cfg.data}: no training example fits the model's {max_positions} positions")
    source = FileSource(train, cfg.max_tokens, cfg.seed, d, cfg.grad_accum)
    note(d, f"{len(train):,} training examples, {source.plan.steps:,} steps per epoch")
    if "valid" not in present_splits(cfg.data, ("valid",)):
        note(d, f"{cfg.data} has no valid split: no validation; the last checkpoint is the published model")
        return source, None
    valid = drop_too_long(encode_split(tokenizer, cfg.data, "valid", cfg.format, limit=cfg.valid_size),
                          max_positions)[0]
    return source, valid if len(valid) else None


def _write_new_run(run: Path, cfg: TrainConfig, tokenizer: Tokenizer, model: BartForConditionalGeneration,
                   d: Dist) -> None:
    barrier(d)  # every rank has checked the output directory before rank 0 creates it
    if d.is_main:
        advice = "nothing was written; free some space (or fix the cause) and run the command again"
        with explain_write_failures(run, lambda: advice), assembled_directory(run, "new") as staging:
            save_tokenizer(tokenizer, staging)
            model.save_pretrained(str(staging))
            write_json_atomic(staging / ARGS_FILE, cfg.identity())
    barrier(d)


def _settings(cfg: TrainConfig) -> Settings:
    return Settings(
        lr=cfg.lr, warmup=cfg.warmup, weight_decay=cfg.weight_decay, adam_betas=tuple(cfg.adam_betas),
        clip_norm=cfg.clip_norm, label_smoothing=cfg.label_smoothing, precision=cfg.precision, seed=cfg.seed,
        select=cfg.select,
        max_tokens=cfg.max_tokens, budget=Budget(cfg.max_steps, cfg.max_tokens_seen, cfg.max_time),
        valid_every=cfg.valid_every, save_every=cfg.save_every, log_every=cfg.log_every,
    )


def prepare(cfg: TrainConfig, d: Dist) -> Trainer:
    """A trainer for a new run, or for ``--resume`` of an existing one."""
    cfg.check()
    Budget(cfg.max_steps, cfg.max_tokens_seen, cfg.max_time).check()
    quiet_transformers()
    run = Path(cfg.out)
    state: dict[str, Any] | None = None
    if cfg.resume:
        checkpoint = find_checkpoint(run, "last")
        if checkpoint is None:
            raise LimeError(f"{run}: no checkpoint to resume from (checkpoints/last is missing)")
        tokenizer = load_tokenizer(run)
        model, state = load_checkpoint(checkpoint)
        if state["world"] != d.world:
            raise LimeError(f"{checkpoint}: saved by {state['world']} processes; resume it with as many, not {d.world}")
        if model.config.vocab_size != tokenizer.get_vocab_size():
            raise LimeError(f"{run}: the checkpoint's model does not match the run's tokenizer")
    else:
        _check_out(run, cfg.overwrite)
        tokenizer = _vocabulary(cfg)
        model, lr, warmup = _new_model(cfg, tokenizer, d)
        cfg = dataclasses.replace(cfg, lr=cfg.lr or lr, warmup=cfg.warmup if cfg.warmup is not None else warmup)
    source, valid = _data(cfg, tokenizer, model.config.max_position_embeddings, d)
    if state is None:
        _write_new_run(run, cfg, tokenizer, model, d)
        note(d, f"new run {run}: {sum(p.numel() for p in model.parameters()):,} parameters, "
                f"vocabulary {tokenizer.get_vocab_size():,}, peak lr {cfg.lr:g}, warm-up {cfg.warmup}")
    else:
        note(d, f"resuming {run} from step {state['step']}")
    return Trainer(run, d, model, source, valid, _settings(cfg), state)

