"""Metamath: reading and verifying ``.mm`` databases, extracting proof steps, checking predicted steps.

This layer never imports torch. The step checker is the entry point for evaluation::

    from lime_reasoning.metamath import StepChecker, read_database, resolve_database

    checker = StepChecker(read_database(resolve_database()))
    verdict = checker.check(theorem="syl", goal="|- ( ph -> ch )", target="mpd $s ph ph $s ps ps $s ch ch")
    verdict.ok, verdict.reason
"""

from lime_reasoning.metamath.checker import StepCheck, StepChecker
from lime_reasoning.metamath.database import Assertion, Database, Hypothesis
from lime_reasoning.metamath.grammar import Grammar
from lime_reasoning.metamath.notation import Target, format_source, format_target, goal_of, parse_target
from lime_reasoning.metamath.reader import read_database
from lime_reasoning.metamath.source import SETMM, fetch, resolve_database
from lime_reasoning.metamath.steps import StepExample, TraceStep, proof_trace, theorem_steps, unique_steps
from lime_reasoning.metamath.truth_tables import OutsideTruthTables, TruthTables
from lime_reasoning.metamath.verifier import ProofError, Report, Verifier, verify

__all__ = [
    "SETMM",
    "Assertion",
    "Database",
    "Grammar",
    "Hypothesis",
    "OutsideTruthTables",
    "ProofError",
    "Report",
    "StepCheck",
    "StepChecker",
    "StepExample",
    "Target",
    "TraceStep",
    "TruthTables",
    "Verifier",
    "fetch",
    "format_source",
    "format_target",
    "goal_of",
    "parse_target",
    "proof_trace",
    "read_database",
    "resolve_database",
    "theorem_steps",
    "unique_steps",
    "verify",
]
