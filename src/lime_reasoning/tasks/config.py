"""Every numeric knob of the synthetic tasks, with the reference generator's values as defaults."""

from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass, field
from typing import Any

from lime_reasoning.errors import LimeError

MAX_TOKEN_DIGITS = 7
# The reference uses 1.5; rewrite strings grow as ratio * length, so 100 already means thousands of
# tokens per example, and a larger ratio (or inf) only overflows the generator's integer sizes.
MAX_RATIO = 100.0


@dataclass(frozen=True)
class IntRange:
    """An inclusive range of integers, drawn from uniformly."""

    low: int
    high: int

    @classmethod
    def parse(cls, text: str, name: str) -> IntRange:
        """``"3..5"`` or ``"4"``; the error names the option at fault."""
        parts = text.split("..")
        try:
            values = [int(part) for part in parts]
        except ValueError:
            raise LimeError(f"{name}: expected MIN..MAX or a single integer, got {text!r}") from None
        if len(values) == 1:
            values = values * 2
        if len(values) != 2:
            raise LimeError(f"{name}: expected MIN..MAX or a single integer, got {text!r}")
        return cls(*values)

    def __str__(self) -> str:
        return f"{self.low}..{self.high}"

    def check(self, name: str, minimum: int) -> None:
        if self.low > self.high:
            raise LimeError(f"{name}: empty range {self} (MIN is larger than MAX)")
        if self.low < minimum:
            raise LimeError(f"{name}: range {self} starts below {minimum}")


def knob(default: Any, help: str) -> Any:
    """A config field with its CLI help text."""
    if isinstance(default, IntRange):
        return field(default_factory=lambda: default, metadata={"help": help})
    return field(default=default, metadata={"help": help})


@dataclass(frozen=True)
class TaskConfig:
    """Knobs of every task. Field names double as CLI options (``rule_symbols`` -> ``--rule-symbols``).

    The symbol roles: each example draws ``upper + lower + math`` distinct ids from
    ``0..vocab_size-1``: rule symbols, case symbols and math symbols (24 + 24 + 20 = 68 by default).
    """

    vocab_size: int = knob(1000, "symbol ids 0..N-1 to draw from")
    upper: int = knob(24, "rule symbols drawn per example")
    lower: int = knob(24, "case symbols drawn per example")
    math: int = knob(20, "math symbols drawn per example")
    header: bool = True
    rule_symbols: IntRange = knob(IntRange(3, 5), "k: a Rule holds 2k occurrences of its first k rule symbols")
    rule_math: IntRange = knob(IntRange(5, 19), "math symbols in a Rule")
    case_length: IntRange = knob(IntRange(2, 8), "length of each rule symbol's string in a Case")
    rewrite_length: IntRange = knob(IntRange(10, 20), "rewrite: n case symbols (and round(ratio*n) math)")
    rewrite_window: IntRange = knob(IntRange(5, 20), "rewrite: length of the rule's left side")
    rewrite_rhs: IntRange = knob(IntRange(5, 20), "rewrite: math symbols on the rule's right side")
    multistep_length: IntRange = knob(IntRange(5, 10), "multi-step: n math symbols (and round(ratio*n) case)")
    multistep_window: IntRange = knob(IntRange(3, 7), "multi-step: length of each rule's left side")
    multistep_rhs: IntRange = knob(IntRange(3, 7), "multi-step: math symbols on each rule's right side")
    steps: IntRange = knob(IntRange(1, 5), "multi-step: number of rewrite steps")
    ratio: float = knob(1.5, "length ratio of the two symbol kinds in rewrite strings")
    set_length: IntRange = knob(IntRange(10, 80), "set/identity: tokens in the source")
    set_alphabet: IntRange = knob(IntRange(5, 40), "set/identity: distinct symbols the source draws from")

    @property
    def symbols_per_example(self) -> int:
        return self.upper + self.lower + self.math

    def validate(self) -> TaskConfig:
        """Raise :class:`LimeError` naming the first knob that makes generation impossible."""
        for name in ("upper", "lower", "math"):
            if getattr(self, name) < 1:
                raise LimeError(f"--{name}: needs at least 1 symbol, got {getattr(self, name)}")
        if self.vocab_size < self.symbols_per_example:
            raise LimeError(
                f"--vocab-size: {self.vocab_size} is smaller than the {self.symbols_per_example} distinct "
                f"symbols one example needs ({self.upper} rule + {self.lower} case + {self.math} math)"
            )
        if self.vocab_size > 10**MAX_TOKEN_DIGITS:
            raise LimeError(f"--vocab-size: at most {10 ** MAX_TOKEN_DIGITS}, got {self.vocab_size}")
        if not (math.isfinite(self.ratio) and 0 < self.ratio <= MAX_RATIO):
            raise LimeError(f"--ratio: must be positive, finite and at most {MAX_RATIO:g}, got {self.ratio}")
        minimums = {
            "rule_symbols": 1,
            "rule_math": 0,
            "case_length": 1,
            "rewrite_length": 1,
            "rewrite_window": 1,
            "rewrite_rhs": 1,
            "multistep_length": 1,
            "multistep_window": 1,
            "multistep_rhs": 1,
            "steps": 1,
            "set_length": 1,
            "set_alphabet": 1,
        }
        for name, minimum in minimums.items():
            getattr(self, name).check(option_name(name), minimum)
        if self.rule_symbols.high > self.upper:
            raise LimeError(f"--rule-symbols: {self.rule_symbols} needs more than the {self.upper} rule symbols")
        if self.set_alphabet.high > self.vocab_size:
            raise LimeError(f"--set-alphabet: {self.set_alphabet} needs more than the {self.vocab_size} symbols")
        shortest = min_rewrite_string(self.rewrite_length.low, self.ratio)
        if self.rewrite_window.high > shortest:
            raise LimeError(
                f"--rewrite-window: {self.rewrite_window} can exceed the shortest rewrite string "
                f"({shortest} tokens for --rewrite-length {self.rewrite_length})"
            )
        shortest_step = min(min_rewrite_string(self.multistep_length.low, self.ratio), self.multistep_rhs.low)
        if self.multistep_window.low > shortest_step:
            raise LimeError(
                f"--multistep-window: {self.multistep_window} starts above the shortest string a "
                f"multi-step rewrite can meet ({shortest_step} tokens)"
            )
        for name in ("rewrite_window", "multistep_window"):
            window = getattr(self, name)
            if min(window.high, self.lower) > self.upper:
                raise LimeError(
                    f"{option_name(name)}: {window} can hold more distinct case symbols than the "
                    f"{self.upper} rule symbols that name them"
                )
        return self

    def to_dict(self) -> dict[str, Any]:
        return {
            f.name: str(value) if isinstance(value := getattr(self, f.name), IntRange) else value
            for f in dataclasses.fields(self)
        }

    @classmethod
    def from_dict(cls, values: dict[str, Any]) -> TaskConfig:
        kinds = {f.name: f for f in dataclasses.fields(cls)}
        parsed = {}
        for name, value in values.items():
            if name not in kinds:
                raise LimeError(f"unknown task setting {name!r}")
            default = getattr(cls(), name)
            parsed[name] = IntRange.parse(str(value), option_name(name)) if isinstance(default, IntRange) else value
        return cls(**parsed)


def option_name(field_name: str) -> str:
    return "--" + field_name.replace("_", "-")


def min_rewrite_string(length: int, ratio: float) -> int:
    """Length of the shortest rewrite string: ``length`` case symbols plus round(ratio*length) math."""
    return length + round(ratio * length)
