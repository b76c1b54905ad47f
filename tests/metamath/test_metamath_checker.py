"""The step checker on the hand-written fragment: each way a predicted step can be wrong, and right."""

from __future__ import annotations

import pytest

from lime_reasoning.errors import LimeError
from lime_reasoning.metamath import Grammar, StepChecker, Verifier, read_database, theorem_steps


@pytest.fixture(scope="module")
def checker(prop):
    return StepChecker(prop)


def test_every_extracted_step_is_correct(prop, checker):
    verifier = Verifier(prop)
    examples = [e for t in prop.theorems for e in theorem_steps(verifier, t) or []]
    assert len(examples) == 2 + 2 + 5 + 1 + 1 + 1 + 1  # a1i, a1ic, id, mpth, mpthi, ax5eq, idxy
    for example in examples:
        assert checker.check(example.theorem, example.source, example.target).ok, example


@pytest.mark.parametrize(
    ("theorem", "goal", "target"),
    [
        ("id", "|- ( ph -> ( ph -> ph ) )", "ax-1 $s ph ph $s ps ph"),
        # The hypothesis part of a source line is ignored: the theorem's own hypotheses are known.
        ("a1i", "|- ( ps -> ph ) $e |- ph", "ax-mp $s ph ph $s ps ( ps -> ph )"),
        # ax-mp's ph does not occur in its conclusion: any well-formed wff is a correct step.
        ("a1i", "|- ( ps -> ph )", "ax-mp $s ph ( ph -> ph ) $s ps ( ps -> ph )"),
        # Extra white space is not significant.
        ("id", "  |- ( ph ->   ph )", " ax-mp  $s ph ( ph -> ( ph -> ph ) ) $s ps ( ph -> ph ) "),
        ("ax5eq", "|- ( y = y -> A. x y = y )", "ax-5 $s ph y = y $s x x"),
        ("idxy", "|- ( x = y -> x = y )", "id $s ph x = y"),
    ],
)
def test_correct_steps(checker, theorem, goal, target):
    verdict = checker.check(theorem, goal, target)
    assert verdict.ok and verdict.reason == "" and bool(verdict)


@pytest.mark.parametrize(
    ("theorem", "goal", "target", "reason"),
    [
        ("id", "|- ( ph -> ph )", "", "malformed target: the target has no label"),
        ("id", "|- ( ph -> ph )", "ax-1 ph ph", "malformed target"),
        ("id", "|- ( ph -> ph )", "nosuch $s ph ph", "nosuch is not an assertion"),
        ("id", "|- ( ph -> ph )", "min", "min is not an assertion"),
        ("a1i", "|- ( ps -> ph )", "id $s ph ph", "id comes after a1i"),
        ("id", "|- ( ph -> ph )", "id $s ph ph", "id comes after id"),
        ("id", "|- ( ph -> ( ph -> ph ) )", "ax-1 $s ps ph $s ph ph", "ax-1 needs substitutions for ph ps, in that order"),
        ("id", "|- ( ph -> ( ph -> ph ) )", "ax-1 $s ph ph", "ax-1 needs substitutions for ph ps"),
        ("id", "|- ( ph -> ( th -> ph ) )", "ax-1 $s ph ph $s ps th", "th is not a symbol active in id"),
        # A. and x are declared only after id.
        ("id", "|- ( ph -> ( A. x ph -> ph ) )", "ax-1 $s ph ph $s ps A. x ph", "A. is not a symbol active in id"),
        ("id", "|- ( ph -> ( ( ph -> ) -> ph ) )", "ax-1 $s ph ph $s ps ( ph ->", "'( ph ->' is not a well-formed wff (for ps)"),
        ("id", "|- ( ph -> ( ph -> ph ) )", "ax-1 $s ph ph $s ps", "'' is not a well-formed wff"),
        ("ax5eq", "|- ( y = y -> A. x y = y )", "ax-5 $s ph y = y $s x y = y", "is not a well-formed setvar (for x)"),
        ("id", "|- ( ph -> ( ph -> ph ) )", "ax-1 $s ph ph $s ps ps", "does not yield the goal"),
        ("ax5eq", "|- ( x = y -> A. x x = y )", "ax-5 $s ph x = y $s x x", "ax-5 requires $d ph x, but both substitutions contain x"),
        ("idxy", "|- ( y = y -> A. x y = y )", "ax-5 $s ph y = y $s x x", "ax-5 requires $d ph x, but $d y x is not in scope"),
    ],
)
def test_wrong_steps_say_why(checker, theorem, goal, target, reason):
    verdict = checker.check(theorem, goal, target)
    assert not verdict
    assert reason in verdict.reason


def test_well_formedness_uses_only_earlier_syntax_axioms(prop):
    grammar = Grammar(prop)
    typing = {"ph": "wff", "ps": "wff", "x": "setvar"}
    implication = "( ph -> -. ps )".split()
    wi, wn = prop.statements["wi"].index, prop.statements["wn"].index
    assert wn < wi
    assert not grammar.derives("wff", implication, typing, before=wi)
    assert grammar.derives("wff", implication, typing, before=wi + 1)
    assert grammar.derives("wff", "A. x ( ph -> ps )".split(), typing, before=len(prop.statements))
    assert not grammar.derives("wff", "A. x ( ph -> )".split(), typing, before=len(prop.statements))
    assert not grammar.derives("setvar", ["ph"], typing, before=len(prop.statements))


POSTFIX = """
$c term ' + $.
$v a b $.
ta $f term a $.
tb $f term b $.
tn $a term a ' $.
tp $a term a + b $.
"""


@pytest.mark.parametrize(
    ("text", "derived"),
    [("a", True), ("a ' '", True), ("a ' + b", True), ("a + b ' + a '", True), ("a + + b", False), ("' a", False), ("a b", False)],
)
def test_left_recursive_and_ambiguous_syntax(tmp_path, text, derived):
    (tmp_path / "postfix.mm").write_text(POSTFIX)
    database = read_database(tmp_path / "postfix.mm")
    typing = {"a": "term", "b": "term"}
    assert Grammar(database).derives("term", text.split(), typing, before=len(database.statements)) is derived


def test_an_unknown_theorem_is_a_user_error(checker):
    with pytest.raises(LimeError, match="no theorem"):
        checker.check("nosuch", "|- ph", "ax-1 $s ph ph $s ps ph")
    with pytest.raises(LimeError, match="no theorem"):
        checker.check("ax-1", "|- ph", "ax-1 $s ph ph $s ps ph")
