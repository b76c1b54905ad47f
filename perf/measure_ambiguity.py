"""How ill-posed induct and abduct are on a dataset: exact counts of the targets that fit each source.

For every induct example (source Result + Case, target Rule) the script counts the Rules that give the
Result under the Case; for every abduct example (source Rule + Result, target Case) the Cases that
turn the Rule into the Result. Exact match against the one generated target cannot beat a predictor
that knows the solution set, so per task it prints the examples, the share with more than one
solution and the exact-match ceiling of a predictor picking uniformly among the solutions (the mean of
1/solutions). The search reads only the source text, independently of the generator; the gold target
must be one of the solutions (checked on every example, which also validates the parser).

Two readings of "fits the source", both printed:

* ``definition`` (LIME.md's definitions only). A Rule is a string over the rule symbols listed after
  ``<UPPER>`` (which are exactly the ones the Case maps) and the math symbols listed after ``<MATH>``;
  it uses every rule symbol of the Case at least once, since a Case maps exactly the rule symbols of
  its Rule; a literal is a math symbol, never a case symbol. A Case maps every rule symbol of the Rule
  to a non-empty string (over case and math symbols, as every Result token is).
* ``support`` (the above, plus what the generator's knobs enforce, read from the dataset's
  meta.json): a Rule holds 2k rule-symbol occurrences for some k in ``rule_symbols`` with at least as
  many k as distinct symbols used, and m math literals with m in ``rule_math``; every Case string has
  a length in ``case_length``. Every generated target lies in this support, so its ceiling is the one
  a predictor that knows the generator's settings can reach when it guesses uniformly.

The counts are exact: induct is a dynamic program over Result positions (a literal, or a rule symbol
whose case string matches there), counting distinct Rules, since every choice emits a distinct token;
abduct is a depth-first search that fixes a symbol's string at its first occurrence, pruned by the
lengths still to cover. ``--max-nodes`` caps the abduct search per example (a capped example counts
as ambiguous and is reported). Run: ``python perf/measure_ambiguity.py --data DIR [--split valid]``
on a dataset from ``lime generate ... --format jsonl`` (or text) with the header.
"""

from __future__ import annotations

import argparse
import json
import time
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from lime_reasoning.datasets import read_records

Token = str
Case = dict[Token, tuple[Token, ...]]
Range = tuple[int, int]
READINGS = ("definition", "support")


@dataclass(frozen=True)
class Bounds:
    """The generator's knobs that restrict a Rule or a Case; ``None`` means no restriction."""

    rule_symbols: Range | None = None  # k: a Rule has 2k rule-symbol occurrences, k >= symbols used
    rule_math: Range | None = None  # m: math literals in a Rule
    case_length: Range = (1, 1 << 30)  # length of each Case string


class CapReached(Exception):
    """The abduct search visited more nodes than allowed."""


@dataclass(frozen=True)
class Source:
    """A source line split into its header roles and its body parts."""

    rule_symbols: tuple[Token, ...]
    case_symbols: frozenset[Token]
    math_symbols: frozenset[Token]
    parts: tuple[tuple[Token, ...], ...]


def parse_source(text: str) -> Source:
    """``<UPPER> .. <LOWER> .. <MATH> .. <space>`` then body parts separated by ``<space>``."""
    tokens = text.split()
    if not tokens or tokens[0] != "<UPPER>":
        raise ValueError(f"source has no <UPPER> header (generated with --no-header?): {text[:80]!r}")
    lower, math, space = tokens.index("<LOWER>"), tokens.index("<MATH>"), tokens.index("<space>")
    if not 0 < lower < math < space:
        raise ValueError(f"malformed header: {text[:120]!r}")
    parts: list[list[Token]] = [[]]
    for token in tokens[space + 1 :]:
        if token == "<space>":
            parts.append([])
        else:
            parts[-1].append(token)
    return Source(tuple(tokens[1:lower]), frozenset(tokens[lower + 1 : math]),
                  frozenset(tokens[math + 1 : space]), tuple(tuple(p) for p in parts))


def parse_case(tokens: tuple[Token, ...] | list[Token]) -> Case:
    """``A : [ x y ] , B : [ z ]`` as ``{A: (x, y), B: (z,)}``; anything else raises."""
    tokens = list(tokens)
    case: Case = {}
    i = 0
    while i < len(tokens):
        if case:
            if tokens[i] != ",":
                raise ValueError(f"expected ',' between case entries, got {tokens[i]!r}")
            i += 1
        symbol = tokens[i]
        if tokens[i + 1 : i + 3] != [":", "["] or "]" not in tokens[i + 3 :]:
            raise ValueError(f"malformed case entry near {tokens[i : i + 3]}")
        end = tokens.index("]", i + 3)
        if symbol in case or end == i + 3:
            raise ValueError(f"repeated symbol or empty string in case: {symbol}")
        case[symbol] = tuple(tokens[i + 3 : end])
        i = end + 1
    return case


def substitute(rule: tuple[Token, ...], case: Case) -> tuple[Token, ...]:
    return tuple(t for token in rule for t in case.get(token, (token,)))


def within(value: int, bounds: Range | None) -> bool:
    return bounds is None or bounds[0] <= value <= bounds[1]


def rule_counts_fit(occurrences: int, used: int, literals: int, bounds: Bounds) -> bool:
    """2k occurrences with k in range and k >= distinct symbols used; m literals in range."""
    if bounds.rule_symbols is not None:
        low, high = bounds.rule_symbols
        if occurrences % 2 or not max(low, used) <= occurrences // 2 <= high:
            return False
    return within(literals, bounds.rule_math)


def rule_fits(rule: tuple[Token, ...], case: Case, result: tuple[Token, ...], math: frozenset[Token],
              bounds: Bounds) -> bool:
    """Whether ``rule`` is one of the Rules counted by :func:`count_rules` (checks the gold target)."""
    if any(token not in case and token not in math for token in rule) or not set(case) <= set(rule):
        return False
    occurrences = sum(token in case for token in rule)
    return rule_counts_fit(occurrences, len(case), len(rule) - occurrences, bounds) and (
        substitute(rule, case) == result
    )


def count_rules(result: tuple[Token, ...], case: Case, math: frozenset[Token], bounds: Bounds) -> int:
    """Rules r (math literals and the Case's symbols, each symbol used) with r under ``case`` = ``result``.

    States after a prefix of the Result: (symbols used as a bit mask, occurrences, literals), the last
    two only tracked when a bound needs them. Each step emits a literal or a rule symbol, and rule and
    math symbols are distinct ids, so distinct paths are distinct Rules: the path count is exact.
    """
    symbols = list(case)
    track_occurrences, track_literals = bounds.rule_symbols is not None, bounds.rule_math is not None
    # Caps that keep the state space finite; an untracked count stays at 0 and is never capped.
    max_occurrences = 2 * bounds.rule_symbols[1] if bounds.rule_symbols is not None else 0
    max_literals = bounds.rule_math[1] if bounds.rule_math is not None else 0
    n = len(result)
    states: list[dict[tuple[int, int, int], int]] = [defaultdict(int) for _ in range(n + 1)]
    states[0][(0, 0, 0)] = 1
    for position in range(n):
        for (mask, occurrences, literals), ways in states[position].items():
            literal_after = literals + track_literals
            if result[position] in math and literal_after <= max_literals:
                states[position + 1][(mask, occurrences, literal_after)] += ways
            occurrence_after = occurrences + track_occurrences
            if occurrence_after > max_occurrences:
                continue
            for bit, symbol in enumerate(symbols):
                string = case[symbol]
                end = position + len(string)
                if result[position:end] == string:
                    states[end][(mask | 1 << bit, occurrence_after, literals)] += ways
    full = (1 << len(symbols)) - 1
    return sum(ways for (mask, occurrences, literals), ways in states[n].items()
               if mask == full and rule_counts_fit(occurrences, len(symbols), literals, bounds))


def case_fits(case: Case, rule: tuple[Token, ...], result: tuple[Token, ...], rule_symbols: tuple[Token, ...],
              bounds: Bounds) -> bool:
    """Whether ``case`` is one of the Cases counted by :func:`count_cases` (checks the gold target)."""
    used = {token for token in rule if token in rule_symbols}
    low, high = bounds.case_length
    return set(case) == used and all(low <= len(s) <= high for s in case.values()) and (
        substitute(rule, case) == result
    )


def count_cases(rule: tuple[Token, ...], result: tuple[Token, ...], rule_symbols: tuple[Token, ...],
                bounds: Bounds, max_nodes: int | None = None) -> int:
    """Cases (a string of allowed length for every rule symbol in ``rule``) with rule under it = result.

    A symbol's string is chosen at its first occurrence (every length that fits) and checked at the
    later ones; a branch is cut when the Result left cannot be covered by the lengths still possible.
    Raises :class:`CapReached` after ``max_nodes`` search nodes.
    """
    is_symbol = [token in rule_symbols for token in rule]
    low, high = bounds.case_length
    n, size = len(result), len(rule)
    # Per suffix of the Rule: its literals and each symbol's occurrences (to bound the length left).
    literals_after = [0] * (size + 1)
    occurrences_after: list[dict[Token, int]] = [{} for _ in range(size + 1)]
    for i in range(size - 1, -1, -1):
        literals_after[i] = literals_after[i + 1] + (not is_symbol[i])
        occurrences_after[i] = dict(occurrences_after[i + 1])
        if is_symbol[i]:
            occurrences_after[i][rule[i]] = occurrences_after[i].get(rule[i], 0) + 1
    assigned: Case = {}
    nodes = 0

    def feasible(i: int, position: int) -> bool:
        fixed, free = literals_after[i], 0
        for symbol, count in occurrences_after[i].items():
            if symbol in assigned:
                fixed += count * len(assigned[symbol])
            else:
                free += count
        left = n - position
        return fixed + free * low <= left <= fixed + free * high

    def search(i: int, position: int) -> int:
        nonlocal nodes
        nodes += 1
        if max_nodes is not None and nodes > max_nodes:
            raise CapReached
        if i == size:
            return int(position == n)
        token = rule[i]
        if not is_symbol[i]:
            return search(i + 1, position + 1) if position < n and result[position] == token else 0
        if token in assigned:
            string = assigned[token]
            end = position + len(string)
            return search(i + 1, end) if result[position:end] == string else 0
        total = 0
        for length in range(low, min(high, n - position) + 1):
            assigned[token] = result[position : position + length]
            if feasible(i + 1, position + length):
                total += search(i + 1, position + length)
            del assigned[token]
        return total

    return search(0, 0) if feasible(0, 0) else 0


def knob_range(config: dict[str, Any], name: str) -> Range:
    low, _, high = str(config[name]).partition("..")
    return int(low), int(high or low)


def reading_bounds(config: dict[str, Any]) -> dict[str, Bounds]:
    """The two readings' bounds; the support's come from the dataset's generator config."""
    support = Bounds(knob_range(config, "rule_symbols"), knob_range(config, "rule_math"),
                     knob_range(config, "case_length"))
    return {"definition": Bounds(), "support": support}


def count_example(task: str, src: str, tgt: str, bounds: Bounds, max_nodes: int | None) -> int:
    """Solutions of one example under one reading; asserts that the gold target is among them."""
    source = parse_source(src)
    target = tuple(tgt.split())
    if task == "induct":
        result, case_tokens = source.parts
        case = parse_case(case_tokens)
        assert tuple(case) == source.rule_symbols, f"case symbols differ from the header: {src}"
        assert rule_fits(target, case, result, source.math_symbols, bounds), f"gold rule does not fit: {src}"
        count = count_rules(result, case, source.math_symbols, bounds)
    else:
        rule, result = source.parts
        assert set(result) <= source.case_symbols | source.math_symbols, f"result token outside case/math: {src}"
        gold = parse_case(target)
        assert case_fits(gold, rule, result, source.rule_symbols, bounds), f"gold case does not fit: {src}"
        try:
            count = count_cases(rule, result, source.rule_symbols, bounds, max_nodes)
        except CapReached:
            return -1
    assert count >= 1, f"gold target fits but was not counted: {src}"
    return count


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", type=Path, required=True, help="a dataset directory written by lime generate")
    parser.add_argument("--split", default="valid", help="the split to read (default valid)")
    parser.add_argument("--limit", type=int, help="only the first N records")
    parser.add_argument("--max-nodes", type=int, default=1_000_000,
                        help="abduct search nodes per example before giving up (default 1000000)")
    parser.add_argument("--json", action="store_true", help="print the figures as JSON instead of a table")
    args = parser.parse_args()
    meta = json.loads((args.data / "meta.json").read_text())
    if not meta["config"].get("header", True):
        parser.error("the dataset has no <UPPER> header (--no-header): rule and math symbols are unknown")
    bounds = reading_bounds(meta["config"])
    records = read_records(args.data, args.split, limit=args.limit)
    default_task = meta.get("task")
    rows = []
    for task in ("induct", "abduct"):
        chosen = [r for r in records if r.get("task", default_task) == task]
        if not chosen:
            continue
        for reading in READINGS:
            began = time.perf_counter()
            counts = [count_example(task, r["src"], r["tgt"], bounds[reading], args.max_nodes) for r in chosen]
            seconds = time.perf_counter() - began
            exact = [c for c in counts if c > 0]
            rows.append({
                "task": task, "reading": reading, "examples": len(counts),
                "ambiguous": sum(c != 1 for c in counts) / len(counts),
                "ceiling": sum(1 / c for c in exact) / len(counts),  # capped examples: unknown, left at 0
                "capped": len(counts) - len(exact), "max_solutions": max(exact, default=0),
                "mean_solutions": sum(exact) / max(len(exact), 1), "seconds": round(seconds, 2),
            })
    if args.json:
        print(json.dumps({"data": str(args.data), "split": args.split, "rows": rows}, indent=2))
        return
    print(f"{'task':7} {'reading':10} {'examples':>8} {'>1 solution':>11} {'ceiling':>8} {'mean sol.':>9} "
          f"{'max sol.':>8} {'capped':>6} {'s':>6}")
    for row in rows:
        print(f"{row['task']:7} {row['reading']:10} {row['examples']:8d} {row['ambiguous']:11.2%} "
              f"{row['ceiling']:8.2%} {row['mean_solutions']:9.3f} {row['max_solutions']:8d} {row['capped']:6d} "
              f"{row['seconds']:6.2f}")


if __name__ == "__main__":
    main()
