"""Checkpoints that a resumed run continues from exactly, written so a crash never leaves half of one.

``RUN/checkpoints/last`` and ``RUN/checkpoints/best`` each hold the model (``save_pretrained``) and
``trainer_state.pt``: step, tokens seen, time spent, optimizer, scheduler, gradient scaler, and every
rank's data position and random-number state. A checkpoint is written into a temporary directory and
renamed into place; the top-level model files of ``RUN`` are replaced one by one through renames.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import torch
from transformers import BartForConditionalGeneration

from lime_reasoning.atomic import copy_file_atomic, fresh_sibling, old_sibling, swap_directory
from lime_reasoning.errors import LimeError
from lime_reasoning.modeling.model import load_model

STATE_FILE = "trainer_state.pt"
PUBLISHED = ("model.safetensors", "config.json", "generation_config.json")


def checkpoint_dir(run: Path, name: str) -> Path:
    return run / "checkpoints" / name


def rng_state(device: torch.device) -> dict[str, torch.Tensor]:
    state = {"cpu": torch.get_rng_state()}
    if device.type == "cuda":
        state["cuda"] = torch.cuda.get_rng_state(device)
    return state


def set_rng_state(state: dict[str, torch.Tensor], device: torch.device) -> None:
    torch.set_rng_state(state["cpu"])
    if device.type == "cuda" and "cuda" in state:
        torch.cuda.set_rng_state(state["cuda"], device)


def save_checkpoint(run: Path, name: str, model: BartForConditionalGeneration, state: dict[str, Any]) -> Path:
    """Write checkpoint ``name`` atomically (temporary directory, then rename over the old one)."""
    target = checkpoint_dir(run, name)
    staging = fresh_sibling(target, "tmp")
    model.save_pretrained(str(staging))
    torch.save(state, staging / STATE_FILE)
    return swap_directory(staging, target)


def publish(run: Path, checkpoint: Path) -> None:
    """Make ``checkpoint``'s model the one ``from_pretrained(RUN)`` loads, file by file through renames."""
    for name in PUBLISHED:
        source = checkpoint / name
        if source.exists():
            copy_file_atomic(source, run / name)


def find_checkpoint(run: Path, name: str) -> Path | None:
    """The checkpoint directory, or the previous one if a crash hit between the two renames."""
    for candidate in (checkpoint_dir(run, name), old_sibling(checkpoint_dir(run, name))):
        if (candidate / STATE_FILE).is_file():
            return candidate
    return None


def load_checkpoint(directory: Path) -> tuple[BartForConditionalGeneration, dict[str, Any]]:
    """The model and trainer state of a checkpoint; a damaged one is a :class:`LimeError`."""
    path = directory / STATE_FILE
    try:
        state = torch.load(path, map_location="cpu", weights_only=True)
    except Exception as error:  # torch raises many types for a truncated or foreign file
        raise LimeError(f"{path}: not a readable training state ({type(error).__name__})") from None
    needed = {"step", "tokens_seen", "elapsed", "optimizer", "scheduler", "ranks", "world"}
    if not isinstance(state, dict) or not needed <= set(state):
        raise LimeError(f"{path}: not a training state of this package")
    return load_model(directory, with_tokenizer=False), state
