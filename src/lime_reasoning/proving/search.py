"""Best-first proof search over sets of open goals (GPT-f style), every step judged by the step checker.

A search node is the tuple, in sorted order, of the ``|-`` goals still open; its score is the summed
log-probability of the steps taken to reach it. Expanding the best node asks the :class:`Proposer`
for candidate steps for its *first* open goal: every goal of a node must be proved for the node to
lead to a proof, so which one is expanded changes only the order of the work, not what can be found,
and a fixed choice keeps nodes reached in different orders identical (they are expanded once) and
the search deterministic. Each candidate that :class:`~lime_reasoning.metamath.checker.StepChecker`
accepts (with the evaluation's guarantees: in the theorem's own scope, no circular subgoal, and the
tautology rule where asked) makes a child node with the goal replaced by the step's subgoals; a
subgoal equal to one of the theorem's ``$e`` hypotheses closes at once. The first node with no open
goal is a proof. Ties between equal scores go to the node created first.

The budget counts expansions; candidates are asked for once per goal (a goal recurs across nodes).
With ``batch_goals`` (the default) an expansion asks for the candidates of *every* open goal of its node
not asked for before, in one call: the proposer then decodes them as one batch (the model's
``generate`` encodes each source once and shares it across the beams), and the nodes that later expand
those goals need no call. Which nodes are expanded, and so what is found in how many expansions, is the
same either way; only the model's work is grouped differently (``perf/bench_prover.py`` measures it).
"""

from __future__ import annotations

import heapq
import itertools
import time
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Protocol

from lime_reasoning.metamath.checker import StepChecker
from lime_reasoning.metamath.database import Assertion, expression
from lime_reasoning.metamath.notation import format_source, parse_target
from lime_reasoning.metamath.proof_assembly import ProofNode


def goal_source(theorem: Assertion, goal: str) -> str:
    """The MetaMathStep source of ``goal`` (text such as ``"|- ph"``) inside ``theorem``: the goal, then the
    theorem's ``$e`` hypotheses (:func:`~lime_reasoning.metamath.notation.format_source`), exactly as the
    examples a proposer learned from are written."""
    return format_source(expression(goal.split()), [h.expression for h in theorem.essentials])


class Proposer(Protocol):
    """Candidate steps (MetaMathStep targets with their log-probabilities, best first) for each goal."""

    def propose(self, theorem: str, goals: list[str], k: int) -> list[list[tuple[str, float]]]: ...


@dataclass(frozen=True)
class Step:
    """An accepted candidate: the target's assertion and substitution, its log-probability, its subgoals."""

    label: str
    substitution: tuple[str, ...]
    logprob: float
    subgoals: tuple[str, ...]


@dataclass(frozen=True)
class _Node:
    goals: tuple[str, ...]
    score: float
    parent: _Node | None = None
    goal: str = ""
    step: Step | None = None


@dataclass(frozen=True)
class SearchResult:
    """``stopped`` is ``proved``, ``budget``, ``time`` or ``exhausted`` (no node left to expand)."""

    found: bool
    expansions: int
    stopped: str
    tree: ProofNode | None = None


@dataclass(frozen=True)
class SearchConfig:
    budget: int
    k: int = 8
    max_seconds: float | None = None
    tautology: bool = False
    batch_goals: bool = True  # propose for all of a node's new goals in one call, not for its first goal alone


class ProofSearch:
    """Searches proofs of the theorems of one checker's database."""

    def __init__(self, checker: StepChecker, proposer: Proposer, config: SearchConfig) -> None:
        self.checker = checker
        self.proposer = proposer
        self.config = config

    def prove(self, theorem: Assertion) -> SearchResult:
        """Search a proof of ``theorem`` within the budget."""
        hypotheses = frozenset(h.expression.rstrip() for h in theorem.essentials)
        steps: dict[str, list[Step]] = {}
        order = itertools.count()
        root = _Node(_open((theorem.expression.rstrip(),), hypotheses), 0.0)
        if not root.goals:
            return SearchResult(True, 0, "proved", _tree(root, theorem))
        frontier = [(0.0, next(order), root)]
        expanded: set[tuple[str, ...]] = set()
        deadline = None if self.config.max_seconds is None else time.monotonic() + self.config.max_seconds
        expansions = 0
        while frontier:
            if expansions >= self.config.budget:
                return SearchResult(False, expansions, "budget")
            if deadline is not None and time.monotonic() >= deadline:
                return SearchResult(False, expansions, "time")
            node = heapq.heappop(frontier)[2]
            if node.goals in expanded:
                continue
            expanded.add(node.goals)
            expansions += 1
            goal, rest = node.goals[0], node.goals[1:]
            wanted = [g for g in (node.goals if self.config.batch_goals else (goal,)) if g not in steps]
            if wanted:
                steps.update(zip(wanted, self._steps(theorem, wanted)))
            for step in steps[goal]:
                child = _Node(_open(rest + step.subgoals, hypotheses), node.score + step.logprob, node, goal, step)
                if not child.goals:
                    return SearchResult(True, expansions, "proved", _tree(child, theorem))
                heapq.heappush(frontier, (-child.score, next(order), child))
        return SearchResult(False, expansions, "exhausted")

    def _steps(self, theorem: Assertion, goals: list[str]) -> list[list[Step]]:
        """Per goal, the proposer's candidates that the checker accepts, best first, without repeats."""
        proposals = self.proposer.propose(theorem.label, goals, self.config.k)
        return [self._accepted(theorem, goal, candidates) for goal, candidates in zip(goals, proposals, strict=True)]

    def _accepted(self, theorem: Assertion, goal: str, candidates: list[tuple[str, float]]) -> list[Step]:
        accepted: dict[str, Step] = {}
        for target, logprob in candidates:
            key = " ".join(target.split())
            if key in accepted:
                continue
            verdict = self.checker.check(theorem.label, goal, target, tautology=self.config.tautology)
            if verdict.ok:
                parsed = parse_target(target)
                substitution = tuple(expression(symbols) for symbols in parsed.substitution)
                accepted[key] = Step(parsed.label, substitution, logprob, verdict.subgoals)
        return list(accepted.values())


def _open(goals: tuple[str, ...], hypotheses: frozenset[str]) -> tuple[str, ...]:
    """The canonical node of ``goals``: without repeats and the theorem's hypotheses, sorted."""
    return tuple(sorted(set(goals) - hypotheses))


def _tree(node: _Node, theorem: Assertion) -> ProofNode:
    """The proof tree of a closed node: each goal proved by the last step taken for it on the path.

    A goal can be opened again after a step for it was taken (a later step needs it once more); the
    last step for a goal comes after the steps of every goal that opened it, so the tree is finite.
    """
    used: dict[str, Step] = {}
    path = []
    while node.step is not None:
        path.append(node)
        node = node.parent  # type: ignore[assignment]
    for visited in reversed(path):
        used[visited.goal] = visited.step  # type: ignore[assignment]
    labels = {h.expression.rstrip(): h.label for h in theorem.essentials}
    return _build(theorem.expression.rstrip(), used, labels)


def _build(goal: str, used: Mapping[str, Step], labels: Mapping[str, str]) -> ProofNode:
    if goal in labels:
        return ProofNode(labels[goal])
    step = used[goal]
    return ProofNode(step.label, step.substitution, tuple(_build(s, used, labels) for s in step.subgoals))
