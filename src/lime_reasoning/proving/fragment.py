"""Found proofs as a ``.mm`` fragment that, appended to the database, the reference ``metamath`` verifies.

Each proof becomes one ``${ … $}`` block: the ``$d`` statements in scope of the theorem, its ``$e``
hypotheses under fresh labels (``<theorem>.lime.1``, …), and ``$p`` ``<theorem>.lime`` with the same
statement and the proof in normal format. Variables whose ``$f`` hypothesis is local to a block that is
closed at the end of the database are declared again inside the fragment's block, under fresh labels.
"""

from __future__ import annotations

from collections.abc import Sequence

from lime_reasoning.errors import LimeError
from lime_reasoning.metamath.database import NEVER, Assertion, Database

SUFFIX = ".lime"


def fragment_block(database: Database, theorem: Assertion, proof: Sequence[str]) -> str:
    """The ``${ … $}`` block proving ``theorem`` again as ``<theorem>.lime`` with ``proof`` (its labels)."""
    name = theorem.label + SUFFIX
    renamed: dict[str, str] = {}
    lines = [f"  $d {' '.join(sorted(group))} $." for group in theorem.context]
    local = [h for h in database.floating if h.active_for(theorem.index) and h.end != NEVER and h.label in proof]
    for number, hypothesis in enumerate(local, start=1):
        renamed[hypothesis.label] = f"{name}.f{number}"
        lines.append(f"  $v {hypothesis.variable} $.")
        lines.append(f"  {renamed[hypothesis.label]} $f {hypothesis.typecode} {hypothesis.variable} $.")
    for number, hypothesis in enumerate(theorem.essentials, start=1):
        renamed[hypothesis.label] = f"{name}.{number}"
        lines.append(f"  {renamed[hypothesis.label]} $e {hypothesis.expression}$.")
    for label in (name, *renamed.values()):
        if label in database.statements:
            raise LimeError(f"{database.path}: already has a statement labelled {label}; cannot write its proof")
    body = " ".join(renamed.get(label, label) for label in proof)
    lines.append(f"  {name} $p {theorem.expression}$= {body} $.")
    return "${\n" + "\n".join(lines) + "\n$}\n"
