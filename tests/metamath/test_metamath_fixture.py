"""The hand-written fragment prop.mm: frames, scopes, includes, and proof steps derived by hand.

The expected steps below were worked out on paper from the axioms (and agree with the reference
program's ``show proof LABEL /lemmon /all``); they are not produced by the code under test.
"""

from __future__ import annotations

from pathlib import Path

from lime_reasoning.cli import main
from lime_reasoning.metamath import Assertion, Hypothesis, Verifier, theorem_steps
from lime_reasoning.metamath.steps import proof_trace

FIXTURES = Path(__file__).parent / "fixtures"

# (step, hypothesis steps, label, kind, expression) of id's compressed proof, which reuses step 4.
ID_STEPS = [
    (1, (), "wph", "$f", "wff ph"),
    (2, (), "wph", "$f", "wff ph"),
    (3, (), "wph", "$f", "wff ph"),
    (4, (2, 3), "wi", "$a", "wff ( ph -> ph )"),
    (5, (1, 4), "wi", "$a", "wff ( ph -> ( ph -> ph ) )"),
    (6, (), "@4", "$a", "wff ( ph -> ph )"),
    (7, (), "wph", "$f", "wff ph"),
    (8, (), "wph", "$f", "wff ph"),
    (9, (7, 8), "ax-1", "$a", "|- ( ph -> ( ph -> ph ) )"),
    (10, (), "wph", "$f", "wff ph"),
    (11, (), "@4", "$a", "wff ( ph -> ph )"),
    (12, (), "wph", "$f", "wff ph"),
    (13, (11, 12), "wi", "$a", "wff ( ( ph -> ph ) -> ph )"),
    (14, (10, 13), "wi", "$a", "wff ( ph -> ( ( ph -> ph ) -> ph ) )"),
    (15, (), "wph", "$f", "wff ph"),
    (16, (), "@4", "$a", "wff ( ph -> ph )"),
    (17, (15, 16), "wi", "$a", "wff ( ph -> ( ph -> ph ) )"),
    (18, (), "@4", "$a", "wff ( ph -> ph )"),
    (19, (17, 18), "wi", "$a", "wff ( ( ph -> ( ph -> ph ) ) -> ( ph -> ph ) )"),
    (20, (), "wph", "$f", "wff ph"),
    (21, (), "@4", "$a", "wff ( ph -> ph )"),
    (22, (20, 21), "ax-1", "$a", "|- ( ph -> ( ( ph -> ph ) -> ph ) )"),
    (23, (), "wph", "$f", "wff ph"),
    (24, (), "@4", "$a", "wff ( ph -> ph )"),
    (25, (), "wph", "$f", "wff ph"),
    (26, (23, 24, 25), "ax-2", "$a", "|- ( ( ph -> ( ( ph -> ph ) -> ph ) ) -> ( ( ph -> ( ph -> ph ) ) -> ( ph -> ph ) ) )"),
    (27, (14, 19, 22, 26), "ax-mp", "$a", "|- ( ( ph -> ( ph -> ph ) ) -> ( ph -> ph ) )"),
    (28, (5, 6, 9, 27), "ax-mp", "$a", "|- ( ph -> ph )"),
]

# a1i (normal proof) and a1ic (compressed) prove the same statement with the same steps.
A1I_STEPS = [
    (1, (), "wph", "$f", "wff ph"),
    (2, (), "wps", "$f", "wff ps"),
    (3, (), "wph", "$f", "wff ph"),
    (4, (2, 3), "wi", "$a", "wff ( ps -> ph )"),
    (5, (), "HYP", "$e", "|- ph"),
    (6, (), "wph", "$f", "wff ph"),
    (7, (), "wps", "$f", "wff ps"),
    (8, (6, 7), "ax-1", "$a", "|- ( ph -> ( ps -> ph ) )"),
    (9, (1, 4, 5, 8), "ax-mp", "$a", "|- ( ps -> ph )"),
]


def steps(prop, label):
    trace = proof_trace(Verifier(prop), prop.statements[label])
    return [(s.step, s.hypotheses, s.label, s.kind, s.expression) for s in trace]


def test_counts_match_the_fragment(prop):
    # Counted by hand in prop.mm and prop-syntax.mm (included twice, read once): the reference
    # program reports "55 statements; 8 are $a and 8 are $p".
    assert prop.counts["statements"] == 55
    assert (prop.counts["$a"], prop.counts["$p"], prop.counts["$f"], prop.counts["$e"]) == (8, 8, 7, 8)
    assert prop.counts["$c"] == 2 and prop.counts["$v"] == 4 and prop.counts["$d"] == 2


def test_every_complete_proof_verifies_and_the_incomplete_one_is_reported(prop):
    report = Verifier(prop).verify_all()
    assert report.failures == []
    assert report.verified == 7
    assert report.incomplete == ["unproved"]


def test_compressed_proof_with_reuse_gives_the_hand_derived_steps(prop):
    assert steps(prop, "id") == ID_STEPS


def test_normal_and_compressed_proofs_of_a1i_give_the_same_steps(prop):
    assert steps(prop, "a1i") == [(*s[:2], "a1i.1" if s[2] == "HYP" else s[2], *s[3:]) for s in A1I_STEPS]
    assert steps(prop, "a1ic") == [(*s[:2], "a1ic.1" if s[2] == "HYP" else s[2], *s[3:]) for s in A1I_STEPS]


def test_extracted_examples_of_id(prop):
    examples = theorem_steps(Verifier(prop), prop.statements["id"])
    assert [(e.step, e.source, e.target) for e in examples] == [
        (9, "|- ( ph -> ( ph -> ph ) )", "ax-1 $s ph ph $s ps ph"),
        (22, "|- ( ph -> ( ( ph -> ph ) -> ph ) )", "ax-1 $s ph ph $s ps ( ph -> ph )"),
        (
            26,
            "|- ( ( ph -> ( ( ph -> ph ) -> ph ) ) -> ( ( ph -> ( ph -> ph ) ) -> ( ph -> ph ) ) )",
            "ax-2 $s ph ph $s ps ( ph -> ph ) $s ch ph",
        ),
        (
            27,
            "|- ( ( ph -> ( ph -> ph ) ) -> ( ph -> ph ) )",
            "ax-mp $s ph ( ph -> ( ( ph -> ph ) -> ph ) ) $s ps ( ( ph -> ( ph -> ph ) ) -> ( ph -> ph ) )",
        ),
        (28, "|- ( ph -> ph )", "ax-mp $s ph ( ph -> ( ph -> ph ) ) $s ps ( ph -> ph )"),
    ]
    assert {e.theorem for e in examples} == {"id"}


def test_extracted_examples_carry_the_theorems_hypotheses(prop):
    examples = theorem_steps(Verifier(prop), prop.statements["a1ic"])
    assert [(e.step, e.source, e.target) for e in examples] == [
        (8, "|- ( ph -> ( ps -> ph ) ) $e |- ph", "ax-1 $s ph ph $s ps ps"),
        (9, "|- ( ps -> ph ) $e |- ph", "ax-mp $s ph ph $s ps ( ps -> ph )"),
    ]
    nested = theorem_steps(Verifier(prop), prop.statements["mpth"])
    assert [(e.step, e.source, e.target) for e in nested] == [
        (5, "|- th $e |- ph $e |- ( ph -> th )", "ax-mp $s ph ph $s ps th")
    ]


def test_applying_an_assertion_whose_f_follows_its_e(prop):
    assert steps(prop, "mpthi") == [
        (1, (), "wps", "$f", "wff ps"),
        (2, (), "mpthi.1", "$e", "|- ps"),
        (3, (), "wch", "$f", "wff ch"),
        (4, (), "mpthi.2", "$e", "|- ( ps -> ch )"),
        (5, (1, 2, 3, 4), "mpth", "$p", "|- ch"),
    ]
    (example,) = theorem_steps(Verifier(prop), prop.statements["mpthi"])
    assert example.target == "mpth $s ph ps $s th ch"


def test_incomplete_proofs_give_no_examples(prop):
    assert theorem_steps(Verifier(prop), prop.statements["unproved"]) is None


def test_frames_list_mandatory_hypotheses_in_database_order(prop):
    ax_mp = prop.statements["ax-mp"]
    assert isinstance(ax_mp, Assertion)
    assert [h.label for h in ax_mp.hypotheses] == ["wph", "wps", "min", "maj"]
    assert ax_mp.variables == ("ph", "ps")
    ax5 = prop.statements["ax-5"]
    assert [h.label for h in ax5.hypotheses] == ["wph", "vx"]
    assert ax5.disjoint == frozenset({("ph", "x")})
    # Only the variables of the statement and its $e hypotheses are mandatory.
    assert prop.statements["ax-1"].variables == ("ph", "ps")
    # A $f declared after an $e comes after it: the order is the database's, not "$f first".
    assert [h.label for h in prop.statements["mpth"].hypotheses] == ["wph", "mp2.1", "wth", "mp2.2"]
    assert prop.statements["ax5eq"].context == (frozenset({"x", "y"}),)


def test_scopes_end_hypotheses_and_variables(prop):
    local = prop.statements["mp2.2"]
    assert isinstance(local, Hypothesis)
    assert local.active_for(prop.statements["mpth"].index)
    assert not local.active_for(prop.statements["unproved"].index)
    # th was declared again after its first scope closed, with a new $f.
    assert [h.label for h in prop.statements["unproved"].hypotheses] == ["wph", "mp2.1", "wth2"]


def test_included_file_statements_and_locations(prop):
    assert prop.statements["wi"].expression == "wff ( ph -> ps ) "
    assert prop.where(prop.statements["wi"]).endswith("prop-syntax.mm:11")
    assert prop.where(prop.statements["ax-5"]).endswith("prop.mm:96")


def test_descriptions_are_the_comments_before_statements(prop):
    assert prop.statements["id"].description == "Principle of identity, compressed, reusing a step marked with Z."
    assert prop.statements["ax-1"].description == "Axiom Simp."
    assert prop.statements["a1i"].description.startswith("Inference introducing")


def test_show_command_lists_the_steps(capsys):
    path = str(FIXTURES / "prop.mm")
    assert main(["metamath", "show", "id", "--mm", path]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[3] == "   4 2,3 wi $a wff ( ph -> ph )"
    assert lines[5] == "   6 @4 $a wff ( ph -> ph )"
    assert lines[27] == "  28 5,6,9,27 ax-mp $a |- ( ph -> ph )"
    assert len(lines) == len(ID_STEPS)
    for label, message in (("unproved", "proof of unproved is incomplete"), ("ax-1", "no theorem ($p) labelled ax-1")):
        assert main(["metamath", "show", label, "--mm", path]) == 2
        (line,) = capsys.readouterr().err.splitlines()
        assert message in line
