"""Truth tables for propositional calculus, validated against set.mm itself, not against the step checker.

The evidence that the semantics are right: every theorem of set.mm up to ``ax-gen`` that the tables
can read is a tautology-consequence of its hypotheses, every definition there is a tautology, and no
single row of any connective's table can be changed without some theorem or definition failing.
"""

from __future__ import annotations

import itertools

import pytest

from lime_reasoning.metamath import read_database, truth_tables
from lime_reasoning.metamath.truth_tables import CONNECTIVES, OutsideTruthTables, TruthTables

# Tokens of set.mm's constructors before ax-gen that are not propositional: A. (wal), = (wceq), E. (wex), F/ (wnf).
NOT_PROPOSITIONAL = {"A.", "=", "E.", "F/"}


@pytest.fixture(scope="module")
def tables(setmm_path):
    """Tests take this, not a database: a failure report shows each argument's repr."""
    return TruthTables(read_database(setmm_path, stop_after="ax-gen"))


def claims(database):
    """(label, conclusion, hypotheses) of every |- assertion."""
    return [(a.label, a.expression, [h.expression for h in a.essentials]) for a in database.assertions if a.typecode == "|-"]


def test_every_theorem_up_to_ax_gen_is_a_tautology_consequence_of_its_hypotheses(tables):
    propositional = tables.database
    assert tables.connectives == set(CONNECTIVES)  # every connective of the table occurs, in its shape
    decided, outside = [], []
    for label, conclusion, hypotheses in claims(propositional):
        try:
            assert tables.consequence(conclusion, hypotheses), label
            decided.append(label)
        except OutsideTruthTables:
            outside.append(label)
    # What the tables cannot read is exactly what mentions a non-propositional constructor.
    mentions = [label for label, conclusion, hypotheses in claims(propositional)
                if NOT_PROPOSITIONAL & set(" ".join([conclusion, *hypotheses]).split())]
    assert outside == mentions == ["trujust", "df-tru", "df-ex", "alnex", "eximal", "df-nf", "ax-gen"]
    proved = {a.label for a in propositional.theorems}
    assert len(proved) == 1627 and len(proved.intersection(decided)) == 1624
    definitions = [label for label in decided if label.startswith("df-")]
    assert definitions == ["df-bi", "df-or", "df-an", "df-3or", "df-3an", "df-nan", "df-xor", "df-ifp", "df-fal",
                           "df-had", "df-cad"]
    assert {"ax-1", "ax-2", "ax-3", "ax-mp"} <= set(decided)


def test_every_row_of_every_connective_is_pinned_by_setmm(tables, monkeypatch):
    """Flip one row of one connective's table: some theorem or definition up to ax-gen stops holding."""
    readable = [(c, h) for _, c, h in claims(tables.database) if all(map(tables.propositional, [c, *h]))]
    for label, (shape, truth) in dict(CONNECTIVES).items():
        for row in itertools.product((0, 1), repeat=shape.count("_")):
            def flipped(mask, *arguments, truth=truth, row=row):
                here = mask
                for bit, argument in zip(row, arguments):
                    here &= argument if bit else mask ^ argument
                return truth(mask, *arguments) ^ here

            monkeypatch.setitem(CONNECTIVES, label, (shape, flipped))
            assert not all(tables.consequence(c, h) for c, h in readable), (label, row)
            monkeypatch.setitem(CONNECTIVES, label, (shape, truth))


# Each connective's table written out by hand, with T. and F. for the arguments: (formula, value).
ROWS = [
    ("-. T.", 0), ("-. F.", 1),
    *((f"( {a} -> {b} )", v) for a, b, v in [("T.", "T.", 1), ("T.", "F.", 0), ("F.", "T.", 1), ("F.", "F.", 1)]),
    *((f"( {a} <-> {b} )", v) for a, b, v in [("T.", "T.", 1), ("T.", "F.", 0), ("F.", "T.", 0), ("F.", "F.", 1)]),
    *((f"( {a} \\/ {b} )", v) for a, b, v in [("T.", "T.", 1), ("T.", "F.", 1), ("F.", "T.", 1), ("F.", "F.", 0)]),
    *((f"( {a} /\\ {b} )", v) for a, b, v in [("T.", "T.", 1), ("T.", "F.", 0), ("F.", "T.", 0), ("F.", "F.", 0)]),
    *((f"( {a} -/\\ {b} )", v) for a, b, v in [("T.", "T.", 0), ("T.", "F.", 1), ("F.", "T.", 1), ("F.", "F.", 1)]),
    *((f"( {a} \\/_ {b} )", v) for a, b, v in [("T.", "T.", 0), ("T.", "F.", 1), ("F.", "T.", 1), ("F.", "F.", 0)]),
    ("( F. \\/ F. \\/ T. )", 1), ("( F. \\/ F. \\/ F. )", 0), ("( T. /\\ T. /\\ T. )", 1), ("( T. /\\ F. /\\ T. )", 0),
    ("if- ( T. , T. , F. )", 1), ("if- ( T. , F. , T. )", 0), ("if- ( F. , F. , T. )", 1), ("if- ( F. , T. , F. )", 0),
    ("hadd ( T. , T. , T. )", 1), ("hadd ( T. , T. , F. )", 0), ("hadd ( F. , F. , T. )", 1), ("hadd ( F. , F. , F. )", 0),
    ("cadd ( T. , T. , F. )", 1), ("cadd ( T. , F. , F. )", 0), ("cadd ( F. , T. , T. )", 1), ("cadd ( F. , F. , T. )", 0),
    ("T.", 1), ("F.", 0),
]


@pytest.mark.parametrize(("formula", "value"), ROWS)
def test_hand_written_rows(tables, formula, value):
    assert tables.consequence(f"|- {formula}") is bool(value)
    assert tables.consequence(f"|- -. {formula}") is not bool(value)


@pytest.mark.parametrize(
    ("conclusion", "hypotheses", "follows"),
    [
        ("|- ph", [], False),
        ("|- ( ph -> ps )", [], False),
        ("|- ( ( ph -> ps ) -> ph )", [], False),
        ("|- ( ph \\/ -. ph )", [], True),
        ("|- ( ( ( ph -> ps ) -> ph ) -> ph )", [], True),  # Peirce's law
        ("|- ps", ["|- ( ph -> ps )"], False),
        ("|- ps", ["|- ph", "|- ( ph -> ps )"], True),
        ("|- ch", ["|- ph", "|- ( ph -> ps )"], False),
        ("|- ch", ["|- ph", "|- -. ph"], True),  # inconsistent hypotheses give everything
    ],
)
def test_hand_made_consequences(tables, conclusion, hypotheses, follows):
    assert tables.consequence(conclusion, hypotheses) is follows


@pytest.mark.parametrize(
    ("statement", "why"),
    [
        ("|- A. x ph", "not a formula of propositional calculus"),
        ("|- ( ph -> A. x ph )", "not a formula of propositional calculus"),
        ("|- ( ph -> )", "not a formula of propositional calculus"),
        ("|- ph ps", "not a formula of propositional calculus"),
        ("wff ( ph -> ps )", "not a |- statement"),
        ("", "not a |- statement"),
    ],
)
def test_what_the_tables_cannot_read_is_never_guessed(tables, statement, why):
    with pytest.raises(OutsideTruthTables, match=why):
        tables.consequence(statement)
    with pytest.raises(OutsideTruthTables, match=why):
        tables.consequence("|- ( ph -> ph )", [statement])
    assert not tables.propositional(statement)


def test_too_many_variables_is_outside(tables, monkeypatch):
    monkeypatch.setattr(truth_tables, "MAX_VARIABLES", 2)
    assert tables.consequence("|- ( ph -> ( ps -> ph ) )")
    with pytest.raises(OutsideTruthTables, match="3 variables, more than the 2"):
        tables.consequence("|- ( ph -> ( ps -> ch ) )")


def test_a_label_with_another_shape_is_not_read_as_its_set_mm_meaning(tmp_path):
    """Here wi is written with +, wo with ->, and wa has one argument twice: reading any of them with
    set.mm's meaning would be a guess."""
    (tmp_path / "other.mm").write_text("$c ( ) + -> /\\ wff |- $. $v ph ps $. wph $f wff ph $. wps $f wff ps $.\n"
                                       "wi $a wff ( ph + ps ) $. wo $a wff ( ph -> ps ) $. wa $a wff ( ph /\\ ph ) $.\n")
    tables = TruthTables(read_database(tmp_path / "other.mm"))
    assert tables.connectives == set()
    for statement in ("|- ( ph + ps )", "|- ( ph -> ps )", "|- ( ph /\\ ph )"):
        with pytest.raises(OutsideTruthTables):
            tables.consequence(statement)


def test_the_fixture_has_negation_and_implication(prop):
    tables = TruthTables(prop)
    assert tables.connectives == {"wn", "wi"}
    assert tables.consequence("|- ( ( -. ph -> -. ps ) -> ( ps -> ph ) )")  # ax-3's shape
    assert not tables.consequence("|- ( ( ph -> ps ) -> ( ps -> ph ) )")
    assert not tables.propositional_database()  # ax-5 precedes idxy


def test_setmm_up_to_ax_gen_is_a_propositional_database(tables, setmm_path):
    assert tables.propositional_database()
    assert not TruthTables(read_database(setmm_path, stop_after="ax-4")).propositional_database()  # ax-gen precedes ax-4
