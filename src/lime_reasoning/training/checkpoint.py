"""Checkpoints that a resumed run continues from exactly, written so a crash never leaves half of one.

``RUN/checkpoints/last`` and ``RUN/checkpoints/best`` each hold the model (``save_pretrained``) and
``trainer_state.pt``: step, tokens seen, time spent, optimizer, scheduler, gradient scaler, and every
rank's data position and random-number state. A checkpoint is written into a temporary directory and
renamed into place; the top-level model files of ``RUN`` are replaced one by one through renames.
"""

from __future__ import annotations

import contextlib
import re
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import torch
from safetensors import SafetensorError
from transformers import BartForConditionalGeneration

from lime_reasoning.atomic import assembled_directory, copy_file_atomic, old_sibling
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
    with assembled_directory(target, "tmp") as staging:
        model.save_pretrained(str(staging))
        with open(staging / STATE_FILE, "wb") as handle:  # a Python file keeps the OSError of a failed write
            torch.save(state, handle)
    return target


def write_failure(error: BaseException) -> tuple[str, str | None] | None:
    """The reason and (when known) the file, if ``error`` is a failed write such as a full disk.

    torch.save reports one as a RuntimeError raised while handling the file's OSError; safetensors as a
    SafetensorError that keeps only the OS's message.
    """
    cause = error.__context__ if isinstance(error, RuntimeError) else error
    if isinstance(cause, OSError):
        return cause.strerror or str(cause), cause.filename
    if isinstance(error, SafetensorError) and (found := re.search(r"I/O error: (.+?)(?: \(os error \d+\))?$",
                                                                 str(error))):
        return found[1], None
    return None


@contextlib.contextmanager
def explain_write_failures(where: Path, advice: Callable[[], str]) -> Iterator[None]:
    """Turn a failed write inside the block into one :class:`LimeError` line: the file, why, and ``advice()``."""
    try:
        yield
    except Exception as error:
        failure = write_failure(error)
        if failure is None:
            raise
        reason, filename = failure
        raise LimeError(f"{filename or where}: cannot write ({reason}); {advice()}") from None


def resume_advice(run: Path) -> str:
    """What a run whose checkpoint could not be written can still do (checkpoints/last is never half-written)."""
    last = find_checkpoint(run, "last")
    if last is None:
        return "no checkpoint was saved yet: free some space (or fix the cause) and start again with --overwrite"
    step = torch.load(last / STATE_FILE, map_location="cpu", weights_only=True, mmap=True)["step"]
    return (f"{last} still holds step {step}: free some space (or fix the cause) and continue from there with "
            "the same command plus --resume")


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
