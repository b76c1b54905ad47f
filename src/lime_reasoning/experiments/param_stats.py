"""The ``param_stats`` control: every weight tensor redrawn from a Gaussian with its own mean and std.

Wu, Li and Liang (2022) found that much of what synthetic pretraining gives can be had by initialising
each tensor with the first two moments of the pretrained one. The redrawn model keeps the pretrained
run's architecture and vocabulary, so it fine-tunes through the same ``map`` transfer as the real arms.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import torch
from transformers import BartForConditionalGeneration

from lime_reasoning.atomic import assembled_directory
from lime_reasoning.modeling.model import load_model

COPIED_FILES = ("tokenizer.json", "tokenizer_config.json", "train_args.json")


@torch.no_grad()
def redraw_from_moments(model: BartForConditionalGeneration, seed: int) -> None:
    """Replace every parameter tensor in place by Gaussian draws of its mean and (population) std.

    Shared tensors (the tied input / output embeddings) are drawn once. A one-element tensor has no
    spread: it keeps its value.
    """
    generator = torch.Generator().manual_seed(seed)
    for _, parameter in sorted(model.named_parameters(), key=lambda item: item[0]):
        values = parameter.detach().to(torch.float64)
        mean, std = values.mean(), values.std(unbiased=False)
        noise = torch.randn(parameter.shape, generator=generator, dtype=torch.float64)
        parameter.copy_((mean + std * noise).to(parameter.dtype))


def write_param_stats_run(pretrained: Path, out: Path, seed: int) -> None:
    """A run directory like ``pretrained`` (tokenizer, configuration) with redrawn weights; atomic."""
    model = load_model(pretrained)
    redraw_from_moments(model, seed)
    with assembled_directory(out, "new") as staging:
        model.save_pretrained(str(staging))
        for name in COPIED_FILES:
            if (pretrained / name).is_file():
                shutil.copy2(pretrained / name, staging / name)
