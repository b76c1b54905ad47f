"""Property-based checks over task configurations: whatever the knobs, examples stay correct."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from synthetic_checker import check_example
from synthetic_support import ALL_TASKS, knobs

from lime_reasoning.errors import LimeError
from lime_reasoning.tasks import IntRange, Mixture, TaskConfig


@st.composite
def ranges(draw: st.DrawFn, low: int, high: int) -> IntRange:
    a = draw(st.integers(low, high))
    b = draw(st.integers(a, high))
    return IntRange(a, b)


@st.composite
def configs(draw: st.DrawFn) -> TaskConfig:
    upper = draw(st.integers(1, 30))
    lower = draw(st.integers(1, 30))
    math = draw(st.integers(1, 25))
    config = TaskConfig(
        vocab_size=draw(st.integers(upper + lower + math, 3000)),
        upper=upper,
        lower=lower,
        math=math,
        rule_symbols=draw(ranges(1, min(upper, 6))),
        rule_math=draw(ranges(0, 20)),
        case_length=draw(ranges(1, 9)),
        rewrite_length=draw(ranges(1, 15)),
        rewrite_window=draw(ranges(1, 12)),
        rewrite_rhs=draw(ranges(1, 10)),
        multistep_length=draw(ranges(1, 8)),
        multistep_window=draw(ranges(1, 6)),
        multistep_rhs=draw(ranges(1, 6)),
        steps=draw(ranges(1, 4)),
        ratio=draw(st.sampled_from([0.5, 1.0, 1.5, 2.0, 2.5])),
        set_length=draw(ranges(1, 40)),
        set_alphabet=draw(ranges(1, 12)),
    )
    try:
        return config.validate()
    except LimeError:
        assume(False)
        raise


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.filter_too_much, HealthCheck.too_slow])
@given(config=configs(), task=st.sampled_from(ALL_TASKS), seed=st.integers(0, 2**32))
def test_any_valid_config_gives_correct_examples(config: TaskConfig, task: str, seed: int) -> None:
    engine = Mixture.parse(task).engine(config)
    text = engine.generate(np.random.default_rng(seed), 150)
    sources = text.src.tobytes().decode().split("\n")[:-1]
    targets = text.tgt.tobytes().decode().split("\n")[:-1]
    assert len(sources) == len(targets) == 150
    for source, target in zip(sources, targets):
        check_example(task, source, target, knobs(config))


@settings(max_examples=25, deadline=None)
@given(seed=st.integers(0, 2**63 - 1), n=st.integers(1, 300))
def test_generation_is_a_function_of_the_seed(seed: int, n: int) -> None:
    engine = Mixture.parse("mixed").engine(TaskConfig())
    first = engine.generate(np.random.default_rng(seed), n)
    second = engine.generate(np.random.default_rng(seed), n)
    assert first.src.tobytes() == second.src.tobytes() and first.tgt.tobytes() == second.tgt.tobytes()
    assert np.array_equal(first.hashes, second.hashes)


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"vocab_size": 67}, "--vocab-size: 67 is smaller than the 68"),
        ({"rule_symbols": IntRange(5, 3)}, "--rule-symbols: empty range 5..3"),
        ({"case_length": IntRange(0, 3)}, "--case-length: range 0..3 starts below 1"),
        ({"rule_symbols": IntRange(3, 25)}, "--rule-symbols: 3..25 needs more than the 24"),
        ({"rewrite_window": IntRange(5, 40)}, "--rewrite-window: 5..40 can exceed the shortest"),
        ({"ratio": 0.0}, "--ratio: must be positive"),
        ({"vocab_size": 10**8}, "--vocab-size: at most"),
        ({"vocab_size": 100, "set_alphabet": IntRange(5, 200)}, "--set-alphabet: 5..200 needs more than the 100"),
    ],
)
def test_impossible_configs_are_refused(changes: dict, message: str) -> None:
    with pytest.raises(LimeError, match=message.replace(".", r"\.")):
        TaskConfig(**changes).validate()


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        ("dedcut", "unknown task 'dedcut'"),
        ("deduct,deduct", "listed twice"),
        ("deduct=0", "must be a positive number"),
        ("deduct=x", "is not a number"),
    ],
)
def test_bad_task_specs_are_refused(spec: str, message: str) -> None:
    with pytest.raises(LimeError, match=message):
        Mixture.parse(spec)


def test_mixture_weights_are_relative() -> None:
    mixture = Mixture.parse("mixed=3,rewrite=1")
    assert mixture.names == ["deduct", "induct", "abduct", "rewrite"]
    assert mixture.weights == pytest.approx((0.25, 0.25, 0.25, 0.25))
    assert Mixture.parse("deduct=2,abduct=1").weights == pytest.approx((2 / 3, 1 / 3))


@pytest.mark.parametrize(("text", "expected"), [("3..5", IntRange(3, 5)), ("4", IntRange(4, 4))])
def test_ranges_parse(text: str, expected: IntRange) -> None:
    assert IntRange.parse(text, "--x") == expected


@pytest.mark.parametrize("text", ["3-5", "a..b", "1..2..3", ""])
def test_malformed_ranges_name_the_option(text: str) -> None:
    with pytest.raises(LimeError, match="--rule-math: expected MIN..MAX"):
        IntRange.parse(text, "--rule-math")
