"""Source and target text: the documented examples, and that every target parses back to what was written."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from lime_reasoning.metamath import format_source, format_target, goal_of, parse_target

# Metamath math symbols: printable ASCII without '$' or white space.
SYMBOL = st.text(st.characters(min_codepoint=0x21, max_codepoint=0x7E, blacklist_characters="$"), min_size=1, max_size=6)
LABEL = st.text(st.sampled_from("abcxyz019-_."), min_size=1, max_size=8)


def canonical(symbols):
    return "".join(s + " " for s in symbols)


def test_documented_examples():
    source = format_source(canonical("|- ( ph -> ch )".split()), [canonical("|- ( ph -> ps )".split()), canonical("|- ( ps -> ch )".split())])
    assert source == "|- ( ph -> ch ) $e |- ( ph -> ps ) $e |- ( ps -> ch )"
    assert goal_of(source) == "|- ( ph -> ch )"
    target = format_target("mpd", ["ph", "ps", "ch"], ["ph ", "ps ", "ch "])
    assert target == "mpd $s ph ph $s ps ps $s ch ch"
    parsed = parse_target(target)
    assert (parsed.label, parsed.variables, parsed.substitution) == ("mpd", ("ph", "ps", "ch"), (("ph",), ("ps",), ("ch",)))


def test_empty_substitutions_and_assertions_without_variables():
    assert format_target("ax-1cn", [], []) == "ax-1cn"
    assert parse_target("ax-1cn").variables == ()
    target = format_target("we", ["x", "y"], ["", "M I "])
    assert target == "we $s x $s y M I"
    assert parse_target(target).substitution == ((), ("M", "I"))


@given(LABEL, st.lists(st.tuples(SYMBOL, st.lists(SYMBOL, max_size=6)), max_size=5))
def test_every_target_parses_back(label, assignment):
    variables = [v for v, _ in assignment]
    target = format_target(label, variables, [canonical(symbols) for _, symbols in assignment])
    parsed = parse_target(target)
    assert parsed.label == label
    assert parsed.variables == tuple(variables)
    assert parsed.substitution == tuple(tuple(symbols) for _, symbols in assignment)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "no label"),
        ("$s ph ph", "no label"),
        ("mpd ph", "exactly one label"),
        ("mpd $s", "without a variable"),
        ("mpd $s ph ph $s $s ps ps", "without a variable"),
        ("mpd $s ph $e", "unexpected token"),
    ],
)
def test_malformed_targets(text, message):
    with pytest.raises(ValueError, match=message):
        parse_target(text)
