"""Semantic checkers: a second opinion on a prediction, beyond string equality with the target.

A checker is a callable ``(record, prediction) -> bool``: ``record`` is the example's row as
:func:`~lime_reasoning.datasets.read_records` gives it (``src``, ``tgt`` and every extra column, such
as a MetaMathStep example's ``theorem``), so the verdict can depend on everything the dataset knows
about the example, not only on its source text. It is built by a *factory*
``make(data_dir: Path, split: str) -> checker``, which may read the dataset (its ``meta.json``) to set
itself up.

A checker says what its ``True`` means in a string attribute ``guarantee`` (``check.guarantee = "the
step applies in its own theorem; ..."``); ``lime evaluate`` copies it into ``metrics.json`` as
``checker_guarantee`` (null when a checker declares none), so a "checked" rate is never read without
what it measures. ``--checker NAME`` resolves, lazily and in this order:

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
from collections.abc import Callable, Mapping
from importlib.metadata import entry_points
from pathlib import Path
from typing import Any

from lime_reasoning.errors import LimeError

Checker = Callable[[Mapping[str, Any], str], bool]  # (record, prediction) -> bool
CheckerFactory = Callable[..., Checker]  # (data_dir: Path, split: str, **options) -> Checker

ENTRY_POINT_GROUP = "lime_reasoning.checkers"
GUARANTEE = "guarantee"  # the attribute in which a checker declares what its verdict guarantees
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
        raise LimeError(f"--checker {name}: {target} did not return a callable (record, prediction) -> bool")
    guarantee = getattr(checker, GUARANTEE, None)
    if guarantee is not None and not isinstance(guarantee, str):
        raise LimeError(f"--checker {name}: {target} returned a checker whose {GUARANTEE} is not a string")
    return checker


def guarantee_of(checker: Checker) -> str | None:
    """What a checker's ``True`` means, as it declares it (see the module docstring); None when it does not."""
    return getattr(checker, GUARANTEE, None)
