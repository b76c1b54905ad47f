"""The ``.mm`` fragment of a proof whose variable is local to a closed block (prop.mm's ``mpth``): the
variable is declared again inside the fragment, and the reference program verifies it."""

from __future__ import annotations

import shutil
from pathlib import Path

from proving_support import reference_verify

from lime_reasoning.metamath import Verifier, read_database
from lime_reasoning.proving.fragment import fragment_block

FIXTURES = Path(__file__).parents[1] / "metamath" / "fixtures"


def test_a_local_variable_is_declared_again(tmp_path: Path, metamath_program: str) -> None:
    for name in ("prop.mm", "prop-syntax.mm"):
        shutil.copy(FIXTURES / name, tmp_path / name)
    database = read_database(tmp_path / "prop.mm")
    mpth = database.assertion("mpth")
    block = fragment_block(database, mpth, mpth.proof)
    assert block == ("${\n  $v th $.\n  mpth.lime.f1 $f wff th $.\n  mpth.lime.1 $e |- ph $.\n"
                     "  mpth.lime.2 $e |- ( ph -> th ) $.\n"
                     "  mpth.lime $p |- th $= wph mpth.lime.f1 mpth.lime.1 mpth.lime.2 ax-mp $.\n$}\n")
    with open(tmp_path / "prop.mm", "a") as handle:
        handle.write(block)
    joined = read_database(tmp_path / "prop.mm")
    assert Verifier(joined).run(joined.assertion("mpth.lime"))
    assert reference_verify(metamath_program, tmp_path / "prop.mm") == "mpth.lime"
