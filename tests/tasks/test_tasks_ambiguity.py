"""The solution counters of perf/measure_ambiguity.py on hand-made examples whose counts are derived by
hand, so the counter is checked independently of the generator that it measures."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pytest

SCRIPT = Path(__file__).resolve().parents[2] / "perf" / "measure_ambiguity.py"
_spec = importlib.util.spec_from_file_location("measure_ambiguity", SCRIPT)
M = importlib.util.module_from_spec(_spec)
sys.modules[_spec.name] = M  # dataclasses look their module up by name
_spec.loader.exec_module(M)

DEFINITION = M.Bounds()


def test_induct_case_string_equal_to_a_math_symbol() -> None:
    """Case a -> [x], Result ``x x``, x a math symbol. Each position is ``a`` or the literal ``x``:
    ``a a``, ``a x``, ``x a``, ``x x``; ``x x`` does not use a, which the Case names, so 3 Rules.
    Under 2k occurrences (k = 1) and at most 5 literals only ``a a`` is left; with x a case symbol
    (never a literal) only ``a a`` fits even by the definition."""
    case, result = {"a": ("x",)}, ("x", "x")
    assert M.count_rules(result, case, frozenset({"x"}), DEFINITION) == 3
    assert M.count_rules(result, case, frozenset({"x"}), M.Bounds((1, 2), (0, 5))) == 1
    assert M.count_rules(result, case, frozenset({"x"}), M.Bounds((1, 2), (2, 5))) == 0
    assert M.count_rules(result, case, frozenset(), DEFINITION) == 1
    assert M.rule_fits(("x", "a"), case, result, frozenset({"x"}), DEFINITION)
    assert not M.rule_fits(("x", "x"), case, result, frozenset({"x"}), DEFINITION)


def test_induct_case_string_that_concatenates_two_others() -> None:
    """a -> [x], b -> [y], c -> [x y], Result ``x y x y x y`` (x, y case symbols): each of the three
    ``x y`` blocks is ``c`` or ``a b``, 2**3 = 8 Rules, less the 2 that miss c or miss a and b: 6."""
    case = {"a": ("x",), "b": ("y",), "c": ("x", "y")}
    assert M.count_rules(("x", "y") * 3, case, frozenset({"m"}), DEFINITION) == 6


@pytest.mark.parametrize(("rule", "result", "bounds", "count"), [
    # a | b splits x y z as x | y z or x y | z.
    (("a", "b"), ("x", "y", "z"), DEFINITION, 2),
    (("a", "b"), ("x", "y", "z"), M.Bounds(case_length=(2, 8)), 0),
    # The literal m is either the Result's first m (b = m y) or its second (a = x m).
    (("a", "m", "b"), ("x", "m", "m", "y"), M.Bounds(case_length=(1, 2)), 2),
    # a is both a prefix and a suffix of x y z x: only a = x, b = y z.
    (("a", "b", "a"), ("x", "y", "z", "x"), DEFINITION, 1),
])
def test_abduct_counts(rule: tuple[str, ...], result: tuple[str, ...], bounds: object, count: int) -> None:
    assert M.count_cases(rule, result, ("a", "b"), bounds) == count


def test_serialised_example_and_gold_check() -> None:
    """The parser reads the generator's line format, and a gold target that does not fit fails loudly."""
    src = "<UPPER> 5 <LOWER> 7 <MATH> 9 <space> 9 9 <space> 5 : [ 9 ]"
    assert M.count_example("induct", src, "5 9", DEFINITION, None) == 3
    with pytest.raises(AssertionError):
        M.count_example("induct", src, "9 9", DEFINITION, None)
    src = "<UPPER> 5 6 <LOWER> 7 8 <MATH> 9 <space> 5 6 <space> 7 8 9"
    assert M.count_example("abduct", src, "5 : [ 7 ] , 6 : [ 8 9 ]", DEFINITION, None) == 2
