"""On set.mm: a small model trained on the steps of six propositional theorems proves them with ``lime prove``,
and every proof it reports verifies again, independently of the search (which verified it with our own
verifier): with the reference ``metamath`` program, appended to set.mm."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from proving_support import reference_verify

from lime_reasoning.cli import main
from lime_reasoning.metamath.source import DEBIAN_SETMM

SMALL = ["d_model=64", "encoder_layers=1", "decoder_layers=1", "encoder_ffn_dim=128", "decoder_ffn_dim=128",
         "max_position_embeddings=128", "scale_embedding=false"]


@pytest.mark.skipif(not DEBIAN_SETMM.is_file(), reason="needs Debian's set.mm (make system-deps)")
def test_a_trained_model_proves_set_mm_theorems_that_verify(tmp_path: Path, metamath_program: str) -> None:
    data, run = tmp_path / "steps", tmp_path / "run"
    assert main(["benchmark", "build", "metamathstep", "--mm", str(DEBIAN_SETMM), "--upto", "mpd", "--train", "6",
                 "--valid", "1", "--test", "0", "--steps", "unique", "--out", str(data), "--quiet"]) == 0
    overrides = [arg for field in SMALL for arg in ("--set", field)]
    assert main(["train", "--data", str(data), "--out", str(run), "--preset", "tiny", *overrides, "--max-steps", "150",
                 "--lr", "3e-3", "--warmup", "10", "--max-tokens", "1024", "--seed", "0", "--valid-every", "150"]) == 0
    out, proofs = tmp_path / "proved.jsonl", tmp_path / "proofs.mm"
    assert main(["prove", "--model", str(run), "--data", str(data), "--split", "train", "--budget", "8", "--k", "4",
                 "--max-length", "48", "--out", str(out), "--write-proofs", str(proofs)]) == 0
    rows = [json.loads(line) for line in out.read_text().splitlines()]
    trained = set((data / "train.theorem").read_text().split())
    assert {row["theorem"] for row in rows} == trained and len(trained) == 6
    proved = sorted(row["theorem"] for row in rows if row["proved"])
    assert len(proved) >= 3, rows  # it learned its own steps (6 of 6 when written)
    joined = tmp_path / "set.mm"
    joined.write_text(DEBIAN_SETMM.read_text(encoding="utf-8") + proofs.read_text(encoding="utf-8"), encoding="utf-8")
    assert sorted(reference_verify(metamath_program, joined).split()) == sorted(f"{label}.lime" for label in proved)
