"""``results.json``, ``report.md`` and ``curves.png`` of an experiment, from its finished stages.

The report is rebuilt from the stage records every time, so it always covers exactly the cells that
are finished, and extending the matrix (more arms, more seeds) extends the report.
"""

from __future__ import annotations

import json
import platform
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any, BinaryIO

from lime_reasoning.atomic import atomic_file, write_json_atomic, write_text_atomic
from lime_reasoning.experiments.arms import PARAM_STATS, SCRATCH
from lime_reasoning.experiments.statistics import Difference, paired_difference, spread
from lime_reasoning.training.metrics import read_rows
from lime_reasoning.wording import counted

RESULTS, REPORT, PLOT, INVOCATIONS = "results.json", "report.md", "curves.png", "invocations.jsonl"
# What every pretrained arm is compared with: no pretraining, and the control that keeps only the weights'
# per-tensor scale (a LIME task must beat it to show that its content, not its scale, helps).
BASELINES = (SCRATCH, PARAM_STATS)
CURVE_METRICS = (("valid/loss", "validation loss"), ("valid/token_accuracy", "validation token accuracy"),
                 ("valid/exact_match", "validation exact match (greedy)"))


@dataclass(frozen=True)
class Cell:
    """One (arm, seed): its test metrics and the records of the stages that made it."""

    arm: str
    seed: int
    metrics: dict[str, float]
    pretrain: dict[str, Any] | None
    finetune: dict[str, Any]
    evaluate: dict[str, Any]
    curve_file: Path
    pretrain_curve: Path | None = None

    def row(self) -> dict[str, Any]:
        def account(record: dict[str, Any] | None) -> dict[str, Any] | None:
            if record is None:
                return None
            return {k: record[k] for k in ("steps", "tokens_seen", "train_seconds", "flops", "wall_seconds", "key")
                    if k in record}

        return {"arm": self.arm, "seed": self.seed, **self.metrics, "pretrain": account(self.pretrain),
                "finetune": account(self.finetune), "evaluate_seconds": self.evaluate["wall_seconds"]}


def read_curve(path: Path, metric: str) -> list[tuple[int, float]]:
    return [(int(r["step"]), float(r["value"])) for r in read_rows(path) if r["metric"] == metric]


def metric_names(beam: int) -> list[str]:
    return ["top1", f"top{beam}", "checked_top1", f"checked_top{beam}"]


def summarise(cells: Sequence[Cell], arms: Sequence[str], beam: int) -> dict[str, Any]:
    """Per arm and metric: mean, std, n, and the paired differences from the :data:`BASELINES`."""
    by_arm: dict[str, dict[int, Cell]] = defaultdict(dict)
    for cell in cells:
        by_arm[cell.arm][cell.seed] = cell
    summary: dict[str, Any] = {}
    for arm in arms:
        if arm not in by_arm:
            continue
        summary[arm] = {}
        for metric in metric_names(beam):
            values = {seed: cell.metrics[metric] for seed, cell in by_arm[arm].items()}
            entry: dict[str, Any] = asdict(spread(list(values.values())))
            for baseline in BASELINES:
                if arm not in (SCRATCH, baseline) and baseline in by_arm:
                    paired = {seed: cell.metrics[metric] for seed, cell in by_arm[baseline].items()}
                    difference = paired_difference(values, paired)
                    entry[f"vs_{baseline}"] = asdict(difference) if difference else None
            summary[arm][metric] = entry
    return summary


def compute_account(cells: Sequence[Cell], arms: Sequence[str]) -> dict[str, Any]:
    """Mean pretraining and fine-tuning FLOPs and seconds per arm."""
    account: dict[str, Any] = {}
    for arm in arms:
        mine = [c for c in cells if c.arm == arm]
        if not mine:
            continue
        entry = {}
        for stage in ("pretrain", "finetune"):
            records = [getattr(c, stage) for c in mine if getattr(c, stage) and "flops" in getattr(c, stage)]
            entry[stage] = None if not records else {
                "flops": spread([r["flops"] for r in records]).mean,
                "train_seconds": spread([r["train_seconds"] for r in records]).mean,
                "wall_seconds": spread([r["wall_seconds"] for r in records]).mean,
            }
        account[arm] = entry
    return account


def pretraining_quality(cells: Sequence[Cell], arms: Sequence[str]) -> dict[str, Any]:
    """Per arm with its own pretraining: the last validation token accuracy and exact match, mean over seeds."""
    quality: dict[str, Any] = {}
    for arm in arms:
        curves = [c.pretrain_curve for c in cells if c.arm == arm and c.pretrain_curve is not None]
        if not curves:
            continue
        quality[arm] = {metric: spread([read_curve(path, f"valid/{metric}")[-1][1] for path in curves]).mean
                        for metric in ("token_accuracy", "exact_match")}
    return quality


def plot_curves(cells: Sequence[Cell], arms: Sequence[str], path: Path | BinaryIO) -> None:
    """One panel per validation metric, one line per arm (mean over seeds, band = min..max).

    Arms often coincide (untrained arms in the demo, arms on the same plateau), and a line drawn later
    would hide the earlier ones; so every arm also marks its points with a hollow marker, each arm's
    smaller than the one drawn before it, and coinciding arms show as nested rings.
    """
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    figure, axes = plt.subplots(1, len(CURVE_METRICS), figsize=(5 * len(CURVE_METRICS), 4), constrained_layout=True)
    colours = plt.get_cmap("tab10")
    for index, arm in enumerate(arms):
        mine = [c for c in cells if c.arm == arm]
        if not mine:
            continue
        for axis, (metric, title) in zip(axes, CURVE_METRICS):
            curves = [dict(read_curve(c.curve_file, metric)) for c in mine]
            steps = sorted(set.intersection(*(set(c) for c in curves)))
            if not steps:
                continue
            values = [[c[s] for c in curves] for s in steps]
            mean = [sum(v) / len(v) for v in values]
            axis.plot(steps, mean, label=arm, color=colours(index % 10),
                      linestyle="--" if arm == SCRATCH else "-", linewidth=2 if arm == SCRATCH else 1.3,
                      marker="o", markersize=3 + 1.5 * (len(arms) - index), markerfacecolor="none",
                      markeredgewidth=1.5)
            if len(mine) > 1:
                axis.fill_between(steps, [min(v) for v in values], [max(v) for v in values],
                                  color=colours(index % 10), alpha=0.12)
            axis.set_title(title)
            axis.set_xlabel("fine-tuning step")
    axes[0].legend(fontsize=8, markerscale=0.6)
    figure.savefig(path, dpi=110, format="png")
    plt.close(figure)


def _percent(value: float | None) -> str:
    return "–" if value is None else f"{100 * value:.1f}"


def _difference(entry: dict[str, Any] | None) -> str:
    if not entry:
        return ""
    d = Difference(**entry)
    interval = "" if d.low is None else f" [{100 * d.low:+.1f}, {100 * d.high:+.1f}]"
    return f"{100 * d.mean:+.1f}{interval}"


def _flops(value: float) -> str:
    return f"{value:.3g}"


def _seconds(value: float) -> str:
    minutes, seconds = divmod(round(value), 60)
    return f"{minutes}:{seconds:02d}" if minutes < 60 else f"{minutes // 60}:{minutes % 60:02d}:{seconds:02d}"


def render_markdown(results: dict[str, Any]) -> str:
    preset, beam = results["preset"], results["preset"]["evaluation"]["beam"]
    metrics = metric_names(beam)
    labels = {"top1": "top-1", f"top{beam}": f"top-{beam}", "checked_top1": "checked top-1",
              f"checked_top{beam}": f"checked top-{beam}"}
    versus_param_stats = int(any(f"vs_{PARAM_STATS}" in entry["top1"] for entry in results["summary"].values()))
    lines = [
        f"# LIME on MetaMathStep: preset `{preset['name']}`",
        "",
        f"* Command: `{results['command']}`",
        f"* Machine: {results['machine']}",
        f"* Date: {results['date']}; {_elapsed(results)}; stage time {_seconds(results['wall_seconds'])} "
        f"(every stage's own time, summed over stages run side by side)",
        f"* Arms: {', '.join(results['arms'])}; seeds: {', '.join(map(str, results['seeds']))} "
        f"({counted(len(results['runs']), 'finished cell')})",
        f"* Model: preset `{preset['model']}` {' '.join(preset['model_overrides'])}",
        f"* Pretraining (every task arm alike): {preset['pretraining']['train_examples']:,} synthetic examples, "
        f"{preset['pretraining']['budget']['steps']:,} updates of ≤ {preset['pretraining']['budget']['max_tokens']:,} "
        f"tokens per side; `param_stats` redraws each `mixed`-pretrained tensor from its mean and std",
        f"* Downstream: MetaMathStep from {results['downstream']['database']}, "
        f"{_describe_downstream(preset['downstream'])}; "
        + ", ".join(f"{k} {v:,}" for k, v in results["downstream"]["counts"].items()) + " examples",
        f"* Fine-tuning (every arm alike): {preset['finetuning']['steps']:,} updates of ≤ "
        f"{preset['finetuning']['max_tokens']:,} tokens per side, peak lr {preset['finetuning']['lr']:g}; "
        f"`scratch` has the same architecture, randomly initialised",
        f"* Evaluation: beam {beam} on the test split"
        + (f" (first {preset['evaluation']['limit']:,} examples)" if preset["evaluation"]["limit"] else "")
        + "; exact match of the top-1 / any of the top-k predictions; *checked*: the Metamath step checker "
        "accepts the prediction as a correct step for the goal",
        "",
        "## Test accuracy (%) — mean ± std over seeds; differences paired by seed, [95% CI]",
        "",
        "| arm | " + " | ".join(labels[m] for m in metrics) + f" | Δ top-1 | Δ checked top-{beam} |"
        + (f" Δ top-1 vs {PARAM_STATS} |" if versus_param_stats else ""),
        "|---|" + "---:|" * (len(metrics) + 2 + versus_param_stats),
    ]
    for arm, entry in results["summary"].items():
        cells = [f"{_percent(entry[m]['mean'])} ± {_percent(entry[m]['std'])}" for m in metrics]
        cells += [_difference(entry["top1"].get("vs_scratch")), _difference(entry[f"checked_top{beam}"].get("vs_scratch"))]
        cells += [_difference(entry["top1"].get(f"vs_{PARAM_STATS}"))] if versus_param_stats else []
        lines.append(f"| {arm} | " + " | ".join(cells) + " |")
    lines += ["", f"![validation curves of every arm]({PLOT})", "",
              "Validation curves during fine-tuning: mean over seeds, band from the lowest to the highest seed.",
              "", "## Compute account (mean per run)", "",
              "| arm | pretraining FLOPs | pretraining time | fine-tuning FLOPs | fine-tuning time | pretraining / fine-tuning FLOPs |",
              "|---|---:|---:|---:|---:|---:|"]
    for arm, entry in results["compute"].items():
        pre, fine = entry["pretrain"], entry["finetune"]
        ratio = f"{pre['flops'] / fine['flops']:.2f}" if pre and fine else "–"
        lines.append(f"| {arm} | {_flops(pre['flops']) if pre else '–'} | {_seconds(pre['train_seconds']) if pre else '–'} "
                     f"| {_flops(fine['flops'])} | {_seconds(fine['train_seconds'])} | {ratio} |")
    lines += ["", "FLOPs are matmul FLOPs of forward and backward passes (padding excluded); times are training "
              "loop seconds, without data generation, validation set-up or evaluation.", ""]
    if results.get("pretraining"):
        lines += ["## How well each pretraining task was learned", "",
                  "Validation on the task's own held-out examples at the end of pretraining (mean over seeds; "
                  "exact match is greedy).", "", "| arm | token accuracy (%) | exact match (%) |", "|---|---:|---:|"]
        lines += [f"| {arm} | {_percent(q['token_accuracy'])} | {_percent(q['exact_match'])} |"
                  for arm, q in results["pretraining"].items()]
    return "\n".join(lines)


def _elapsed(results: dict[str, Any]) -> str:
    runs = results.get("invocations", [])
    if not runs:
        return "elapsed time not recorded"
    jobs = sorted({entry["jobs"] for entry in runs})
    return (f"elapsed {_seconds(results['elapsed_seconds'])} over {len(runs)} invocation"
            f"{'s' if len(runs) > 1 else ''} with --jobs {'/'.join(map(str, jobs))}")


def _describe_downstream(config: dict[str, Any]) -> str:
    parts = []
    if config.get("last"):
        parts.append(f"theorems up to `{config['last']}`")
    if config.get("section"):
        parts.append(f"section {config['section']!r}")
    parts.append(f"steps: {config['steps']}")
    if config.get("max_source_tokens"):
        parts.append(f"sources ≤ {config['max_source_tokens']} tokens")
    if config.get("max_target_tokens"):
        parts.append(f"targets ≤ {config['max_target_tokens']} tokens")
    parts.append(f"split by theorem {config['train']} / {config['valid']} / {config['test']} (seed {config['seed']})")
    return ", ".join(parts)


def machine_description() -> str:
    import os

    import torch

    device = torch.cuda.get_device_name(0) if torch.cuda.is_available() else "no GPU"
    memory = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    return f"{platform.machine()}, {os.cpu_count()} cores, {memory:.0f} GB RAM, {device}; torch {torch.__version__}"


def write_report(out: Path, results: dict[str, Any], cells: Sequence[Cell]) -> None:
    """Write the three files (each atomically) into ``out``."""
    with atomic_file(out / PLOT, "wb") as handle:
        plot_curves(cells, results["arms"], handle)
    write_json_atomic(out / RESULTS, results, sort_keys=False)  # per-arm tables keep the canonical arm order
    write_text_atomic(out / REPORT, render_markdown(results))


def log_invocation(out: Path, entry: dict[str, Any]) -> None:
    """Append one line to ``out/invocations.jsonl``: an invocation of the matrix that ran stages."""
    with open(out / INVOCATIONS, "a", encoding="utf-8") as handle:
        handle.write(json.dumps(entry, sort_keys=True) + "\n")


def read_invocations(out: Path) -> list[dict[str, Any]]:
    path = out / INVOCATIONS
    if not path.is_file():
        return []
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def assemble(preset: dict[str, Any], arms: Sequence[str], seeds: Sequence[int], cells: Sequence[Cell],
             downstream: dict[str, Any], command: str, date: str, wall_seconds: float,
             invocations: Sequence[dict[str, Any]] = ()) -> dict[str, Any]:
    """The content of ``results.json``.

    ``wall_seconds`` is every stage's time, each stage counted once (with ``--jobs 2`` about twice the
    elapsed time); ``elapsed_seconds`` sums the invocations that ran stages, as a clock on the wall saw them.
    """
    beam = preset["evaluation"]["beam"]
    return {
        "preset": preset, "arms": list(arms), "seeds": list(seeds), "command": command, "date": date,
        "machine": machine_description(), "downstream": downstream, "wall_seconds": wall_seconds,
        "elapsed_seconds": sum(entry["seconds"] for entry in invocations), "invocations": list(invocations),
        "runs": [c.row() for c in cells], "summary": summarise(cells, arms, beam),
        "compute": compute_account(cells, arms), "pretraining": pretraining_quality(cells, arms),
    }
