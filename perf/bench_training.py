"""Training and decoding speed of lime-reasoning's loop on this machine, next to Hugging Face's Trainer.

Measures, in one run:

1. the fp32 matrix-multiply rate of this machine (the denominator of model-FLOPs utilisation);
2. training tokens/s (real source + target tokens, padding excluded) of ``lime train``'s loop and of a
   plain ``Seq2SeqTrainer`` on the same model configuration, the same deduct examples and the same
   average number of examples per update, for each preset asked for;
3. model-FLOPs utilisation of both;
4. beam-search decoding speed (sequences/s) through ``lime evaluate``'s batched ``generate()``.

``vocab`` measures what a very large vocabulary costs and what cutting it loses: training tokens/s of
the loop at several vocabulary sizes (deduct drawn from that many symbols), and, on a dataset such as
MetaMathStep, how many valid/test target tokens and whole examples fall outside the vocabulary for
each ``--vocab-min-count``.

    flock /tmp/lime-cpu.lock python perf/bench_training.py speed --presets tiny base --out runs/bench.json
    flock /tmp/lime-cpu.lock python perf/bench_training.py vocab --data runs/mms --out runs/vocab.json

``curve`` draws a run's validation curve (token accuracy and exact match against wall-clock minutes)
from its ``metrics.csv`` into a PNG and prints the points as a markdown table.

    python perf/bench_training.py curve --run runs/curve --out docs/tiny-deduct-curve.png

Needs the ``train`` extra plus ``accelerate`` (the Trainer's requirement).
"""

from __future__ import annotations

import argparse
import csv
import json
import platform
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np
import torch

from lime_reasoning.datasets.synthetic import examples
from lime_reasoning.evaluation.decoding import beam_search
from lime_reasoning.modeling.flops import training_flops
from lime_reasoning.modeling.model import bart_config, build_model, quiet_transformers
from lime_reasoning.modeling.model_presets import resolve_model_preset
from lime_reasoning.modeling.vocabulary import load_tokenizer, tokenizer_from_lines
from lime_reasoning.ragged import Ragged
from lime_reasoning.training.batching import token_batches
from lime_reasoning.training.config import TrainConfig
from lime_reasoning.training.data import encode_pairs
from lime_reasoning.training.distributed import init_distributed
from lime_reasoning.training.setup import prepare


def matmul_rate(size: int = 2048, seconds: float = 5.0) -> float:
    """Sustained fp32 GFLOP/s of square matrix products (the best of several timed rounds)."""
    a, b = torch.randn(size, size), torch.randn(size, size)
    torch.mm(a, b)
    best, deadline = 0.0, time.monotonic() + seconds
    while time.monotonic() < deadline:
        start = time.perf_counter()
        for _ in range(4):
            torch.mm(a, b)
        best = max(best, 4 * 2 * size**3 / (time.perf_counter() - start) / 1e9)
    return best


def write_data(directory: Path, task: str, count: int, seed: int) -> list[Any]:
    rows = list(examples(task, count, seed))
    directory.mkdir(parents=True)
    (directory / "train.src").write_text("".join(r.src + "\n" for r in rows))
    (directory / "train.tgt").write_text("".join(r.tgt + "\n" for r in rows))
    return rows


def steady_rate(run: Path, skip: int) -> tuple[float, float]:
    """Tokens/s and seconds/step over the logged steps after the first ``skip`` (warm-up)."""
    with open(run / "metrics.csv", newline="") as handle:
        rows = [(int(r["step"]), int(r["tokens_seen"]), float(r["elapsed_s"])) for r in csv.DictReader(handle)
                if r["metric"] == "train/loss"]
    (step0, tokens0, time0), (step1, tokens1, time1) = rows[skip - 1], rows[-1]
    return (tokens1 - tokens0) / (time1 - time0), (time1 - time0) / (step1 - step0)


def ours(data: Path, preset: str, steps: int, max_tokens: int, out: Path) -> dict[str, float]:
    cfg = TrainConfig(out=str(out), data=str(data), preset=preset, max_tokens=max_tokens, max_steps=steps,
                      log_every=1, valid_every=10**9, save_every=10**9, warmup=100)
    prepare(cfg, init_distributed()).train()
    rate, step_time = steady_rate(out, skip=5)
    return {"tokens_per_s": rate, "s_per_step": step_time}


class CountingCollator:
    """The Trainer's own padding collator, counting the real tokens it hands out."""

    def __init__(self, inner: Any) -> None:
        self.inner, self.tokens = inner, 0

    def __call__(self, features: list[dict[str, Any]]) -> dict[str, Any]:
        self.tokens += sum(len(f["input_ids"]) + len(f["labels"]) for f in features)
        return self.inner(features)


def hugging_face(data_rows: list[Any], run: Path, preset: str, steps: int, batch_size: int) -> dict[str, float]:
    from datasets import Dataset
    from transformers import (DataCollatorForSeq2Seq, PreTrainedTokenizerFast, Seq2SeqTrainer,
                              Seq2SeqTrainingArguments, TrainerCallback)

    tokenizer = PreTrainedTokenizerFast.from_pretrained(str(run))
    fields, _ = resolve_model_preset(preset)
    model = build_model(bart_config(fields, len(tokenizer)), seed=1)
    dataset = Dataset.from_dict({
        "input_ids": [tokenizer(r.src).input_ids for r in data_rows],
        "labels": [tokenizer(r.tgt).input_ids for r in data_rows],
    })
    collator = CountingCollator(DataCollatorForSeq2Seq(tokenizer, model=model, padding="longest"))
    marks: list[tuple[float, int]] = []

    class Clock(TrainerCallback):
        def on_step_end(self, args: Any, state: Any, control: Any, **kwargs: Any) -> None:
            marks.append((time.perf_counter(), collator.tokens))

    args = Seq2SeqTrainingArguments(
        output_dir=str(run / "hf"), per_device_train_batch_size=batch_size, max_steps=steps, learning_rate=5e-4,
        warmup_steps=100, lr_scheduler_type="inverse_sqrt", weight_decay=0.0001, adam_beta2=0.98,
        label_smoothing_factor=0.1, max_grad_norm=1.0, logging_strategy="no", save_strategy="no",
        report_to=[], dataloader_num_workers=0, use_cpu=True, disable_tqdm=True, seed=1,
    )
    Seq2SeqTrainer(model=model, args=args, train_dataset=dataset, data_collator=collator,
                   callbacks=[Clock()]).train()
    (time0, tokens0), (time1, tokens1) = marks[4], marks[-1]
    # The collator is one batch ahead of the step clock at most; count the tokens of the timed steps.
    return {"tokens_per_s": (tokens1 - tokens0) / (time1 - time0), "s_per_step": (time1 - time0) / (len(marks) - 5)}


def decoding(run: Path, rows: list[Any], preset: str, beam: int, count: int, length: int) -> dict[str, float]:
    """Sequences/s of beam search generating exactly ``length`` tokens (a random model never stops early)."""
    tokenizer = load_tokenizer(run)
    fields, _ = resolve_model_preset(preset)
    model = build_model(bart_config(fields, tokenizer.get_vocab_size()), seed=1).eval()
    model.generation_config.min_new_tokens = length
    sources = Ragged.from_rows([e.ids for e in tokenizer.encode_batch([r.src for r in rows[:count]])])
    start = time.perf_counter()
    beam_search(model, tokenizer, sources, beam, length, 16384, torch.device("cpu"))
    elapsed = time.perf_counter() - start
    return {"sequences_per_s": count / elapsed, "generated_tokens": length, "beam": beam}


def header() -> dict[str, Any]:
    return {"date": time.strftime("%Y-%m-%d"), "machine": f"{platform.machine()}, {torch.get_num_threads()} threads",
            "torch": torch.__version__}


def coverage(data: Path, min_counts: list[int]) -> list[dict[str, float]]:
    """Vocabulary size and out-of-vocabulary rates of valid+test targets for each minimum count."""
    from lime_reasoning.datasets import read_records
    from lime_reasoning.modeling.vocabulary import UNK_ID, build_tokenizer

    held_out = [r["tgt"] for split in ("valid", "test") for r in read_records(data, split)]
    rows = []
    for min_count in min_counts:
        tokenizer = build_tokenizer(data, min_count=min_count)
        encoded = [e.ids for e in tokenizer.encode_batch(held_out, add_special_tokens=False)]
        tokens = sum(len(ids) for ids in encoded)
        rows.append({
            "min_count": min_count, "vocab": tokenizer.get_vocab_size(),
            "oov_target_tokens": sum(ids.count(UNK_ID) for ids in encoded) / tokens,
            "targets_with_oov": sum(UNK_ID in ids for ids in encoded) / len(encoded),
        })
        print(json.dumps(rows[-1]), flush=True)
    return rows


def vocab_speed(sizes: list[int], presets: list[str], steps: list[int], count: int) -> dict[str, Any]:
    """Training tokens/s of the loop on deduct drawn from ``size`` symbols, per preset."""
    from lime_reasoning.tasks.config import TaskConfig

    table: dict[str, Any] = {}
    with tempfile.TemporaryDirectory() as scratch:
        for size in sizes:
            rows = list(examples("deduct", count, 0, TaskConfig(vocab_size=size)))
            data = Path(scratch) / f"deduct-{size}"
            data.mkdir()
            (data / "train.src").write_text("".join(r.src + "\n" for r in rows))
            (data / "train.tgt").write_text("".join(r.tgt + "\n" for r in rows))
            for preset, preset_steps in zip(presets, steps):
                result = ours(data, preset, preset_steps, 4096, Path(scratch) / f"run-{preset}-{size}")
                table.setdefault(preset, {})[size] = result
                print(json.dumps({preset: {size: result}}), flush=True)
    return table


def curve(run: Path, out: Path) -> list[dict[str, float]]:
    """Plot valid token accuracy and exact match of ``run`` against minutes; return the points."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    points: dict[int, dict[str, float]] = {}
    with open(run / "metrics.csv", newline="") as handle:
        for row in csv.DictReader(handle):
            if row["metric"] in ("valid/token_accuracy", "valid/exact_match", "valid/nll"):
                point = points.setdefault(int(row["step"]), {"step": int(row["step"]),
                                                             "minutes": float(row["elapsed_s"]) / 60,
                                                             "tokens_seen": int(row["tokens_seen"])})
                point[row["metric"].removeprefix("valid/")] = float(row["value"])
    table = [points[step] for step in sorted(points)]
    figure, axis = plt.subplots(figsize=(7, 4), dpi=120)
    minutes = [p["minutes"] for p in table]
    axis.plot(minutes, [p["token_accuracy"] for p in table], marker="o", markersize=3, label="token accuracy")
    axis.plot(minutes, [p["exact_match"] for p in table], marker="s", markersize=3, label="exact match (greedy)")
    axis.set_xlabel("wall-clock minutes of training (2-core CPU)")
    axis.set_ylabel("validation")
    axis.set_ylim(0, 1)
    axis.grid(alpha=0.3)
    axis.legend(loc="upper left")
    axis.set_title(f"{run.name}: tiny preset on the deduct stream")
    figure.tight_layout()
    out.parent.mkdir(parents=True, exist_ok=True)
    temporary = out.with_name(f".{out.stem}.tmp{out.suffix}")
    figure.savefig(temporary)
    temporary.replace(out)
    print("| minutes | step | tokens seen | token accuracy | exact match | nll |")
    print("|---:|---:|---:|---:|---:|---:|")
    for p in table:
        print(f"| {p['minutes']:.1f} | {p['step']} | {p['tokens_seen']:,} | {p['token_accuracy']:.3f} | "
              f"{p['exact_match']:.3f} | {p['nll']:.3f} |")
    return table


def speed(args: argparse.Namespace) -> dict[str, Any]:
    results: dict[str, Any] = {**header(), "task": args.task, "matmul_gflops": matmul_rate(), "presets": {}}
    print(f"fp32 matmul: {results['matmul_gflops']:.1f} GFLOP/s", flush=True)
    with tempfile.TemporaryDirectory() as scratch:
        data = Path(scratch) / args.task
        rows = write_data(data, args.task, args.examples, seed=0)
        tokenizer = tokenizer_from_lines([line for r in rows for line in (r.src, r.tgt)])
        encoded = encode_pairs(tokenizer, [r.src for r in rows], [r.tgt for r in rows])
        batches = token_batches(encoded.src.lengths, encoded.tgt.lengths, args.max_tokens, np.random.default_rng(0))
        batch_size = round(len(rows) / len(batches))
        for preset, steps, decode_count in zip(args.presets, args.steps, args.decode):
            run = Path(scratch) / f"run-{preset}"
            mine = ours(data, preset, steps, args.max_tokens, run)
            theirs = hugging_face(rows, run, preset, steps, batch_size)
            config = bart_config(resolve_model_preset(preset)[0], tokenizer.get_vocab_size())
            flops_per_token = training_flops(config, encoded.src.lengths, encoded.tgt.lengths) / (
                encoded.src.lengths.sum() + encoded.tgt.lengths.sum())
            for entry in (mine, theirs):
                entry["mfu"] = entry["tokens_per_s"] * flops_per_token / (results["matmul_gflops"] * 1e9)
            entry = {
                "lime": mine, "hf_seq2seq_trainer": theirs, "speedup": mine["tokens_per_s"] / theirs["tokens_per_s"],
                "hf_batch_size": batch_size, "max_tokens": args.max_tokens, "steps": steps,
                "flops_per_token": flops_per_token, "decoding": decoding(run, rows, preset, 10, decode_count, 52),
            }
            results["presets"][preset] = entry
            print(json.dumps({preset: entry}, indent=2), flush=True)
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    commands = parser.add_subparsers(dest="command", required=True)
    fast = commands.add_parser("speed", help="tokens/s, MFU and decoding against Seq2SeqTrainer")
    fast.add_argument("--presets", nargs="+", default=["tiny", "base"])
    fast.add_argument("--task", default="deduct", help="LIME task or mixture to train on (default deduct)")
    fast.add_argument("--examples", type=int, default=4000, help="examples to train on")
    fast.add_argument("--steps", type=int, nargs="+", default=[60, 16],
                      help="training steps per preset (same order as --presets)")
    fast.add_argument("--max-tokens", type=int, default=4096)
    fast.add_argument("--decode", type=int, nargs="+", default=[64, 16], help="sequences decoded per preset")
    vocab = commands.add_parser("vocab", help="cost of large vocabularies and coverage of cut ones")
    vocab.add_argument("--data", type=Path, help="a dataset (e.g. MetaMathStep) for the coverage table")
    vocab.add_argument("--min-counts", type=int, nargs="+", default=[1, 2, 3, 5, 10])
    vocab.add_argument("--sizes", type=int, nargs="+", default=[1000, 10000, 40000])
    vocab.add_argument("--presets", nargs="+", default=["tiny", "base"])
    vocab.add_argument("--steps", type=int, nargs="+", default=[30, 6])
    vocab.add_argument("--examples", type=int, default=2000)
    plot = commands.add_parser("curve", help="PNG of a run's validation curve, plus its numbers")
    plot.add_argument("--run", type=Path, required=True)
    for sub in (fast, vocab, plot):
        sub.add_argument("--out", type=Path, required=True, help="where the results go (JSON, or PNG for curve)")
    args = parser.parse_args()
    if args.command == "curve":
        curve(args.run, args.out)
        return
    quiet_transformers()
    torch.manual_seed(0)
    if args.command == "speed":
        results = speed(args)
    else:
        results = {**header(), "speed": vocab_speed(args.sizes, args.presets, args.steps, args.examples)}
        if args.data is not None:
            results["coverage"] = coverage(args.data, args.min_counts)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(results, indent=2) + "\n")


if __name__ == "__main__":
    main()
