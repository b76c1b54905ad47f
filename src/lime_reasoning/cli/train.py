"""``lime train`` (pretraining from a preset) and ``lime finetune`` (from a pretrained run).

Options left out keep their defaults on a new run and the run's own values on ``--resume``, which is
why every option here defaults to "not given" rather than to a value.
"""

from __future__ import annotations

import argparse
from typing import Any

from lime_reasoning.errors import LimeError
from lime_reasoning.training.config import SELECTIONS, TRANSFERS

SUPPRESS = argparse.SUPPRESS


def _betas(text: str) -> tuple[float, float]:
    try:
        first, second = (float(part) for part in text.split(","))
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected two numbers such as 0.9,0.98, got {text!r}") from None
    return first, second


def _duration(text: str) -> float:
    from lime_reasoning.training.budget import parse_duration

    try:
        return parse_duration(text)
    except LimeError as error:
        raise argparse.ArgumentTypeError(str(error).partition(": ")[2]) from None


def _add_common(parser: argparse.ArgumentParser) -> None:
    data = parser.add_argument_group("data")
    source = data.add_mutually_exclusive_group()
    source.add_argument("--data", metavar="DIR", default=SUPPRESS,
                        help="dataset directory with a train split (and a valid split for validation)")
    source.add_argument("--stream", metavar="TASK", default=SUPPRESS,
                        help="train on an endless seeded LIME stream of TASK (deduct, mixed, …) instead of files")
    data.add_argument("--format", choices=("text", "jsonl", "parquet"), default=SUPPRESS,
                      help="which format to read when the directory holds several (default: text, jsonl, parquet)")
    data.add_argument("--vocab-min-count", type=int, metavar="N", default=SUPPRESS,
                      help="keep tokens seen at least N times in train (default 1: keep all)")
    data.add_argument("--vocab-max-size", type=int, metavar="N", default=SUPPRESS,
                      help="keep at most the N most frequent tokens, special tokens included (default: no limit)")
    data.add_argument("--valid-size", type=int, metavar="N", default=SUPPRESS,
                      help="validate on the first N valid examples (default 2000)")
    data.add_argument("--select", choices=SELECTIONS, default=SUPPRESS,
                      help="the checkpoint that becomes the run's model: the best validation loss (default), the "
                           "best greedy validation exact match (ties keep the earlier), or the last")

    optim = parser.add_argument_group("optimisation")
    optim.add_argument("--max-tokens", type=int, metavar="N", default=SUPPRESS,
                       help="token budget of one batch per side, padding included (default 4096)")
    optim.add_argument("--grad-accum", type=int, metavar="N", default=SUPPRESS,
                       help="batches accumulated per update on each process (default 1)")
    optim.add_argument("--lr", type=float, default=SUPPRESS, help="peak learning rate (default: the preset's)")
    optim.add_argument("--warmup", type=int, metavar="STEPS", default=SUPPRESS,
                       help="linear warm-up steps before the 1/sqrt(step) decay (default: the preset's)")
    optim.add_argument("--weight-decay", type=float, default=SUPPRESS, help="AdamW weight decay (default 0.0001)")
    optim.add_argument("--adam-betas", type=_betas, metavar="B1,B2", default=SUPPRESS, help="default 0.9,0.98")
    optim.add_argument("--clip-norm", type=float, default=SUPPRESS,
                       help="clip the gradient norm to this (default 1.0; 0 turns clipping off)")
    optim.add_argument("--label-smoothing", type=float, default=SUPPRESS, help="default 0.1")
    optim.add_argument("--precision", choices=("auto", "fp32", "bf16", "fp16", "fp64"), default=SUPPRESS,
                       help="autocast on GPU (auto: bf16 where supported, else fp16; CPU trains in fp32); "
                            "fp64: weights and arithmetic in float64 on any device, for numerical checks (slow)")
    optim.add_argument("--seed", type=int, default=SUPPRESS, help="default 1")

    run = parser.add_argument_group("run")
    run.add_argument("--out", metavar="RUN", required=True, help="run directory (model, checkpoints, metrics)")
    run.add_argument("--max-steps", type=int, metavar="N", default=SUPPRESS, help="stop after N updates")
    run.add_argument("--max-tokens-seen", type=int, metavar="N", default=SUPPRESS,
                     help="stop after N source+target tokens")
    run.add_argument("--max-time", type=_duration, metavar="DURATION", default=SUPPRESS,
                     help="stop after this much training time, e.g. 90s, 30m, 2h")
    run.add_argument("--valid-every", type=int, metavar="STEPS", default=SUPPRESS, help="default 1000")
    run.add_argument("--save-every", type=int, metavar="STEPS", default=SUPPRESS, help="default 1000")
    run.add_argument("--log-every", type=int, metavar="STEPS", default=SUPPRESS, help="default 100")
    mode = run.add_mutually_exclusive_group()
    mode.add_argument("--resume", action="store_true", default=SUPPRESS,
                      help="continue RUN from its last checkpoint (budgets and intervals may change)")
    mode.add_argument("--overwrite", action="store_true", default=SUPPRESS, help="replace the run in RUN")


def register(subparsers: argparse._SubParsersAction) -> None:
    train = subparsers.add_parser(
        "train", help="train a transformer from scratch (pretraining)",
        description="Train an encoder-decoder transformer on a dataset or a LIME stream. Under torchrun, "
                    "every process trains on its own share of each step's batches (DistributedDataParallel).",
    )
    _add_common(train)
    model = train.add_argument_group("model")
    model.add_argument("--preset", metavar="NAME", default=SUPPRESS,
                       help="tiny: 2-core CPU; small; base: the paper's 6+6 layers, d_model 512 (default)")
    model.add_argument("--set", action="append", metavar="FIELD=VALUE", default=SUPPRESS,
                       help="override a preset field, e.g. --set d_model=256 --set encoder_layers=3")
    train.set_defaults(run=run_train)

    finetune = subparsers.add_parser(
        "finetune", help="fine-tune a pretrained run on a downstream dataset with a new vocabulary",
        description="Start from a pretrained run and train on a downstream dataset whose vocabulary differs.",
    )
    finetune.add_argument("--init", metavar="RUN", default=SUPPRESS, help="the pretrained run (required)")
    finetune.add_argument("--transfer", choices=TRANSFERS, default=SUPPRESS,
                          help="map: reuse every weight, downstream tokens take pretrained symbol rows (default); "
                               "reinit: new token embeddings; none: train from scratch (the baseline)")
    _add_common(finetune)
    finetune.set_defaults(run=run_finetune)


def _options(args: argparse.Namespace) -> dict[str, Any]:
    options = {k: v for k, v in vars(args).items() if k not in ("command", "run")}
    if "set" in options:
        options["set"] = tuple(options["set"])
    return options


def _train(options: dict[str, Any]) -> int:
    from pathlib import Path

    from lime_reasoning.training.config import from_options
    from lime_reasoning.training.distributed import init_distributed, shutdown
    from lime_reasoning.training.setup import note, prepare

    d = init_distributed()
    try:
        cfg = from_options(options, Path(options["out"]))
        trainer = prepare(cfg, d)
        outcome = trainer.train()
    finally:
        shutdown(d)
    if outcome.interrupted:
        note(d, f"interrupted at step {outcome.step}; checkpoint saved. Continue with the same command plus --resume")
        return 130
    best = f"; best valid {outcome.selected[0]} {outcome.selected[1]:.4f}" if outcome.selected else ""
    note(d, f"stopped at step {outcome.step} ({outcome.reason}){best}; model in {cfg.out}")
    return 0


def run_train(args: argparse.Namespace) -> int:
    return _train(_options(args))


def run_finetune(args: argparse.Namespace) -> int:
    options = _options(args)
    if "init" not in options and not options.get("resume"):
        raise LimeError("lime finetune needs --init RUN (the pretrained run)")
    return _train(options)
