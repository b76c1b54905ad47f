"""An independent checker of synthetic LIME examples, written from the task definitions in LIME.md.

It re-parses a (source, target) text pair and verifies its *meaning*: the header declares disjoint
roles and every symbol is used in its role; the Result is the Rule with the Case applied; every
rewrite step is a correct application of its rule; lengths lie in the configured ranges. It shares no
code with the generator.
"""

from __future__ import annotations

from dataclasses import dataclass, field

STRUCTURAL = {"<UPPER>", "<LOWER>", "<MATH>", "<space>", ":", "[", "]", ",", "->"}


class Invalid(AssertionError):
    pass


def require(condition: bool, message: str) -> None:
    if not condition:
        raise Invalid(message)


@dataclass
class Knobs:
    """The configured ranges, as plain tuples (independent of the package's config class)."""

    vocab_size: int = 1000
    upper: int = 24
    lower: int = 24
    math: int = 20
    rule_symbols: tuple[int, int] = (3, 5)
    rule_math: tuple[int, int] = (5, 19)
    case_length: tuple[int, int] = (2, 8)
    rewrite_length: tuple[int, int] = (10, 20)
    rewrite_window: tuple[int, int] = (5, 20)
    rewrite_rhs: tuple[int, int] = (5, 20)
    multistep_length: tuple[int, int] = (5, 10)
    multistep_window: tuple[int, int] = (3, 7)
    multistep_rhs: tuple[int, int] = (3, 7)
    steps: tuple[int, int] = (1, 5)
    ratio: float = 1.5
    set_length: tuple[int, int] = (10, 80)
    set_alphabet: tuple[int, int] = (5, 40)


def within(value: int, bounds: tuple[int, int], what: str) -> None:
    require(bounds[0] <= value <= bounds[1], f"{what} = {value} outside {bounds}")


@dataclass
class Roles:
    """The roles the header declares (an example without a header is checked through the one with)."""

    upper: list[str] = field(default_factory=list)
    lower: set[str] = field(default_factory=set)
    math: set[str] = field(default_factory=set)

    def is_upper(self, token: str) -> bool:
        return token in self.upper

    def is_lower(self, token: str) -> bool:
        return token in self.lower

    def is_math(self, token: str) -> bool:
        return token in self.math


def split_on(tokens: list[str], separator: str) -> list[list[str]]:
    parts: list[list[str]] = [[]]
    for token in tokens:
        if token == separator:
            parts.append([])
        else:
            parts[-1].append(token)
    return parts


def parse_header(tokens: list[str], knobs: Knobs) -> tuple[Roles, list[str]]:
    require(tokens[:1] == ["<UPPER>"], "source does not start with <UPPER>")
    lower_at, math_at = tokens.index("<LOWER>"), tokens.index("<MATH>")
    upper = tokens[1:lower_at]
    lower = tokens[lower_at + 1 : math_at]
    math = tokens[math_at + 1 : math_at + 1 + knobs.math]
    require(len(lower) == knobs.lower, f"{len(lower)} case symbols in the header, expected {knobs.lower}")
    require(tokens[math_at + 1 + knobs.math] == "<space>", "header does not end with <space>")
    symbols = upper + lower + math
    require(len(set(symbols)) == len(symbols), "header symbols are not distinct")
    for symbol in symbols:
        require(symbol.isdigit() and int(symbol) < knobs.vocab_size, f"symbol {symbol!r} outside the vocabulary")
    return Roles(upper, set(lower), set(math)), tokens[math_at + 2 + knobs.math :]


# --- Deduct / Induct / Abduct ----------------------------------------------------------------


def parse_case(tokens: list[str], roles: Roles) -> dict[str, list[str]]:
    """``A : [ x y ] , B : [ z ]`` -> {A: [x, y], B: [z]} (order kept)."""
    case: dict[str, list[str]] = {}
    position = 0
    while position < len(tokens):
        if case:
            require(tokens[position] == ",", f"expected ',' between case entries, got {tokens[position]!r}")
            position += 1
        symbol = tokens[position]
        require(roles.is_upper(symbol), f"case key {symbol!r} is not a rule symbol")
        require(symbol not in case, f"rule symbol {symbol} has two strings")
        require(tokens[position + 1 : position + 3] == [":", "["], "case entry not of the form 'A : [ ... ]'")
        close = tokens.index("]", position + 3)
        value = tokens[position + 3 : close]
        for token in value:
            require(token not in STRUCTURAL, f"structural token {token!r} inside a case string")
            require(roles.is_lower(token) or roles.is_math(token), f"case string token {token!r} is not case/math")
        case[symbol] = value
        position = close + 1
    return case


def check_rule(rule: list[str], roles: Roles, knobs: Knobs) -> set[str]:
    variables = [t for t in rule if roles.is_upper(t)]
    maths = [t for t in rule if roles.is_math(t)]
    require(len(variables) + len(maths) == len(rule), "a rule token is neither a rule nor a math symbol")
    require(len(variables) % 2 == 0, "rule symbol occurrences are not 2k")
    within(len(variables) // 2, knobs.rule_symbols, "k (rule symbols)")
    within(len(maths), knobs.rule_math, "math symbols in the rule")
    require(len(set(variables)) <= len(variables) // 2, "more distinct rule symbols than k")
    for token in rule:
        require(token not in STRUCTURAL, f"structural token {token!r} in a rule")
    return set(variables)


def apply(rule: list[str], case: dict[str, list[str]]) -> list[str]:
    result: list[str] = []
    for token in rule:
        result.extend(case.get(token, [token]))
    return result


def matches(rule: list[str], result: list[str], variables: set[str], knobs: Knobs) -> bool:
    """Is there a Case (strings of allowed length) with Rule + Case = Result? Backtracking search."""

    def search(i: int, j: int, binding: dict[str, list[str]]) -> bool:
        if i == len(rule):
            return j == len(result)
        token = rule[i]
        if token not in variables:
            return j < len(result) and result[j] == token and search(i + 1, j + 1, binding)
        if token in binding:
            value = binding[token]
            return result[j : j + len(value)] == value and search(i + 1, j + len(value), binding)
        for size in range(knobs.case_length[0], knobs.case_length[1] + 1):
            if j + size <= len(result):
                binding[token] = result[j : j + size]
                if search(i + 1, j + size, binding):
                    return True
                del binding[token]
        return False

    return search(0, 0, {})


def check_case(case: dict[str, list[str]], rule_variables: set[str], roles: Roles, knobs: Knobs) -> None:
    require(set(case) == rule_variables, "case keys differ from the rule symbols the rule uses")
    for value in case.values():
        within(len(value), knobs.case_length, "case string length")
    require(list(case) == roles.upper, "case entries are not in header order / header lists other symbols")


def check_peirce(task: str, body: list[str], target: list[str], roles: Roles, knobs: Knobs) -> None:
    source_parts = split_on(body, "<space>")
    target_parts = split_on(target, "<space>")
    if task in ("deduct", "abduct"):
        require(len(source_parts) == 2 and len(target_parts) == 1, "expected two source parts, one target")
        rule = source_parts[0]
        case_tokens, result = (source_parts[1], target) if task == "deduct" else (target, source_parts[1])
    elif task == "induct":
        require(len(source_parts) == 2 and len(target_parts) == 1, "expected two source parts, one target")
        result, case_tokens, rule = source_parts[0], source_parts[1], target
    elif task == "induct_v2":
        require(len(source_parts) == 1 and len(target_parts) == 2, "expected one source part, two targets")
        result, case_tokens, rule = body, target_parts[0], target_parts[1]
    elif task == "induct_v2_double":
        require(len(source_parts) == 2 and len(target_parts) == 3, "expected 2 source parts and 3 targets")
        rule = target_parts[2]
        variables = check_rule(rule, roles, knobs)
        for case_tokens, result in zip(target_parts[:2], source_parts):
            case = parse_case(case_tokens, roles)
            check_case(case, variables, roles, knobs)
            require(apply(rule, case) == result, "Rule with Case applied differs from Result")
        return
    else:  # induct_v3 (two results), induct_hard (one): the Case is hidden
        expected = 2 if task == "induct_v3" else 1
        require(len(source_parts) == expected and len(target_parts) == 1, f"expected {expected} results, one rule")
        rule = target
        variables = check_rule(rule, roles, knobs)
        require(set(roles.upper) == variables, "header lists other rule symbols than the rule uses")
        for result in source_parts:
            require(matches(rule, result, variables, knobs), "no Case turns the Rule into the Result")
        return
    variables = check_rule(rule, roles, knobs)
    case = parse_case(case_tokens, roles)
    check_case(case, variables, roles, knobs)
    require(apply(rule, case) == result, "Rule with Case applied differs from Result")


# --- Rewriting -------------------------------------------------------------------------------


def parse_rule(tokens: list[str]) -> tuple[list[str], list[str]]:
    require(tokens.count("->") == 1, "a rewrite rule needs exactly one '->'")
    arrow = tokens.index("->")
    return tokens[:arrow], tokens[arrow + 1 :]


def check_string(tokens: list[str], roles: Roles) -> None:
    for token in tokens:
        require(token not in STRUCTURAL, f"structural token {token!r} in a string")
        require(roles.is_lower(token) or roles.is_math(token), f"string token {token!r} is neither case nor math")


def rewrites(lhs: list[str], rhs: list[str], string: list[str], roles: Roles) -> list[list[str]]:
    """Every string that one application of ``lhs -> rhs`` to ``string`` can give.

    Variables are the rule symbols of ``lhs``; they stand for single case symbols, distinct variables
    for distinct symbols, numbered in order of first occurrence.
    """
    variables = [t for t in dict.fromkeys(lhs) if roles.is_upper(t)]
    outcomes = []
    for start in range(len(string) - len(lhs) + 1):
        window = string[start : start + len(lhs)]
        binding: dict[str, str] = {}
        ok = True
        for pattern, token in zip(lhs, window):
            if pattern in variables:
                if binding.setdefault(pattern, token) != token or not roles.is_lower(token):
                    ok = False
                    break
            elif pattern != token or roles.is_lower(token):
                ok = False  # a case symbol in the window must have become a variable
                break
        if ok and len(set(binding.values())) == len(binding):
            replaced = [binding.get(t, t) for t in rhs]
            outcomes.append(string[:start] + replaced + string[start + len(lhs) :])
    return outcomes


def check_rewrite_rule(lhs: list[str], rhs: list[str], roles: Roles, window: tuple[int, int],
                       rhs_range: tuple[int, int], string_length: int) -> None:
    within(len(lhs), (window[0], min(window[1], string_length)), "window length")
    variables = list(dict.fromkeys(t for t in lhs if roles.is_upper(t)))
    require(variables == roles.upper[: len(variables)], "variables are not the first rule symbols in order")
    rhs_variables = [t for t in rhs if roles.is_upper(t)]
    require(sorted(rhs_variables) == sorted(variables), "the right side must hold every variable exactly once")
    maths = [t for t in rhs if roles.is_math(t)]
    require(len(maths) + len(rhs_variables) == len(rhs), "right side holds a token that is neither")
    within(len(maths), rhs_range, "right-side math symbols")


def count_roles(tokens: list[str], roles: Roles) -> tuple[int, int]:
    return sum(roles.is_lower(t) for t in tokens), sum(roles.is_math(t) for t in tokens)


def check_rewrite(task: str, body: list[str], target: list[str], roles: Roles, knobs: Knobs) -> None:
    parts = split_on(body, "<space>")
    require(len(parts) == 2, "expected two source parts")
    if task == "rewrite":
        (lhs, rhs), string, rewritten = parse_rule(parts[0]), parts[1], target
    else:
        (lhs, rhs), string, rewritten = parse_rule(target), parts[0], parts[1]
    check_string(string, roles)
    cases, maths = count_roles(string, roles)
    within(cases, knobs.rewrite_length, "case symbols in the string")
    require(maths == round(knobs.ratio * cases), f"{maths} math symbols for {cases} case symbols")
    require(len(roles.upper) == len(set(t for t in lhs if roles.is_upper(t))), "header lists unused variables")
    check_rewrite_rule(lhs, rhs, roles, knobs.rewrite_window, knobs.rewrite_rhs, len(string))
    require(rewritten in rewrites(lhs, rhs, string, roles), "the rewritten string is not the rule applied")


def check_multistep(task: str, body: list[str], target: list[str], roles: Roles, knobs: Knobs) -> None:
    parts = split_on(body, "<space>")
    rules, initial = [parse_rule(p) for p in parts[:-1]], parts[-1]
    require("->" not in initial, "the last source part must be the string")
    within(len(rules), knobs.steps, "number of steps")
    check_string(initial, roles)
    require(len(roles.upper) == knobs.upper, "multi-step header must list every rule symbol")
    cases, maths = count_roles(initial, roles)
    within(maths, knobs.multistep_length, "math symbols in the initial string")
    require(cases == round(knobs.ratio * maths), f"{cases} case symbols for {maths} math symbols")
    expected = split_on(target, "<space>") if task == "rewrite_multistep_easy" else None
    if expected is not None:
        require(len(expected) == len(rules), "easy target needs one string per step")
    frontier = [initial]
    for index, (lhs, rhs) in enumerate(rules):
        check_rewrite_rule(lhs, rhs, roles, knobs.multistep_window, knobs.multistep_rhs, min(map(len, frontier)))
        following = [out for string in frontier for out in rewrites(lhs, rhs, string, roles)]
        if expected is not None:
            following = [s for s in following if s == expected[index]]
        require(following, f"rule {index + 1} does not rewrite the string into the next one")
        frontier = following
    if expected is None:
        require(target in frontier, "the target is not the string after every rewrite")


def check_sequence(task: str, source: list[str], target: list[str], knobs: Knobs) -> None:
    """identity: target = source; set: target = the source's distinct tokens by first occurrence."""
    within(len(source), knobs.set_length, "source length")
    require(len(set(source)) <= knobs.set_alphabet[1], "more distinct symbols than the alphabet allows")
    for token in source:
        require(token.isdigit() and int(token) < knobs.vocab_size, f"symbol {token!r} outside the vocabulary")
    expected = source if task == "identity" else list(dict.fromkeys(source))
    require(target == expected, f"the target is not the {task} of the source")


PEIRCE = {"deduct", "abduct", "induct", "induct_v2", "induct_v3", "induct_hard", "induct_v2_double"}


def check_example(task: str, source: str, target: str, knobs: Knobs) -> None:
    """Raise :class:`Invalid` unless (source, target) is a correct example of ``task`` under ``knobs``.

    A LIME example must carry its header, which declares the roles (the controls have none).
    """
    source_tokens, target_tokens = source.split(" "), target.split(" ")
    require("" not in source_tokens and "" not in target_tokens, "tokens must be separated by single spaces")
    if task in ("set", "identity"):
        check_sequence(task, source_tokens, target_tokens, knobs)
        return
    roles, body = parse_header(source_tokens, knobs)
    if task in PEIRCE:
        check_peirce(task, body, target_tokens, roles, knobs)
    elif task in ("rewrite", "induct_rewrite"):
        check_rewrite(task, body, target_tokens, roles, knobs)
    elif task in ("rewrite_multistep_hard", "rewrite_multistep_easy"):
        check_multistep(task, body, target_tokens, roles, knobs)
    else:
        raise Invalid(f"no checker for task {task!r}")
