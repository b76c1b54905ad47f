"""Semantic checkers: a second opinion on a prediction, beyond string equality with the target.

A checker is a callable ``(src, prediction) -> bool``. It is built by a *factory*
``make(data_dir: Path, split: str) -> Callable[[str, str], bool]``, which may read the dataset (its
``meta.json``, extra columns such as a Metamath theorem label) to set itself up. ``--checker NAME``
resolves, lazily and in this order:

1. a name in :data:`CHECKERS` (``metamath``: the Metamath step checker);
2. a name registered by an installed package under the entry-point group ``lime_reasoning.checkers``;
3. ``package.module:factory`` written out.

Options of ``lime evaluate`` meant for a checker (``--mm PATH`` → ``mm``) reach the factory as keyword
arguments, and only when given: ``make(data_dir, split, *, mm=None)`` takes one, a plain
``make(data_dir, split)`` never sees it (an option it does not take is an error, not silently dropped).

Nothing is imported until a checker is asked for, so ``lime evaluate`` without one never loads them.
Anything going wrong while a factory is loaded or run is one error line naming the checker.
"""

from __future__ import annotations

import importlib
import inspect
from collections.abc import Callable
from importlib.metadata import entry_points
from pathlib import Path
from typing import Any

from lime_reasoning.errors import LimeError

Checker = Callable[[str, str], bool]
CheckerFactory = Callable[..., Checker]  # (data_dir: Path, split: str, **options) -> Checker

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


def _keywords(name: str, target: str, signature: inspect.Signature | None, options: dict[str, Any]) -> dict[str, Any]:
    """The options given (not None) that the factory takes; one it does not take is the user's mistake."""
    given = {key: value for key, value in options.items() if value is not None}
    if signature is None or any(p.kind is p.VAR_KEYWORD for p in signature.parameters.values()):
        return given
    accepted = {p.name for p in signature.parameters.values() if p.kind in (p.KEYWORD_ONLY, p.POSITIONAL_OR_KEYWORD)}
    for key in given:
        if key not in accepted:
            raise LimeError(f"--checker {name}: {target} takes no --{key.replace('_', '-')} option")
    return given


def resolve_checker(name: str, data_dir: Path, split: str, **options: Any) -> Checker:
    """Build the checker ``name`` for ``split`` of ``data_dir``, passing it the ``options`` it takes."""
    target = _target(name)
    module_name, _, attribute = target.partition(":")
    try:
        factory = getattr(importlib.import_module(module_name), attribute)
    except Exception as error:  # a user's module may fail to import in any way
        raise LimeError(f"--checker {name}: cannot load {target} ({type(error).__name__}: {error})") from None
    not_a_factory = f"--checker {name}: {target} is not a factory make(data_dir, split) -> checker"
    if not callable(factory):
        raise LimeError(not_a_factory)
    try:
        signature: inspect.Signature | None = inspect.signature(factory)
    except (TypeError, ValueError):  # some builtins have none: the call itself tells
        signature = None
    keywords = _keywords(name, target, signature, options)
    arguments = (Path(data_dir), split)
    if signature is not None:
        try:
            signature.bind(*arguments, **keywords)
        except TypeError as error:
            raise LimeError(f"{not_a_factory} ({error})") from None
    try:
        checker = factory(*arguments, **keywords)
    except LimeError:
        raise
    except Exception as error:
        raise LimeError(f"--checker {name}: {target} failed to build a checker ({type(error).__name__}: {error})") from None
    if not callable(checker):
        raise LimeError(f"--checker {name}: {target} did not return a callable (src, prediction) -> bool")
    return checker
