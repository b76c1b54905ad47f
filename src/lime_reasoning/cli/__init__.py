"""The ``lime`` command: argument parsing and dispatch only.

Each command group lives in its own module with a ``register(subparsers)`` function that adds its
parser and sets ``run`` (a callable taking the parsed namespace and returning an exit status) and,
for a command that an interruption leaves resumable, ``on_interrupt`` (what to tell the user).
Modules import heavy libraries (torch, transformers) inside ``run`` so that data commands start fast.
"""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Sequence

from lime_reasoning import __version__
from lime_reasoning.errors import LimeError

COMMAND_MODULES: tuple[str, ...] = (
    "lime_reasoning.cli.generate",
    "lime_reasoning.cli.stats",
    "lime_reasoning.cli.train", "lime_reasoning.cli.evaluate",
    "lime_reasoning.cli.metamath", "lime_reasoning.cli.benchmark", "lime_reasoning.cli.data",
    "lime_reasoning.cli.reproduce",
    "lime_reasoning.cli.prove",
)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="lime",
        description="LIME: synthetic reasoning data, math benchmarks, training and evaluation.",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    for module_name in COMMAND_MODULES:
        importlib.import_module(module_name).register(subparsers)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return int(args.run(args) or 0)
    except LimeError as error:
        print(f"lime: error: {error}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print(f"lime: interrupted{getattr(args, 'on_interrupt', '')}", file=sys.stderr)
        return 130
