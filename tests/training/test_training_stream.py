"""Training on an endless seeded LIME stream: no files, and resuming continues the same stream."""

from __future__ import annotations

from pathlib import Path

import torch
from toy_runs import TINY
from safetensors.torch import load_file
from tokenizers import Tokenizer

from lime_reasoning.cli import main

STREAM = ["--stream", "deduct", *TINY, "--set", "max_position_embeddings=256", "--max-tokens", "1024",
          "--valid-size", "16", "--lr", "2e-3", "--warmup", "2"]


def test_stream_training_resumes_exactly(tmp_path: Path) -> None:
    split, whole = tmp_path / "split", tmp_path / "whole"
    assert main(["train", "--out", str(split), *STREAM, "--max-steps", "3"]) == 0
    assert main(["train", "--out", str(split), "--resume", "--max-steps", "6"]) == 0
    assert main(["train", "--out", str(whole), *STREAM, "--max-steps", "6"]) == 0
    resumed = load_file(split / "checkpoints" / "last" / "model.safetensors")
    straight = load_file(whole / "checkpoints" / "last" / "model.safetensors")
    assert all(torch.equal(resumed[name], straight[name]) for name in straight)
    vocab = Tokenizer.from_file(str(whole / "tokenizer.json")).get_vocab()
    assert {"<UPPER>", "<space>", ":", "[", "]"} <= set(vocab)
    assert sum(token.isdigit() for token in vocab) == 1000
    assert not any(path.suffix in (".src", ".tgt") for path in whole.rglob("*"))
