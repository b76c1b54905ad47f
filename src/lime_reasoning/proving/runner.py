"""``lime prove``'s loop: search each theorem, assemble and verify its proof, append one jsonl row per theorem.

A row is written (and flushed) as soon as its theorem is done, so an interrupted run keeps everything
finished; running it again skips the theorems already in the file (a file of other search settings is
refused rather than mixed). A proof counts only once
:class:`~lime_reasoning.metamath.proof_assembly.ProofAssembler` has assembled it and the verifier has
accepted it. ``database_proof_length`` is the database's own proof in the same measure (normal
format, every reuse expanded), for comparison.
"""

from __future__ import annotations

import json
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from tqdm import tqdm

from lime_reasoning.errors import LimeError
from lime_reasoning.metamath.checker import StepChecker
from lime_reasoning.metamath.database import Assertion, Database
from lime_reasoning.metamath.proof_assembly import (
    AssemblyError,
    ProofAssembler,
    normal_length,
)
from lime_reasoning.metamath.truth_tables import TruthTables
from lime_reasoning.metamath.verifier import ProofError
from lime_reasoning.proving.fragment import fragment_block
from lime_reasoning.proving.search import ProofSearch, Proposer, SearchConfig


def search_config(database: Database, budget: int, k: int, max_seconds: float | None = None) -> SearchConfig:
    """The search settings of ``lime prove`` and the experiment: the checker's tautology rule wherever the
    database is propositional calculus alone, as in evaluation."""
    return SearchConfig(budget, k, max_seconds, TruthTables(database).propositional_database())


def done_rows(out: Path) -> list[dict[str, Any]]:
    """The rows already in ``out``; a last line cut off by an interruption is dropped from the file."""
    if not out.is_file():
        return []
    data = out.read_bytes()
    complete = data[: data.rfind(b"\n") + 1]
    if len(complete) != len(data):
        with open(out, "r+b") as handle:
            handle.truncate(len(complete))
    return [json.loads(line) for line in complete.decode("utf-8").splitlines() if line.strip()]


def prove_theorems(database: Database, theorems: Sequence[Assertion], proposer: Proposer, config: SearchConfig,
                   out: Path, proofs: Path | None = None, quiet: bool = False) -> list[dict[str, Any]]:
    """Prove ``theorems`` not yet in ``out``, appending their rows; every row of ``out`` is returned.

    ``proofs``, when given, is (re)written with a ``.mm`` fragment of every proof of ``theorems`` in ``out``
    (found in this run or an earlier one).
    """
    rows = done_rows(out)
    settings = _settings(config)
    for row in rows:
        if {name: row.get(name) for name in settings} != settings:
            found = ", ".join(f"{name} {row.get(name)}" for name in settings)
            raise LimeError(f"{out} holds results of another search ({found}): give another --out")
    done = {row["theorem"] for row in rows}
    todo = [theorem for theorem in theorems if theorem.label not in done]
    search = ProofSearch(StepChecker(database), proposer, config)
    assembler = ProofAssembler(database)
    wanted = {theorem.label for theorem in theorems}
    proved = sum(bool(row["proved"]) for row in rows if row["theorem"] in wanted)
    bar = tqdm(total=len(theorems), initial=len(theorems) - len(todo), unit="thm", file=sys.stderr, dynamic_ncols=True,
               disable=quiet)
    out.parent.mkdir(parents=True, exist_ok=True)
    with open(out, "a", encoding="utf-8") as handle:
        for theorem in todo:
            row = _attempt(search, assembler, theorem)
            handle.write(json.dumps(row, ensure_ascii=False) + "\n")
            handle.flush()
            rows.append(row)
            proved += row["proved"]
            bar.update(1)
            bar.set_postfix_str(f"proved {proved}/{bar.n}")
    bar.close()
    if proofs is not None:
        by_label = {theorem.label: theorem for theorem in theorems}
        blocks = [fragment_block(database, by_label[r["theorem"]], r["proof"]) for r in rows
                  if r["proved"] and r["theorem"] in by_label]
        proofs.write_text("".join(blocks), encoding="utf-8")
    return rows


def _settings(config: SearchConfig) -> dict[str, Any]:
    """What a row's result depends on besides the model: rows of other settings are not resumed."""
    return {"budget": config.budget, "k": config.k, "max_seconds": config.max_seconds}


def _attempt(search: ProofSearch, assembler: ProofAssembler, theorem: Assertion) -> dict[str, Any]:
    start = time.monotonic()
    result = search.prove(theorem)
    row: dict[str, Any] = {"theorem": theorem.label, "proved": False, "expansions": result.expansions,
                           "stopped": result.stopped, **_settings(search.config)}
    if result.tree is not None:
        try:
            proof = assembler.assemble(theorem, result.tree)
        except (AssemblyError, ProofError) as error:  # a found proof that does not verify is not counted
            row["stopped"] = f"proof rejected: {error}"
        else:
            row.update(proved=True, proof=proof, proof_length=len(proof))
    row["seconds"] = round(time.monotonic() - start, 3)
    row["database_proof_length"] = normal_length(assembler.verifier, theorem)
    return row
