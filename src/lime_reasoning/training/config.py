"""Every option of a training run, and which of them a resumed run may change.

Options fall in two groups: those that define the run (data, model, optimisation, seed) and those that
only say how long and how often (budgets, validation / checkpoint / log intervals). ``--resume``
takes the defining options from the run itself; repeating one with a different value is an error,
while budgets and intervals can be changed, which is how a finished run is extended.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import math
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from lime_reasoning.errors import LimeError

ARGS_FILE = "train_args.json"
# Options naming a directory; stored with these suffixes beside them (see TrainConfig.identity).
PATH_OPTIONS: tuple[str, ...] = ("data", "init")
FROM_RUN, FINGERPRINT = "from_run", "fingerprint"
# How a pretrained model is carried over to a new vocabulary (lime_reasoning.modeling.transfer).
TRANSFERS: tuple[str, ...] = ("map", "reinit", "none")
# Which checkpoint becomes the run's model (lime_reasoning.training.trainer.SELECTIONS).
SELECTIONS: tuple[str, ...] = ("loss", "exact_match", "last")


@dataclass(frozen=True)
class TrainConfig:
    out: str
    data: str | None = None
    format: str | None = None
    stream: str | None = None
    preset: str = "base"
    set: tuple[str, ...] = ()
    init: str | None = None
    transfer: str = "map"
    vocab_min_count: int = 1
    vocab_max_size: int | None = None
    max_tokens: int = 4096
    grad_accum: int = 1
    lr: float | None = None
    warmup: int | None = None
    weight_decay: float = 0.0001
    adam_betas: tuple[float, float] = (0.9, 0.98)
    clip_norm: float = 1.0
    label_smoothing: float = 0.1
    precision: str = "auto"
    seed: int = 1
    valid_size: int = 2000
    select: str = "loss"
    # How long and how often: free to change on --resume.
    max_steps: int | None = None
    max_tokens_seen: int | None = None
    max_time: float | None = None
    valid_every: int = 1000
    save_every: int = 1000
    log_every: int = 100
    resume: bool = False
    overwrite: bool = False

    RUNTIME = ("max_steps", "max_tokens_seen", "max_time", "valid_every", "save_every", "log_every", "resume",
               "overwrite")

    def identity(self) -> dict[str, Any]:
        """The options that define the run (JSON-ready), with what finds its data again after a move.

        Path options are stored absolute, relative to the run directory, and with the fingerprint of
        the directory they name (see :func:`from_options`).
        """
        values = dataclasses.asdict(self)
        values = {k: list(v) if isinstance(v, tuple) else v for k, v in values.items() if k not in self.RUNTIME}
        run = _place(self.out)
        for name in PATH_OPTIONS:
            if values[name] is not None:
                place = _place(values[name])
                values[name] = str(place)
                values[f"{name}_{FROM_RUN}"] = os.path.relpath(place, run)
                if place.is_dir():
                    values[f"{name}_{FINGERPRINT}"] = directory_fingerprint(place)
        return values

    def check(self) -> None:
        positive = {"max_tokens": self.max_tokens, "grad_accum": self.grad_accum, "valid_size": self.valid_size,
                    "valid_every": self.valid_every, "save_every": self.save_every, "log_every": self.log_every}
        for name, value in positive.items():
            if value < 1:
                raise LimeError(f"--{name.replace('_', '-')} must be at least 1, got {value}")
        floats = {"lr": self.lr, "weight_decay": self.weight_decay, "clip_norm": self.clip_norm,
                  "label_smoothing": self.label_smoothing}
        for name, value in [*floats.items(), *(("adam_betas", beta) for beta in self.adam_betas)]:
            if value is not None and not math.isfinite(value):
                raise LimeError(f"--{name.replace('_', '-')} must be a finite number, got {value}")
        if self.weight_decay < 0:
            raise LimeError(f"--weight-decay must be at least 0, got {self.weight_decay}")
        if not all(0.0 <= beta < 1.0 for beta in self.adam_betas):
            raise LimeError(f"--adam-betas must be in [0, 1), got {','.join(map(str, self.adam_betas))}")
        if not 0.0 <= self.label_smoothing < 1.0:
            raise LimeError(f"--label-smoothing must be in [0, 1), got {self.label_smoothing}")
        if self.lr is not None and self.lr <= 0:
            raise LimeError(f"--lr must be positive, got {self.lr}")
        if self.warmup is not None and self.warmup < 0:
            raise LimeError(f"--warmup must be at least 0, got {self.warmup}")
        if self.clip_norm < 0:
            raise LimeError(f"--clip-norm must be at least 0 (0 turns clipping off), got {self.clip_norm}")
        if self.transfer not in TRANSFERS:
            raise LimeError(f"--transfer {self.transfer}: choose from {', '.join(TRANSFERS)}")
        if self.select not in SELECTIONS:
            raise LimeError(f"--select {self.select}: choose from {', '.join(SELECTIONS)}")
        if (self.data is None) == (self.stream is None):
            raise LimeError("give the training data: --data DIR or --stream TASK (one of them)")


def from_options(options: dict[str, Any], run: Path) -> TrainConfig:
    """The configuration from command-line options; with ``resume``, the run's own options fill the rest.

    A run is wherever ``run`` is now (``--out`` is never compared). Its data and initial model are
    compared as places, not strings: ``runs/x/``, ``./runs/x`` and the absolute path are one directory,
    and a directory with the same files as the run's (names and sizes) is the same data moved.
    """
    if not options.get("resume"):
        return TrainConfig(**options)
    saved = read_saved(run)
    located = {name: _locate(saved, name, run) for name in PATH_OPTIONS if saved.get(name) is not None}
    for name, value in options.items():
        if name not in saved or name in TrainConfig.RUNTIME or name == "out":
            continue
        same = (_same_place(value, located.get(name), saved.get(f"{name}_{FINGERPRINT}")) if name in PATH_OPTIONS
                else _normal(saved[name]) == _normal(value))
        if not same:
            raise LimeError(
                f"--resume: --{name.replace('_', '-')} {value} differs from the run's {saved[name]} "
                "(only budgets and intervals may change)"
            )
    merged = {**{k: v for k, v in saved.items() if k in TrainConfig.__dataclass_fields__}, **located, **options}
    merged = {k: tuple(v) if isinstance(v, list) else v for k, v in merged.items()}
    return TrainConfig(**merged)


def directory_fingerprint(directory: Path) -> str:
    """The names and sizes of a directory's files: what tells the same dataset (or run) after a move."""
    entries = sorted((p.name, p.stat().st_size) for p in Path(directory).iterdir() if p.is_file())
    return hashlib.sha256(json.dumps(entries).encode("utf-8")).hexdigest()


def _place(path: str | Path, base: Path | None = None) -> Path:
    """Where ``path`` points: absolute, symbolic links resolved (relative to ``base`` if given)."""
    return ((base / path) if base is not None else Path(path)).resolve()


def _locate(saved: dict[str, Any], name: str, run: Path) -> str:
    """The saved path option ``name`` as it stands now: where it was, else where it is beside the moved run."""
    recorded = _place(saved[name])  # absolute since this version; older runs stored what the user typed
    beside = saved.get(f"{name}_{FROM_RUN}")
    if not recorded.exists() and beside is not None and _place(beside, _place(run)).exists():
        return str(_place(beside, _place(run)))
    return str(recorded)


def _same_place(given: str | None, located: str | None, fingerprint: str | None) -> bool:
    if given is None or located is None:
        return given == located
    here = _place(given)
    if here == Path(located):
        return True
    return fingerprint is not None and here.is_dir() and directory_fingerprint(here) == fingerprint


def _normal(value: Any) -> Any:
    return list(value) if isinstance(value, tuple | list) else value


def read_saved(run: Path) -> dict[str, Any]:
    path = run / ARGS_FILE
    if not path.is_file():
        raise LimeError(f"{run}: no run to resume here (no {ARGS_FILE})")
    try:
        saved = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as error:
        raise LimeError(f"{path}: not readable JSON ({error})") from None
    if not isinstance(saved, dict):
        raise LimeError(f"{path}: expected a JSON object")
    return saved
