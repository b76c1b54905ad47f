"""A straightforward per-example pure-Python generator: the benchmark's baseline.

It implements the same tasks with the same distribution *and the same sequence of random draws* as
the compiled generator (one Python loop per example, lists of strings, ``" ".join``), so the benchmark
compares like with like, and the test suite can check that both produce byte-identical files.
"""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np

STRUCTURAL = ("<UPPER>", "<LOWER>", "<MATH>", "<space>", ":", "[", "]", ",", "->")
PEIRCE = {
    "deduct": (("rule", "case"), ("result",)),
    "abduct": (("rule", "result"), ("case",)),
    "induct": (("result", "case"), ("rule",)),
    "induct_v2": (("result",), ("case", "rule")),
    "induct_v3": (("result", "result2"), ("rule",)),
    "induct_hard": (("result",), ("rule",)),
    "induct_v2_double": (("result", "result2"), ("case", "case2", "rule")),
}
ALIASES = {"mixed": ["deduct", "induct", "abduct"]}


class Draws:
    """Exactly uniform integers (Lemire's method) from 32-bit words: each raw 64-bit output of the
    numpy generator split in two, low half first."""

    def __init__(self, rng: np.random.Generator) -> None:
        self.bits = rng.bit_generator
        self.words: list[int] = []
        self.position = 0

    def word(self) -> int:
        if self.position == len(self.words):
            self.words = self.bits.random_raw(4096).view(np.uint32).tolist()
            self.position = 0
        self.position += 1
        return self.words[self.position - 1]

    def below(self, bound: int) -> int:
        while True:
            product = self.word() * bound
            low = product & 0xFFFFFFFF
            if low >= bound or low >= (2**32 - bound) % bound:
                return product >> 32

    def between(self, low: int, high: int) -> int:
        return low + self.below(high - low + 1)


class Config:
    """The reference knobs (the defaults of ``lime generate``)."""

    vocab, upper, lower, math = 1000, 24, 24, 20
    rule_symbols, rule_math, case_length = (3, 5), (5, 19), (2, 8)
    rewrite_length, rewrite_window, rewrite_rhs = (10, 20), (5, 20), (5, 20)
    multistep_length, multistep_window, multistep_rhs, steps = (5, 10), (3, 7), (3, 7), (1, 5)
    ratio = 1.5
    set_length, set_alphabet = (10, 80), (5, 40)


def draw_symbols(draws: Draws, config: Config, count: int) -> list[int]:
    chosen: list[int] = []
    while len(chosen) < count:
        value = draws.below(config.vocab)
        if value not in chosen:
            chosen.append(value)
    return chosen


def header(symbols: list[int], shown: list[bool], config: Config) -> list[str]:
    drawn = len(shown)
    upper = [str(symbols[s]) for s in range(drawn) if shown[s]]
    lower = [str(s) for s in symbols[drawn : drawn + config.lower]]
    math = [str(s) for s in symbols[drawn + config.lower : drawn + config.lower + config.math]]
    return ["<UPPER>", *upper, "<LOWER>", *lower, "<MATH>", *math, "<space>"]


def join_parts(parts: list[list[str]]) -> list[str]:
    out: list[str] = []
    for index, part in enumerate(parts):
        out += (["<space>"] if index else []) + part
    return out


def peirce(task: str, draws: Draws, config: Config) -> tuple[list[str], list[str]]:
    k_max = config.rule_symbols[1]
    symbols = draw_symbols(draws, config, k_max + config.lower + config.math)
    k = draws.between(*config.rule_symbols)
    m = draws.between(*config.rule_math)
    length, to_place = 2 * k + m, 2 * k
    rule: list[int] = []  # symbol ids, or -(slot + 1)
    used = [False] * k_max
    for position in range(length):
        if draws.below(length - position) < to_place:
            slot = draws.below(k)
            rule.append(-(slot + 1))
            used[slot] = True
            to_place -= 1
        else:
            rule.append(symbols[k_max + config.lower + draws.below(config.math)])
    source_names, target_names = PEIRCE[task]
    cases = []
    for _ in range(2 if {"case2", "result2"} & set(source_names + target_names) else 1):
        case = {}
        for slot in range(k_max):
            if used[slot]:
                size = draws.between(*config.case_length)
                case[slot] = [symbols[k_max + draws.below(config.lower + config.math)] for _ in range(size)]
        cases.append(case)

    def render_case(case: dict[int, list[int]]) -> list[str]:
        out: list[str] = []
        for slot, string in case.items():
            out += ([","] if out else []) + [str(symbols[slot]), ":", "["] + [str(s) for s in string] + ["]"]
        return out

    def render_result(case: dict[int, list[int]]) -> list[str]:
        return [str(s) for token in rule for s in (case[-token - 1] if token < 0 else [token])]

    parts = {
        "rule": [str(symbols[-t - 1] if t < 0 else t) for t in rule],
        "case": render_case(cases[0]),
        "result": render_result(cases[0]),
    }
    if len(cases) > 1:
        parts["case2"], parts["result2"] = render_case(cases[1]), render_result(cases[1])
    source = header(symbols, used, config) + join_parts([parts[n] for n in source_names])
    return source, join_parts([parts[n] for n in target_names])


def draw_string(draws: Draws, symbols: list[int], drawn: int, cases: int, maths: int, config: Config):
    length, cases_left = cases + maths, cases
    tokens, is_case = [], []
    for position in range(length):
        if draws.below(length - position) < cases_left:
            tokens.append(symbols[drawn + draws.below(config.lower)])
            is_case.append(True)
            cases_left -= 1
        else:
            tokens.append(symbols[drawn + config.lower + draws.below(config.math)])
            is_case.append(False)
    return tokens, is_case


def rewrite_step(draws, symbols, drawn, tokens, is_case, window, rhs_range, config):
    size = draws.between(window[0], min(window[1], len(tokens)))
    start = draws.below(len(tokens) - size + 1)
    variables: list[int] = []
    lhs = []
    for token, case in zip(tokens[start : start + size], is_case[start : start + size]):
        if case:
            if token not in variables:
                variables.append(token)
            lhs.append(symbols[variables.index(token)])
        else:
            lhs.append(token)
    rhs_length = draws.between(*rhs_range) + len(variables)
    items = list(range(rhs_length))
    for i in range(rhs_length - 1, 0, -1):
        j = draws.below(i + 1)
        items[i], items[j] = items[j], items[i]
    rhs = [-(i + 1) if i < len(variables) else symbols[drawn + config.lower + draws.below(config.math)] for i in items]
    middle = [variables[-t - 1] if t < 0 else t for t in rhs]
    new_tokens = tokens[:start] + middle + tokens[start + size :]
    new_case = is_case[:start] + [t < 0 for t in rhs] + is_case[start + size :]
    rule = [str(t) for t in lhs] + ["->"] + [str(symbols[-t - 1] if t < 0 else t) for t in rhs]
    return rule, new_tokens, new_case, len(variables)


def rewrite(task: str, draws: Draws, config: Config) -> tuple[list[str], list[str]]:
    drawn = min(config.rewrite_window[1], config.lower)
    symbols = draw_symbols(draws, config, drawn + config.lower + config.math)
    cases = draws.between(*config.rewrite_length)
    tokens, is_case = draw_string(draws, symbols, drawn, cases, round(config.ratio * cases), config)
    rule, new_tokens, _, variables = rewrite_step(
        draws, symbols, drawn, tokens, is_case, config.rewrite_window, config.rewrite_rhs, config
    )
    top = header(symbols, [slot < variables for slot in range(drawn)], config)
    string, rewritten = [str(t) for t in tokens], [str(t) for t in new_tokens]
    if task == "rewrite":
        return top + rule + ["<space>"] + string, rewritten
    return top + string + ["<space>"] + rewritten, rule


def multistep(task: str, draws: Draws, config: Config) -> tuple[list[str], list[str]]:
    drawn = config.upper
    symbols = draw_symbols(draws, config, drawn + config.lower + config.math)
    maths = draws.between(*config.multistep_length)
    tokens, is_case = draw_string(draws, symbols, drawn, round(config.ratio * maths), maths, config)
    initial = [str(t) for t in tokens]
    steps = draws.between(*config.steps)
    rules, strings = [], []
    for _ in range(steps):
        rule, tokens, is_case, _ = rewrite_step(
            draws, symbols, drawn, tokens, is_case, config.multistep_window, config.multistep_rhs, config
        )
        rules.append(rule)
        strings.append([str(t) for t in tokens])
    source = header(symbols, [True] * drawn, config) + join_parts(rules) + ["<space>"] + initial
    target = join_parts(strings) if task == "rewrite_multistep_easy" else strings[-1]
    return source, target


def sequence(task: str, draws: Draws, config: Config) -> tuple[list[str], list[str]]:
    size = draws.between(*config.set_alphabet)
    alphabet: list[int] = []
    while len(alphabet) < size:
        value = draws.below(config.vocab)
        if value not in alphabet:
            alphabet.append(value)
    length = draws.between(*config.set_length)
    source = [str(alphabet[draws.below(size)]) for _ in range(length)]
    return source, source if task == "identity" else list(dict.fromkeys(source))


def generate(task: str, draws: Draws, config: Config) -> tuple[str, str]:
    if task in ("set", "identity"):
        source, target = sequence(task, draws, config)
    elif task in PEIRCE:
        source, target = peirce(task, draws, config)
    elif task in ("rewrite", "induct_rewrite"):
        source, target = rewrite(task, draws, config)
    else:
        source, target = multistep(task, draws, config)
    return " ".join(source), " ".join(target)


def block(task: str, seed: int, split_code: int, index: int, size: int) -> Iterator[tuple[str, str, str]]:
    """The examples of one block, as the compiled generator seeds and draws them."""
    tasks = ALIASES.get(task, task.split(","))
    rng = np.random.default_rng([seed, split_code, index])
    weights = np.full(len(tasks), 1 / len(tasks))
    choices = rng.choice(len(tasks), size=size, p=weights).tolist() if len(tasks) > 1 else [0] * size
    draws = Draws(rng)
    config = Config()
    for choice in choices:
        source, target = generate(tasks[choice], draws, config)
        yield source, target, tasks[choice]
