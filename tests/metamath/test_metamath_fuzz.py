"""Fuzzing the reader and verifier with mutated databases: every outcome is success or the clean error."""

from __future__ import annotations

import shutil
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from metamath_support import circular_steps

from lime_reasoning.cli import main
from lime_reasoning.metamath import StepChecker, Verifier, read_database, theorem_steps

FIXTURES = Path(__file__).parent / "fixtures"
ORIGINAL = (FIXTURES / "prop.mm").read_text()
WORDS = ORIGINAL.split()
SPECIAL = ["$(", "$)", "$[", "$]", "${", "$}", "$.", "$=", "$a", "$p", "$e", "$f", "$d", "$c", "$v", "?", "(", ")", "Z"]


@st.composite
def mutated(draw: st.DrawFn) -> str:
    """The fixture with a few token- or character-level edits."""
    words = list(WORDS)
    for _ in range(draw(st.integers(1, 4))):
        kind = draw(st.sampled_from(["delete", "duplicate", "swap", "insert", "merge", "character", "truncate"]))
        at = draw(st.integers(0, len(words) - 1))
        if kind == "delete":
            del words[at]
        elif kind == "duplicate":
            words.insert(at, words[at])
        elif kind == "swap":
            other = draw(st.integers(0, len(words) - 1))
            words[at], words[other] = words[other], words[at]
        elif kind == "insert":
            words.insert(at, draw(st.sampled_from(SPECIAL + WORDS)))
        elif kind == "merge" and at + 1 < len(words):
            words[at : at + 2] = [words[at] + words[at + 1]]
        elif kind == "character":
            word = words[at]
            position = draw(st.integers(0, len(word) - 1))
            letter = draw(st.characters(min_codepoint=0x01, max_codepoint=0xFF))
            words[at] = word[:position] + letter + word[position + 1 :]
        elif kind == "truncate":
            words = words[:at]
        if not words:
            words = ["$("]
    return " ".join(words) + "\n"


@settings(max_examples=250, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=mutated())
def test_mutated_databases_fail_only_with_the_clean_error(tmp_path, capsys, text):
    shutil.copy(FIXTURES / "prop-syntax.mm", tmp_path / "prop-syntax.mm")
    path = tmp_path / "fuzzed.mm"
    path.write_text(text)
    code = main(["metamath", "verify", str(path), "--quiet"])
    out, err = capsys.readouterr()
    assert code in (0, 2)
    errors = err.splitlines()
    assert all(line.startswith("lime: error: ") for line in errors)
    assert (code == 2) == bool(errors)
    if code == 2 and not out:
        assert len(errors) == 1  # the database itself is malformed: exactly one line
    if code == 0:
        # Whatever verifies also extracts, and every extracted step but a circular one passes the checker.
        database = read_database(path)
        verifier = Verifier(database)
        checker = StepChecker(database)
        for theorem in database.theorems:
            circular = circular_steps(verifier, theorem)
            for example in theorem_steps(verifier, theorem) or []:
                assert checker.check(example.theorem, example.source, example.target).ok is (example.step not in circular)
