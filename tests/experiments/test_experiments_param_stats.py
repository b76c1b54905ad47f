"""The ``param_stats`` control: each tensor redrawn from a Gaussian with its own mean and population std."""

from __future__ import annotations

import copy
import json
import math
from pathlib import Path

import numpy as np
import torch
from scipy import stats

from lime_reasoning.experiments.param_stats import redraw_from_moments, write_param_stats_run
from lime_reasoning.modeling.model import bart_config, build_model, load_model
from lime_reasoning.modeling.model_presets import resolve_model_preset
from lime_reasoning.modeling.vocabulary import save_tokenizer, tokenizer_from_lines

SMALL = ["d_model=32", "encoder_layers=1", "decoder_layers=1", "encoder_ffn_dim=64", "decoder_ffn_dim=64",
         "encoder_attention_heads=2", "decoder_attention_heads=2", "max_position_embeddings=64"]
SIGMAS = 5.0  # the redraw is seeded, so this is a fixed outcome; 5 sigma leaves room for any seed


def small_model(vocab_size: int = 50) -> torch.nn.Module:
    """A small BART whose every tensor is uniform on its own interval: non-Gaussian, each with its own moments."""
    fields, _ = resolve_model_preset("tiny", SMALL)
    model = build_model(bart_config(fields, vocab_size), seed=0)
    generator = torch.Generator().manual_seed(1234)
    with torch.no_grad():
        for index, (_, parameter) in enumerate(model.named_parameters()):
            offset, scale = (index % 7 - 3) * 0.25, 0.05 * (1 + index % 4)
            parameter.copy_(offset + scale * torch.rand(parameter.shape, generator=generator))
    return model


def moments(model: torch.nn.Module) -> dict[str, tuple[float, float, int]]:
    """Mean, population std and size of every (distinct) parameter tensor, computed with numpy."""
    result = {}
    for name, parameter in model.named_parameters():
        values = parameter.detach().double().numpy().ravel()
        result[name] = (float(np.mean(values)), float(np.std(values)), values.size)
    return result


def values(model: torch.nn.Module) -> dict[str, np.ndarray]:
    return {name: p.detach().double().numpy().copy() for name, p in model.named_parameters()}


def assert_moments_kept(before: dict[str, tuple[float, float, int]], model: torch.nn.Module) -> None:
    after = moments(model)
    assert after.keys() == before.keys()
    for name, (mean, std, n) in before.items():
        new_mean, new_std, new_n = after[name]
        assert new_n == n, name
        # the sample mean of n draws has standard error std/sqrt(n); the sample std about std/sqrt(2n)
        assert abs(new_mean - mean) <= SIGMAS * std / math.sqrt(n) + 1e-6, (name, mean, new_mean)
        assert abs(new_std - std) <= SIGMAS * std / math.sqrt(2 * n) + 1e-6, (name, std, new_std)


def test_every_tensor_keeps_its_mean_and_std() -> None:
    model = small_model()
    before, original = moments(model), values(model)
    assert all(std > 0 for _, std, _ in before.values())
    redraw_from_moments(model, seed=0)
    assert_moments_kept(before, model)
    redrawn = values(model)
    for name, old in original.items():
        assert not np.allclose(old, redrawn[name]), f"{name} was not redrawn"


def test_the_draws_are_gaussian_not_a_reshuffle() -> None:
    """Uniform tensors come back normal: a Kolmogorov-Smirnov test on the large ones."""
    model = small_model()
    before = moments(model)
    redraw_from_moments(model, seed=5)
    large = [(name, v) for name, v in values(model).items() if v.size >= 1000]
    assert len(large) >= 4
    for name, new in large:
        mean, std, _ = before[name]
        standardised = (new.ravel() - mean) / std
        assert stats.kstest(standardised, "norm").pvalue > 1e-3, name
        # the original (uniform) tensor is far from normal, so the test has power
        old = small_model().state_dict()[name].double().numpy().ravel()
        assert stats.kstest((old - mean) / std, "norm").pvalue < 1e-3, name


def test_same_seed_same_weights_other_seed_other_weights() -> None:
    original = small_model()
    first, second, other = copy.deepcopy(original), copy.deepcopy(original), copy.deepcopy(original)
    redraw_from_moments(first, seed=7)
    redraw_from_moments(second, seed=7)
    redraw_from_moments(other, seed=8)
    a, b, c = values(first), values(second), values(other)
    for name in a:
        assert np.array_equal(a[name], b[name]), name
        assert not np.allclose(a[name], c[name]), name


def test_the_global_random_state_is_left_alone() -> None:
    model = small_model()
    torch.manual_seed(99)
    state = torch.random.get_rng_state()
    redraw_from_moments(model, seed=1)
    assert torch.equal(torch.random.get_rng_state(), state)


def test_tied_embeddings_stay_tied() -> None:
    model = small_model()
    redraw_from_moments(model, seed=2)
    shared = model.model.shared.weight
    for tied in (model.model.encoder.embed_tokens.weight, model.model.decoder.embed_tokens.weight,
                 model.lm_head.weight):
        assert tied.data_ptr() == shared.data_ptr()
        assert torch.equal(tied, shared)


def test_a_one_element_tensor_keeps_its_value() -> None:
    module = torch.nn.Module()
    module.single = torch.nn.Parameter(torch.tensor([3.25]))
    module.constant = torch.nn.Parameter(torch.full((4, 4), -0.5))
    redraw_from_moments(module, seed=0)
    assert module.single.item() == 3.25
    assert torch.equal(module.constant, torch.full((4, 4), -0.5))


def pretrained_run(directory: Path) -> Path:
    """A run directory as training writes one: weights, configuration, tokenizer and train_args.json."""
    tokenizer = tokenizer_from_lines(["a b c d", "e f g", "( a -> b )"])
    model = small_model(tokenizer.get_vocab_size())
    directory.mkdir(parents=True)
    model.save_pretrained(str(directory))
    save_tokenizer(tokenizer, directory)
    (directory / "train_args.json").write_text(json.dumps({"seed": 0, "preset": "tiny"}))
    return directory


COPIED = ("tokenizer.json", "tokenizer_config.json", "train_args.json")


def test_write_param_stats_run(tmp_path: Path) -> None:
    pretrained = pretrained_run(tmp_path / "pretrained")
    pretrained_bytes = {p.name: p.read_bytes() for p in pretrained.iterdir()}
    out = tmp_path / "redrawn"
    stale = tmp_path / ".redrawn.new"  # what an interrupted earlier attempt leaves behind
    stale.mkdir()
    (stale / "junk").write_text("x")
    write_param_stats_run(pretrained, out, seed=3)

    assert sorted(p.name for p in tmp_path.iterdir()) == ["pretrained", "redrawn"]  # no staging directory
    assert not (out / "junk").exists()
    for name in COPIED:
        assert (out / name).read_bytes() == pretrained_bytes[name], name
    assert {p.name: p.read_bytes() for p in pretrained.iterdir()} == pretrained_bytes  # the source is untouched

    source, redrawn = load_model(pretrained), load_model(out)
    assert json.loads((out / "config.json").read_text()) == json.loads((pretrained / "config.json").read_text())
    assert_moments_kept(moments(source), redrawn)
    old, new = values(source), values(redrawn)
    assert all(not np.allclose(old[name], new[name]) for name in old)
    assert redrawn.model.encoder.embed_tokens.weight.data_ptr() == redrawn.model.shared.weight.data_ptr()
    assert torch.equal(redrawn.lm_head.weight, redrawn.model.shared.weight)
    expected = copy.deepcopy(source)  # the saved weights are the seed-3 redraw of the pretrained model
    redraw_from_moments(expected, seed=3)
    for name, value in values(expected).items():
        assert np.array_equal(value, new[name]), name


def test_write_param_stats_run_replaces_an_existing_output(tmp_path: Path) -> None:
    pretrained = pretrained_run(tmp_path / "pretrained")
    out = tmp_path / "redrawn"
    write_param_stats_run(pretrained, out, seed=4)
    first = values(load_model(out))
    (out / "leftover.txt").write_text("old")
    write_param_stats_run(pretrained, out, seed=4)
    assert not (out / "leftover.txt").exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["pretrained", "redrawn"]
    second = values(load_model(out))
    assert all(np.array_equal(first[name], second[name]) for name in first)
