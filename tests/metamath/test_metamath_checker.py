"""The step checker on the hand-written fragment: each way a predicted step can be wrong, and right."""

from __future__ import annotations

import pytest

from lime_reasoning.errors import LimeError
from lime_reasoning.metamath import Grammar, StepChecker, Verifier, read_database, theorem_steps


@pytest.fixture(scope="module")
def checker(prop):
    return StepChecker(prop)


@pytest.mark.parametrize("tautology", [False, True])
def test_every_extracted_step_is_correct(prop, checker, tautology):
    verifier = Verifier(prop)
    examples = [e for t in prop.theorems for e in theorem_steps(verifier, t) or []]
    assert len(examples) == 2 + 2 + 5 + 1 + 1 + 1 + 1  # a1i, a1ic, id, mpth, mpthi, ax5eq, idxy
    for example in examples:
        assert checker.check(example.theorem, example.source, example.target, tautology=tautology).ok, example


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


@pytest.mark.parametrize(
    ("theorem", "goal", "target", "subgoals"),
    [
        # a1i's own proof: ax-1 leaves nothing, ax-mp leaves its minor and major premises.
        ("a1i", "|- ( ph -> ( ps -> ph ) )", "ax-1 $s ph ph $s ps ps", ()),
        ("a1i", "|- ( ps -> ph )", "ax-mp $s ph ph $s ps ( ps -> ph )", ("|- ph", "|- ( ph -> ( ps -> ph ) )")),
        ("mpthi", "|- ch", "mpth $s ph ps $s th ch", ("|- ps", "|- ( ps -> ch )")),  # $e before $f in mpth
    ],
)
def test_a_correct_step_names_its_new_subgoals(checker, theorem, goal, target, subgoals):
    verdict = checker.check(theorem, goal, target, tautology=True)
    assert verdict.ok and verdict.subgoals == subgoals


@pytest.mark.parametrize(
    ("theorem", "goal", "target", "subgoals"),
    [
        # ax-mp with ph := the goal: the minor premise is the goal itself, whatever ps is.
        ("a1i", "|- ( ps -> ph )", "ax-mp $s ph ( ps -> ph ) $s ps ( ps -> ph )",
         ("|- ( ps -> ph )", "|- ( ( ps -> ph ) -> ( ps -> ph ) )")),
        ("id", "|- ( ph -> ph )", "ax-mp $s ph ( ph -> ph ) $s ps ( ph -> ph )",
         ("|- ( ph -> ph )", "|- ( ( ph -> ph ) -> ( ph -> ph ) )")),
        # mpth's hypothesis ( ph -> th ) with ph := ( ps -> ch ), th := ( ps -> ch ) is not the goal, its
        # other one ph is.
        ("mpthi", "|- ( ps -> ch )", "mpth $s ph ( ps -> ch ) $s th ( ps -> ch )",
         ("|- ( ps -> ch )", "|- ( ( ps -> ch ) -> ( ps -> ch ) )")),
    ],
)
def test_a_step_that_leaves_its_goal_open_is_wrong(checker, theorem, goal, target, subgoals):
    for tautology in (False, True):
        verdict = checker.check(theorem, goal, target, tautology=tautology)
        assert not verdict and "leaves the goal itself as a subgoal" in verdict.reason
        assert verdict.subgoals == subgoals


def test_subgoals_must_be_tautology_consequences_of_the_hypotheses(checker):
    """a1i has the one hypothesis |- ph. ax-mp with ph := ch leaves |- ch: false where ch is false."""
    goal, target = "|- ( ps -> ph )", "ax-mp $s ph ch $s ps ( ps -> ph )"
    assert checker.check("a1i", goal, target).ok  # the verifier would accept the step
    verdict = checker.check("a1i", goal, target, tautology=True)
    assert not verdict and verdict.reason == "leaves the subgoal '|- ch', not a tautology-consequence of the hypotheses of a1i"
    # ph := ( ch -> ch ) leaves |- ( ch -> ch ), a tautology, and ( ( ch -> ch ) -> ( ps -> ph ) ), true
    # wherever ph is: both follow from |- ph.
    assert checker.check("a1i", goal, "ax-mp $s ph ( ch -> ch ) $s ps ( ps -> ph )", tautology=True).ok
    # id has no hypotheses: ph := ps leaves |- ps, not a tautology.
    verdict = checker.check("id", "|- ( ph -> ph )", "ax-mp $s ph ps $s ps ( ph -> ph )", tautology=True)
    assert not verdict and verdict.reason == "leaves the subgoal '|- ps', not a tautology-consequence of no hypotheses (not a tautology)"


def test_subgoals_outside_propositional_calculus_are_not_judged_by_truth_tables(checker):
    """|- A. x y = y may or may not be provable: the truth tables cannot say, so they do not."""
    verdict = checker.check("ax5eq", "|- ( y = y -> A. x y = y )",
                            "ax-mp $s ph A. x y = y $s ps ( y = y -> A. x y = y )", tautology=True)
    assert verdict.ok and verdict.subgoals == ("|- A. x y = y", "|- ( A. x y = y -> ( y = y -> A. x y = y ) )")


@pytest.fixture(scope="module")
def setmm_checker(setmm):
    return StepChecker(setmm)  # a test takes this, not setmm: a failure report shows each argument's repr


def test_steps_of_setmm(setmm_checker):
    """syl ( ph -> ps ), ( ps -> ch ) => ( ph -> ch ), by hand: mpd leaves ( ph -> ps ) and ( ph -> ( ps -> ch ) );
    with ps := th it leaves ( ph -> th ), false when ph is true and th false whatever syl's hypotheses say;
    idi (|- ph => |- ph) and syl with ps := ph leave the goal itself."""
    checker = setmm_checker
    goal = "|- ( ph -> ch )"
    verdict = checker.check("syl", goal, "mpd $s ph ph $s ps ps $s ch ch", tautology=True)
    assert verdict.ok and verdict.subgoals == ("|- ( ph -> ps )", "|- ( ph -> ( ps -> ch ) )")
    assert checker.check("syl", goal, "mpd $s ph ph $s ps th $s ch ch").ok
    verdict = checker.check("syl", goal, "mpd $s ph ph $s ps th $s ch ch", tautology=True)
    assert not verdict and "'|- ( ph -> th )'" in verdict.reason
    for theorem, target in [("syl", "idi $s ph ( ph -> ch )"), ("com12", "syl $s ph ph $s ps ph $s ch ch")]:
        verdict = checker.check(theorem, goal, target)
        assert not verdict and "leaves the goal itself as a subgoal" in verdict.reason
    verdict = checker.check("syl", goal, "syl $s ph ph $s ps ps $s ch ch")
    assert not verdict and "syl comes after syl" in verdict.reason


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
