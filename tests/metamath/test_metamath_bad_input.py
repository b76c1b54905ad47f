"""Broken proofs and malformed databases: one clear line naming file, line and label; exit 2; nothing written.

Each case edits a copy of the hand-written fragment; the expected line is found in the edited text
itself, and the expected step numbers follow from the hand-derived steps in test_metamath_fixture.py.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from lime_reasoning.cli import main
from lime_reasoning.metamath import ProofError, Verifier, read_database

FIXTURES = Path(__file__).parent / "fixtures"


def edited(tmp_path: Path, old: str, new: str, file: str = "prop.mm") -> Path:
    """Copies of both fixture files, with ``old`` replaced by ``new`` (exactly once) in ``file``."""
    for name in ("prop.mm", "prop-syntax.mm"):
        text = (FIXTURES / name).read_text()
        if name == file:
            assert text.count(old) == 1, old
            text = text.replace(old, new)
        (tmp_path / name).write_text(text)
    return tmp_path / "prop.mm"


def line_of(path: Path, needle: str) -> int:
    lines = path.read_text().splitlines()
    return next(number for number, line in enumerate(lines, 1) if needle in line)


BROKEN_PROOFS = [
    # (old, new, theorem, step, message)
    ("wph wps ax-1 ax-mp", "wph wps ax-2 ax-mp", "a1i", 8, "ax-2 hypothesis wph needs an expression of type wff, got '|- ph'"),
    ("AFCAFADEE", "AFCAFADED", "id", 28, "ax-2 hypothesis wps needs an expression of type wff, got '|- ( ph -> ( ph -> ph ) )'"),
    ("$d x y $.", "", "ax5eq", 5, "ax-5 requires $d ph x, but $d y x is not in scope"),
    ("ax5eq $p |- ( y = y -> A. x y = y ) $= vy vy weq vx ax-5 $.",
     "ax5eq $p |- ( x = x -> A. x x = x ) $= vx vx weq vx ax-5 $.", "ax5eq", 5,
     "ax-5 requires $d ph x, but both substitutions contain x"),
    ("( mpth ) ACBDE", "( mpth ) ADBCE", "mpthi", 5, "mpth hypothesis mp2.1 needs '|- ps', got '|- ( ps -> ch )'"),
    ("a1i $p |- ( ps -> ph ) $=", "a1i $p |- ( ph -> ps ) $=", "a1i", 0, "the proof proves '|- ( ps -> ph )', not the statement"),
    ("wph wps ax-1 ax-mp", "wph wps id ax-mp", "a1i", 8, "id is used before it is available"),
    ("( mpth ) ACBDE", "( mpth mp2.2 ) ACBDE", "mpthi", 0, "hypothesis mp2.2 is not in scope here"),
    ("ABADCABEF", "ABADCABEG", "a1ic", 9, "refers to saved step 1, but only 0 are saved"),
    ("ABADCABEF", "ABADCAbEF", "a1ic", 0, "corrupt compressed proof: 'b' at letter 7"),
    ("wph wps wph wi a1i.1 wph wps ax-1 ax-mp $.", "ax-mp $.", "a1i", 1, "ax-mp needs 4 hypotheses but the stack holds 0"),
    ("wph wps wph wi a1i.1 wph wps ax-1 ax-mp $.", "wph wps wph wi a1i.1 wph wps ax-1 ax-mp wph $.", "a1i", 0,
     "the proof leaves 2 expressions on the stack instead of 1"),
    ("AAABZBFAAC", "ZAABZBFAAC", "id", 0, "'Z' must follow a proof step"),
    ("wph wps ax-1 ax-mp", "wph wps nosuch ax-mp", "a1i", 8, "nosuch is not the label of any statement"),
]


@pytest.mark.parametrize(("old", "new", "theorem", "step", "message"), BROKEN_PROOFS)
def test_broken_proof_is_rejected_with_label_and_step(tmp_path, old, new, theorem, step, message):
    path = edited(tmp_path, old, new)
    database = read_database(path)
    with pytest.raises(ProofError) as caught:
        Verifier(database).run(database.statements[theorem])
    assert caught.value.theorem.label == theorem
    assert caught.value.step == step
    assert message in caught.value.message
    described = caught.value.describe(database)
    at = f", step {step}" if step else ""
    assert described.startswith(f"{path}:{line_of(path, theorem + ' $p')}: proof of {theorem}{at}: ")


def test_verify_command_reports_a_broken_proof_in_one_line(tmp_path, capsys):
    path = edited(tmp_path, "wph wps ax-1 ax-mp", "wph wps ax-2 ax-mp")
    assert main(["metamath", "verify", str(path), "--quiet"]) == 2
    out, err = capsys.readouterr()
    assert err.splitlines() == [
        f"lime: error: {path}:{line_of(path, 'a1i $p')}: proof of a1i, step 8: "
        "ax-2 hypothesis wph needs an expression of type wff, got '|- ph'"
    ]
    assert "6 proofs verified, 1 incomplete, 1 failed" in out


MALFORMED = [
    # (old, new, file, needle on the reported line, message, label)
    ("( weq id ) ABCD $.", "( weq id ) ABCD $.\n$( never closed", "prop.mm",
     "$( never closed", "comment is never closed", None),
    ("( weq id ) ABCD $.", "( weq id ) ABCD", "prop.mm", "idxy $p", "$p statement is never closed by '$.'", "idxy"),
    ("vy vy weq vx ax-5 $.", "vy vy weq vx ax-5", "prop.mm", "  $}\n\n  $( A theorem after",
     "unexpected $} inside a proof (is a '$.' missing?)", "ax5eq"),
    ("ax-1 $a |- ( ph -> ( ps -> ph ) ) $.", "ax-1 $a |- ( ph -> ( ps -> ph ) )", "prop.mm", "ax-2 $a",
     "symbol ax-2 is not declared", "ax-1"),
    ("ax-1 $a |- ( ph -> ( ps -> ph ) ) $.", "ax-1 $a |- ( ph -> ( qq -> ph ) ) $.", "prop.mm", "ax-1 $a",
     "symbol qq is not declared", "ax-1"),
    ("  $c A. = setvar $.", "  $c A. = -> setvar $.", "prop.mm", "$c A.", "constant -> is declared twice", None),
    ("a1ic $p", "a1i $p", "prop.mm", "a1i $p |- ( ps -> ph ) $=\n      ( wi", "label is already defined at", "a1i"),
    ("$[ prop-syntax.mm $]\n$( A second", "$[ nosuch.mm $]\n$( A second", "prop.mm", "$[ nosuch.mm $]",
     "nosuch.mm does not exist", None),
    ("Axiom Simp.", "Axiom Simp\u00e9.", "prop.mm", "Axiom Simp", "character 0xc3 is not allowed", None),
    ("( weq id ) ABCD $.", "( weq id ) ABCD $.\n  ${ $( never closed $)", "prop.mm",
     "${ $( never closed", "this '${' is never closed by '$}'", None),
    ("  $c A. = setvar $.", "  $} $( stray $)\n  $c A. = setvar $.", "prop.mm", "$} $( stray", "'$}' without a matching '${'", None),
    ("  $v x y $.", "  $v x y z $.\n  zz.1 $e |- ( ph -> z ) $.", "prop.mm", "zz.1 $e",
     "variable z has no active $f hypothesis", "zz.1"),
    ("Axiom Frege.", "Axiom $( Frege.", "prop.mm", "Axiom $( Frege", "'$(' inside a comment", None),
    ("wi $a wff ( ph -> ps ) $.", "wi $a wff ( ph -> ps ) $.\n  wi $a wff ph $.", "prop-syntax.mm",
     "  wi $a wff ph", "label is already defined at", "wi"),
]


@pytest.mark.parametrize(("old", "new", "file", "needle", "message", "label"), MALFORMED)
def test_malformed_database_gives_one_line_and_exit_2(tmp_path, capsys, old, new, file, needle, message, label):
    path = edited(tmp_path, old, new, file)
    at = tmp_path / file
    text = at.read_text()
    line = text[: text.index(needle)].count("\n") + 1
    assert main(["metamath", "verify", str(path), "--quiet"]) == 2
    out, err = capsys.readouterr()
    assert out == ""
    (only,) = err.splitlines()
    assert only.startswith(f"lime: error: {at}:{line}: ")
    assert message in only
    if label is not None:
        assert f": {label}: " in only

    out_dir = tmp_path / "dataset"
    code = main(["benchmark", "build", "metamathstep", "--mm", str(path), "--out", str(out_dir), "--quiet",
                 "--train", "0.5", "--valid", "0.25", "--test", "0.25"])
    assert code == 2
    assert len(capsys.readouterr().err.splitlines()) == 1
    assert not out_dir.exists()
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []


def test_build_with_a_broken_proof_writes_nothing(tmp_path, capsys):
    path = edited(tmp_path, "AFCAFADEE", "AFCAFADED")
    out_dir = tmp_path / "dataset"
    code = main(["benchmark", "build", "metamathstep", "--mm", str(path), "--out", str(out_dir), "--quiet",
                 "--train", "0.5", "--valid", "0.25", "--test", "0.25"])
    assert code == 2
    (only,) = capsys.readouterr().err.splitlines()
    assert "proof of id, step 28:" in only
    assert not out_dir.exists()
