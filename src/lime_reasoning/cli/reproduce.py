"""``lime reproduce``: the LIME experiment matrix (pretraining arms x seeds, fine-tuning, evaluation, report)."""

from __future__ import annotations

import argparse
import multiprocessing
import shlex
import signal
import sys
import time
from pathlib import Path

from lime_reasoning.errors import LimeError
from lime_reasoning.wording import counted


def register(subparsers: argparse._SubParsersAction) -> None:
    from lime_reasoning.experiments.arms import ARMS

    parser = subparsers.add_parser(
        "reproduce", help="run the LIME experiment: every arm pretrained, fine-tuned, evaluated; a report",
        description="For each seed and arm: pretrain (scratch: none; param_stats: moments of the mixed "
                    "model), fine-tune on the downstream benchmark with an identical budget, evaluate on its "
                    "test split; then write DIR/report.md, DIR/results.json and DIR/curves.png. Every stage "
                    "is cached under DIR by its configuration: re-running skips finished work, an "
                    "interrupted run continues, and more --arms or --seeds add only the new cells.",
    )
    parser.add_argument("--preset", default="demo", choices=("demo", "tiny", "paper"),
                        help="demo: toy size, minutes; tiny: the real matrix on a CPU (about 2 h on 2 cores with --jobs 2); "
                             "paper: the paper's setting, for GPUs (default: demo)")
    parser.add_argument("--downstream", default="metamathstep", choices=("metamathstep",),
                        help="the benchmark to fine-tune on (default: metamathstep)")
    parser.add_argument("--out", type=Path, required=True, metavar="DIR", help="experiment directory (stages, report)")
    parser.add_argument("--arms", metavar="ARM,...", help=f"a subset of {','.join(ARMS)} (default: the preset's)")
    parser.add_argument("--seeds", type=int, metavar="K",
                        help="seeds 0..K-1 for every arm (default: the preset's, more for its primary contrast)")
    parser.add_argument("--mm", metavar="PATH", help="the .mm database (default: $LIME_SETMM, then Debian's set.mm, then the download)")
    parser.add_argument("--jobs", type=int, default=1, metavar="N",
                        help="cells run in N processes at once, sharing the CPU cores (default 1)")
    parser.add_argument("--quiet", action="store_true", help="no progress messages")
    parser.add_argument("--report-only", action="store_true",
                        help="run no cell: rewrite the report from the cells finished so far (an experiment "
                             "still running elsewhere included)")
    parser.set_defaults(run=run, on_interrupt="; run the same command again to continue")


def check_experiment_directory(out: Path) -> bool:
    """Refuse an ``out`` that holds anything but an experiment of this tool; True when it needs its marker.

    The stages are written into ``out`` itself, among whatever is there, so a user's own non-empty
    directory is refused. An empty one becomes an experiment directory; one made before the ``meta.json``
    marker existed is recognised by its ``invocations.jsonl`` and gets the marker now.
    """
    from lime_reasoning.datasets.staging import EXPERIMENT, check_output_path, written_by_lime
    from lime_reasoning.experiments.report import INVOCATIONS

    check_output_path(out)
    if not out.is_dir() or not any(out.iterdir()):
        return True
    if written_by_lime(out, EXPERIMENT):
        return False
    if (out / INVOCATIONS).is_file():
        return True
    raise LimeError(f"{out}: not empty and not an experiment directory of lime (no meta.json of kind "
                    f"{EXPERIMENT!r}); choose another --out")


def _terminate_as_interrupt(signum: int, frame: object) -> None:
    """SIGTERM (``kill``, a scheduler's stop) ends the invocation as Ctrl-C does: the ``--jobs`` workers are
    signalled too, so that their stages save and stop, and the invocation's time is logged."""
    for worker in multiprocessing.active_children():
        worker.terminate()
    raise KeyboardInterrupt


def run(args: argparse.Namespace) -> int:
    from lime_reasoning.datasets.output import write_meta
    from lime_reasoning.datasets.staging import EXPERIMENT, lime_meta
    from lime_reasoning.experiments.arms import parse_arms
    from lime_reasoning.experiments.matrix import Matrix
    from lime_reasoning.experiments.experiment_presets import get_experiment_preset
    from lime_reasoning.experiments.report import log_invocation
    from lime_reasoning.metamath.source import file_sha256, resolve_database
    from lime_reasoning.modeling.model import quiet_transformers

    preset = get_experiment_preset(args.preset)
    arms = parse_arms(args.arms) if args.arms is not None else preset.arms
    if args.seeds is not None and args.seeds < 1:
        raise LimeError(f"--seeds must be at least 1, got {args.seeds}")
    if args.jobs < 1:
        raise LimeError(f"--jobs must be at least 1, got {args.jobs}")
    fresh = check_experiment_directory(args.out)
    if args.report_only and fresh:
        raise LimeError(f"{args.out}: no experiment to report on (--report-only runs no cell)")
    database = resolve_database(args.mm)
    try:
        args.out.mkdir(parents=True, exist_ok=True)
        if fresh:
            write_meta(args.out, lime_meta(EXPERIMENT))
    except OSError as error:
        raise LimeError(f"{args.out}: cannot write there ({error.strerror or error})") from None
    quiet_transformers()
    matrix = Matrix(preset, args.out, arms, database, file_sha256(database), args.quiet, args.seeds)
    started, clock = time.strftime("%Y-%m-%dT%H:%M:%S"), time.monotonic()
    ran, completed = 0, False
    previous = signal.signal(signal.SIGTERM, _terminate_as_interrupt)
    try:
        ran = 0 if args.report_only else matrix.run(args.jobs)
        completed = True
    finally:  # an invocation that stopped early did work too: its time counts
        signal.signal(signal.SIGTERM, previous)
        if ran or not completed:
            log_invocation(args.out, {"started": started, "seconds": round(time.monotonic() - clock, 1),
                                      "jobs": args.jobs, "cells": ran, "completed": completed})
    words = ["lime", "reproduce", "--preset", args.preset, "--downstream", args.downstream, "--out", str(args.out)]
    words += ["--arms", args.arms] if args.arms else []
    words += ["--seeds", str(args.seeds)] if args.seeds is not None else []
    words += ["--jobs", str(args.jobs)] if args.jobs != 1 else []
    command = shlex.join(words)
    results = matrix.report(command, time.strftime("%Y-%m-%d"))
    if not args.quiet:
        print(f"lime reproduce: {counted(len(results['runs']), 'cell')}; report in {args.out / 'report.md'}",
              file=sys.stderr)
    return 0
