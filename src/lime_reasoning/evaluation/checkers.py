"""Semantic checkers: a second opinion on a prediction, beyond string equality with the target.

A checker is a callable ``(src, prediction) -> bool``. It is built by a *factory*
``make(data_dir: Path, split: str) -> Callable[[str, str], bool]``, which may read the dataset (its
``meta.json``, extra columns such as a Metamath theorem label) to set itself up. ``--checker NAME``
resolves, lazily and in this order:

1. a name in :data:`CHECKERS` (``metamath``: the Metamath step checker);
2. a name registered by an installed package under the entry-point group ``lime_reasoning.checkers``;
3. ``package.module:factory`` written out.

Nothing is imported until a checker is asked for, so ``lime evaluate`` without one never loads them.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from importlib.metadata import entry_points
from pathlib import Path

from lime_reasoning.errors import LimeError

Checker = Callable[[str, str], bool]
CheckerFactory = Callable[[Path, str], Checker]

ENTRY_POINT_GROUP = "lime_reasoning.checkers"
CHECKERS: dict[str, str] = {
    "metamath": "lime_reasoning.evaluation.metamath_checker:make_checker",
}


def _target(name: str) -> str:
    if name in CHECKERS:
        return CHECKERS[name]
    for entry in entry_points(group=ENTRY_POINT_GROUP):
        if entry.name == name:
            return entry.value
    if ":" in name:
        return name
    known = sorted({*CHECKERS, *(e.name for e in entry_points(group=ENTRY_POINT_GROUP))})
    raise LimeError(f"--checker {name}: unknown checker; choose from {', '.join(known)} or give module:factory")


def resolve_checker(name: str, data_dir: Path, split: str) -> Checker:
    """Build the checker ``name`` for ``split`` of ``data_dir``."""
    target = _target(name)
    module_name, _, attribute = target.partition(":")
    try:
        factory = getattr(importlib.import_module(module_name), attribute)
    except (ImportError, AttributeError) as error:
        raise LimeError(f"--checker {name}: cannot load {target} ({error})") from None
    checker = factory(Path(data_dir), split)
    if not callable(checker):
        raise LimeError(f"--checker {name}: {target} did not return a callable (src, prediction) -> bool")
    return checker
