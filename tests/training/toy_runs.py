"""Small datasets and model settings that make real training runs take seconds on two cores."""

from __future__ import annotations

import random
from pathlib import Path

TINY = ["--preset", "tiny", "--set", "d_model=64", "--set", "encoder_ffn_dim=128", "--set", "decoder_ffn_dim=128",
        "--set", "encoder_layers=2", "--set", "decoder_layers=2", "--set", "max_position_embeddings=64"]


def write_toy(directory: Path, sizes: dict[str, int], seed: int = 0, symbols: int = 12) -> Path:
    """Copy and reverse examples (``copy a b c`` -> ``a b c``, ``rev a b c`` -> ``c b a``), with a task column."""
    rng = random.Random(seed)
    directory.mkdir(parents=True, exist_ok=True)
    for split, count in sizes.items():
        rows = []
        for _ in range(count):
            tokens = [f"s{rng.randrange(symbols)}" for _ in range(rng.randint(3, 8))]
            task = rng.choice(["copy", "rev"])
            rows.append((f"{task} {' '.join(tokens)}", " ".join(tokens if task == "copy" else tokens[::-1]), task))
        for column, index in (("src", 0), ("tgt", 1), ("task", 2)):
            (directory / f"{split}.{column}").write_text("".join(row[index] + "\n" for row in rows))
    return directory
