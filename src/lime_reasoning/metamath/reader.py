"""Parsing the token list of a database into statements, following the Metamath specification.

Scopes (``${ $}``) limit variables, hypotheses and ``$d`` conditions; constants live only in the
outermost scope; every label is unique; a statement may only use active symbols, and the variables of
``$e``/``$a``/``$p`` statements must be typed by active ``$f`` hypotheses. Each ``$a``/``$p`` gets
its frame here (mandatory hypotheses, variables and ``$d`` pairs), so the verifier never has to
recompute one. Statement boundaries are found with ``list.index`` and symbol checks are set
operations, both in C; the Python loop runs once per statement, not once per token.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from itertools import combinations
from pathlib import Path

from lime_reasoning.errors import LimeError
from lime_reasoning.metamath.database import Assertion, Database, Hypothesis, Statement, expression
from lime_reasoning.metamath.lexer import Lexed, lex

LABEL = re.compile(r"[A-Za-z0-9._-]+")
KEYWORDS = frozenset({"$c", "$v", "$f", "$e", "$d", "$a", "$p", "$=", "$.", "${", "$}", "$[", "$]"})


@dataclass
class Scope:
    """What a ``${ ... $}`` block added, so that closing it can take it back."""

    start: int
    variables: list[str] = field(default_factory=list)
    hypotheses: list[Hypothesis] = field(default_factory=list)
    essentials: int = 0
    disjoint: int = 0


class Reader:
    """One pass over the tokens; see the module docstring."""

    def __init__(self, lexed: Lexed, path: Path, stop_after: str | None = None) -> None:
        self.tokens = lexed.tokens
        self.lexed = lexed
        self.path = path
        self.stop_after = stop_after
        self.statements: dict[str, Statement] = {}
        self.assertions: list[Assertion] = []
        self.floating: list[Hypothesis] = []
        self.constants: dict[str, int] = {}
        self.all_variables: set[str] = set()
        self.active_variables: set[str] = set()
        self.active_symbols: set[str] = set()
        self.typing: dict[str, Hypothesis] = {}
        self.essentials: list[Hypothesis] = []
        self.disjoint: list[frozenset[str]] = []
        self.scopes: list[Scope] = [Scope(0)]
        self.counts = {"statements": 0, "$c": 0, "$v": 0, "$f": 0, "$e": 0, "$d": 0, "$a": 0, "$p": 0}
        self._frame_cache: tuple[int, int, tuple[Hypothesis, ...], frozenset[str]] | None = None
        self._context_cache: tuple[int, int, tuple[frozenset[str], ...]] | None = None
        self.comment_before = {comment.before_token: comment for comment in lexed.comments}

    # -- errors -------------------------------------------------------------------------------

    def fail(self, token: int, message: str, label: str | None = None) -> LimeError:
        where = self.lexed.source_map.where(token)
        return LimeError(f"{where}: {label}: {message}" if label else f"{where}: {message}")

    # -- the main loop ------------------------------------------------------------------------

    def read(self) -> Database:
        tokens = self.tokens
        position, count = 0, len(tokens)
        while position < count:
            token = tokens[position]
            if token[0] != "$":
                position = self._labelled(position)
                if self.stop_after is not None and token == self.stop_after:
                    break
            elif token == "${":
                self.scopes.append(Scope(position))
                self.counts["statements"] += 1
                position += 1
            elif token == "$}":
                self._close_scope(position)
                position += 1
            elif token in ("$c", "$v", "$d"):
                position = self._declaration(position)
            elif token == "$[":
                if len(self.scopes) > 1:
                    raise self.fail(position, "a file may only be included in the outermost scope")
                position += 3
            elif token in ("$f", "$e", "$a", "$p"):
                raise self.fail(position, f"{token} statement without a label")
            elif token in KEYWORDS:
                raise self.fail(position, f"unexpected {token}")
            else:
                raise self.fail(position, f"unknown keyword or symbol {token!r} (symbols may not contain '$')")
        else:
            if len(self.scopes) > 1:
                raise self.fail(self.scopes[-1].start, "this '${' is never closed by '$}'")
        self.counts["$a+$p"] = self.counts["$a"] + self.counts["$p"]
        return Database(
            path=self.path,
            statements=self.statements,
            assertions=self.assertions,
            floating=self.floating,
            constants=self.constants,
            variables=frozenset(self.all_variables),
            source_map=self.lexed.source_map,
            comments=self.lexed.comments,
            counts=self.counts,
        )

    def _statement_end(self, start: int, what: str, label: str | None = None) -> int:
        """Index of the ``$.`` closing the statement that starts at ``start``."""
        try:
            return self.tokens.index("$.", start + 1)
        except ValueError:
            raise self.fail(start, f"{what} statement is never closed by '$.'", label) from None

    def _check_symbols(self, symbols: list[str], start: int, what: str, label: str | None = None) -> None:
        """Every symbol must be active; a keyword among them means a missing ``$.``."""
        if self.active_symbols.issuperset(symbols):
            return
        for offset, symbol in enumerate(symbols):
            if symbol in self.active_symbols:
                continue
            at = start + offset
            if "$" in symbol:
                raise self.fail(at, f"unexpected {symbol} inside a {what} statement (is a '$.' missing?)", label)
            if symbol in self.all_variables:
                raise self.fail(at, f"variable {symbol} is used outside the scope of its $v declaration", label)
            raise self.fail(at, f"symbol {symbol} is not declared", label)

    # -- declarations: $c $v $d ---------------------------------------------------------------

    def _declaration(self, position: int) -> int:
        keyword = self.tokens[position]
        end = self._statement_end(position, keyword)
        symbols = self.tokens[position + 1 : end]
        if not symbols:
            raise self.fail(position, f"empty {keyword} statement")
        if len(set(symbols)) != len(symbols):
            repeated = next(s for i, s in enumerate(symbols) if s in symbols[:i])
            raise self.fail(position, f"{repeated} appears twice in one {keyword} statement")
        self.counts["statements"] += 1
        self.counts[keyword] += 1
        if keyword == "$d":
            self._check_symbols(symbols, position + 1, "$d")
            not_variables = [s for s in symbols if s not in self.active_variables]
            if not_variables:
                raise self.fail(position, f"$d lists {not_variables[0]}, which is not a variable")
            self.disjoint.append(frozenset(symbols))
            self.scopes[-1].disjoint += 1
            return end + 1
        for offset, symbol in enumerate(symbols):
            self._declare(symbol, keyword, position + 1 + offset)
        return end + 1

    def _declare(self, symbol: str, keyword: str, token: int) -> None:
        if "$" in symbol:
            raise self.fail(token, f"unexpected {symbol} inside a {keyword} statement (is a '$.' missing?)")
        if symbol in self.statements:
            raise self.fail(token, f"math symbol {symbol} is already used as a label")
        if keyword == "$c":
            if len(self.scopes) > 1:
                raise self.fail(token, f"constant {symbol} must be declared in the outermost scope")
            if symbol in self.constants:
                raise self.fail(token, f"constant {symbol} is declared twice")
            if symbol in self.all_variables:
                raise self.fail(token, f"{symbol} is already declared as a variable")
            self.constants[symbol] = len(self.statements)
        else:
            if symbol in self.constants:
                raise self.fail(token, f"{symbol} is already declared as a constant")
            if symbol in self.active_variables:
                raise self.fail(token, f"variable {symbol} is declared twice in the same scope")
            self.all_variables.add(symbol)
            self.active_variables.add(symbol)
            self.scopes[-1].variables.append(symbol)
        self.active_symbols.add(symbol)

    def _close_scope(self, position: int) -> None:
        if len(self.scopes) == 1:
            raise self.fail(position, "'$}' without a matching '${'")
        scope = self.scopes.pop()
        index = len(self.statements)
        for variable in scope.variables:
            self.active_variables.discard(variable)
            self.active_symbols.discard(variable)
        for hypothesis in scope.hypotheses:
            hypothesis.end = index
            if hypothesis.kind == "f":
                del self.typing[hypothesis.variable]
        if scope.essentials:
            del self.essentials[-scope.essentials :]
        if scope.disjoint:
            del self.disjoint[-scope.disjoint :]
        self.counts["statements"] += 1

    # -- labelled statements: $f $e $a $p -----------------------------------------------------

    def _labelled(self, position: int) -> int:
        tokens = self.tokens
        label = tokens[position]
        if not LABEL.fullmatch(label):
            raise self.fail(position, f"{label!r} is not a valid label (letters, digits, '-', '_', '.')")
        if label in self.statements:
            first = self.statements[label]
            raise self.fail(position, f"label is already defined at {self.lexed.source_map.where(first.token)}", label)
        if label in self.active_symbols or label in self.all_variables:
            raise self.fail(position, "label is already used as a math symbol", label)
        keyword = tokens[position + 1] if position + 1 < len(tokens) else "(end of file)"
        if keyword not in ("$f", "$e", "$a", "$p"):
            raise self.fail(position, f"a label must be followed by $f, $e, $a or $p, not {keyword}", label)
        end = self._statement_end(position + 1, keyword, label)
        self.counts["statements"] += 1
        self.counts[keyword] += 1
        if keyword == "$p":
            try:
                equals = tokens.index("$=", position + 2, end)
            except ValueError:
                raise self.fail(position, "$p statement has no proof ('$=' is missing)", label) from None
            symbols = tokens[position + 2 : equals]
        else:
            equals = end
            symbols = tokens[position + 2 : end]
        if not symbols:
            raise self.fail(position, f"empty {keyword} statement", label)
        self._check_symbols(symbols, position + 2, keyword, label)
        typecode = symbols[0]
        if typecode not in self.constants:
            raise self.fail(position + 2, f"the statement must start with a constant (its typecode), not {typecode}", label)
        index = len(self.statements)
        if keyword == "$f":
            statement: Statement = self._floating(label, symbols, index, position)
        else:
            used = self.active_variables.intersection(symbols)
            untyped = used.difference(self.typing)
            if untyped:
                raise self.fail(position, f"variable {min(untyped)} has no active $f hypothesis", label)
            if keyword == "$e":
                statement = Hypothesis(label, "e", typecode, expression(symbols), index, position, variables=frozenset(used))
                self.essentials.append(statement)
                self.scopes[-1].essentials += 1
                self.scopes[-1].hypotheses.append(statement)
            else:
                statement = self._assertion(label, keyword, symbols, used, index, position)
                if keyword == "$p":
                    statement.proof = self._proof(equals, end, label)
        self.statements[label] = statement
        return end + 1

    def _proof(self, equals: int, end: int, label: str) -> list[str]:
        """The tokens between ``$=`` and ``$.``; a keyword among them means a missing ``$.``."""
        proof = self.tokens[equals + 1 : end]
        if not proof:
            raise self.fail(equals, "empty proof (write '?' for an unknown one)", label)
        if "$" in "".join(proof):
            offset, keyword = next((i, t) for i, t in enumerate(proof) if "$" in t)
            raise self.fail(equals + 1 + offset, f"unexpected {keyword} inside a proof (is a '$.' missing?)", label)
        return proof

    def _floating(self, label: str, symbols: list[str], index: int, position: int) -> Hypothesis:
        if len(symbols) != 2:
            raise self.fail(position, "a $f statement must be a typecode and one variable", label)
        typecode, variable = symbols
        if variable not in self.active_variables:
            raise self.fail(position + 3, f"{variable} is not a variable", label)
        if variable in self.typing:
            other = self.typing[variable]
            raise self.fail(position, f"variable {variable} is already typed by the active $f {other.label}", label)
        hypothesis = Hypothesis(label, "f", typecode, expression(symbols), index, position, variable=variable)
        self.typing[variable] = hypothesis
        self.scopes[-1].hypotheses.append(hypothesis)
        self.floating.append(hypothesis)
        return hypothesis

    def _essential_frame(self) -> tuple[tuple[Hypothesis, ...], frozenset[str]]:
        """The active ``$e`` hypotheses and their variables, cached while they stay the same."""
        key = (len(self.essentials), id(self.essentials[-1]) if self.essentials else 0)
        cache = self._frame_cache
        if cache is None or cache[:2] != key:
            essentials = tuple(self.essentials)
            variables = frozenset().union(*(h.variables for h in essentials))
            self._frame_cache = cache = (*key, essentials, variables)
        return cache[2], cache[3]

    def _context(self) -> tuple[frozenset[str], ...]:
        """The ``$d`` statements in scope, as one tuple shared by the theorems that see the same ones."""
        key = (len(self.disjoint), id(self.disjoint[-1]) if self.disjoint else 0)
        cache = self._context_cache
        if cache is None or cache[:2] != key:
            self._context_cache = cache = (*key, tuple(self.disjoint))
        return cache[2]

    def _assertion(
        self, label: str, keyword: str, symbols: list[str], used: set[str], index: int, position: int
    ) -> Assertion:
        essentials, essential_variables = self._essential_frame()
        mandatory = used | essential_variables
        floats = sorted((self.typing[v] for v in mandatory), key=lambda h: h.index)
        hypotheses = tuple(sorted(floats + list(essentials), key=lambda h: h.index))
        context = self._context()
        pairs = set()
        for group in context:
            inside = group & mandatory
            if len(inside) > 1:
                pairs.update(combinations(sorted(inside), 2))
        assertion = Assertion(
            label=label,
            kind=keyword[1],
            typecode=symbols[0],
            expression=expression(symbols),
            index=index,
            token=position,
            hypotheses=hypotheses,
            variables=tuple(h.variable for h in floats),
            disjoint=frozenset(pairs),
            context=context if keyword == "$p" else (),
            comment=self.comment_before.get(position),
        )
        self.assertions.append(assertion)
        return assertion


def read_database(path: Path | str, stop_after: str | None = None) -> Database:
    """Read and check the database at ``path`` (its includes too); proofs are not verified here.

    ``stop_after`` ends reading just after the statement with that label, for quick partial runs.
    """
    path = Path(path)
    reader = Reader(lex(path), path, stop_after)
    database = reader.read()
    if stop_after is not None and stop_after not in database.statements:
        raise LimeError(f"{path}: no statement labelled {stop_after}")
    return database
