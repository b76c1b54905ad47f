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
from lime_reasoning.experiments.contrasts import primary_contrast, secondary_contrasts
from lime_reasoning.datasets.novelty import NOVEL, SEEN
from lime_reasoning.experiments.outcomes import SUBSETS, Outcomes, flat_rates, metric_names
from lime_reasoning.experiments.proving_runs import PROVED
from lime_reasoning.experiments.statistics import Difference, paired_difference, spread
from lime_reasoning.training.metrics import read_rows
from lime_reasoning.wording import counted

RESULTS, REPORT, PLOT, INVOCATIONS = "results.json", "report.md", "curves.png", "invocations.jsonl"
PROVING_KEYS = tuple(f"{subset}/{PROVED}" for subset in (NOVEL, SEEN, "all"))
# What every pretrained arm is compared with: no pretraining, and the control that keeps only the weights'
# per-tensor scale (a LIME task must beat it to show that its content, not its scale, helps).
BASELINES = (SCRATCH, PARAM_STATS)
CURVE_METRICS = (("valid/loss", "validation loss"), ("valid/token_accuracy", "validation token accuracy"),
                 ("valid/exact_match", "validation exact match (greedy)"))


@dataclass(frozen=True)
class Cell:
    """One (arm, seed): its test outcomes and the records of the stages that made it."""

    arm: str
    seed: int
    outcomes: Outcomes
    pretrain: dict[str, Any] | None
    finetune: dict[str, Any]
    evaluate: dict[str, Any]
    curve_file: Path
    pretrain_curve: Path | None = None
    prove: dict[str, Any] | None = None  # the proving stage's record, once it is finished

    def row(self, select: str, gate: float) -> dict[str, Any]:
        def account(record: dict[str, Any] | None) -> dict[str, Any] | None:
            if record is None:
                return None
            return {k: record[k] for k in ("steps", "tokens_seen", "train_seconds", "flops", "wall_seconds", "key")
                    if k in record}

        learned = kept_exact_match(self.pretrain_curve, select) if self.pretrain_curve else None
        return {"arm": self.arm, "seed": self.seed, **self.outcomes.rates, "pretrain": account(self.pretrain),
                "pretrain_exact_match": learned, "passed_gate": None if learned is None else learned >= gate,
                "finetune": account(self.finetune), "evaluate_seconds": self.evaluate["wall_seconds"],
                "prove_seconds": self.prove["wall_seconds"] if self.prove else None}


def read_curve(path: Path, metric: str) -> list[tuple[int, float]]:
    return [(int(r["step"]), float(r["value"])) for r in read_rows(path) if r["metric"] == metric]


def kept_step(curve: Path, select: str) -> int:
    """The validation step of the checkpoint a run kept under ``select`` (trainer --select; ties keep the earlier)."""
    if select == "exact_match":
        return max(read_curve(curve, "valid/exact_match"), key=lambda item: item[1])[0]  # max keeps the earliest
    if select == "loss":
        return min(read_curve(curve, "valid/loss"), key=lambda item: item[1])[0]  # min keeps the earliest
    return read_curve(curve, "valid/exact_match")[-1][0]


def kept_exact_match(curve: Path, select: str) -> float:
    """The validation exact match of the checkpoint a run kept under ``select`` (trainer --select)."""
    return dict(read_curve(curve, "valid/exact_match"))[kept_step(curve, select)]


def summarise(cells: Sequence[Cell], arms: Sequence[str], keys: Sequence[str]) -> dict[str, Any]:
    """Per arm and ``subset/metric``: mean, std, n, and the paired differences from the :data:`BASELINES`."""
    by_arm: dict[str, dict[int, Cell]] = defaultdict(dict)
    for cell in cells:
        by_arm[cell.arm][cell.seed] = cell
    summary: dict[str, Any] = {}
    for arm in arms:
        if arm not in by_arm:
            continue
        summary[arm] = {}
        for key in keys:
            values = {seed: cell.outcomes.rates[key] for seed, cell in by_arm[arm].items() if key in cell.outcomes.rates}
            if not values:
                continue
            entry: dict[str, Any] = asdict(spread(list(values.values())))
            for baseline in BASELINES:
                if arm not in (SCRATCH, baseline) and baseline in by_arm:
                    paired = {seed: cell.outcomes.rates[key] for seed, cell in by_arm[baseline].items()
                              if key in cell.outcomes.rates}
                    difference = paired_difference(values, paired)
                    entry[f"vs_{baseline}"] = asdict(difference) if difference else None
            summary[arm][key] = entry
    return summary


def summarise_baselines(baselines: dict[int, dict[str, Any]], keys: Sequence[str], beam: int) -> dict[str, Any]:
    """Per model-free baseline and ``subset/metric``: mean, std and n over the seeds' splits."""
    return summarise_floors({seed: {name: flat_rates(summary, beam) for name, summary in per_seed.items()}
                             for seed, per_seed in baselines.items()}, keys)


def summarise_floors(rates: dict[int, dict[str, dict[str, float]]], keys: Sequence[str]) -> dict[str, Any]:
    """Per model-free baseline and key: mean, std and n over the seeds, from each seed's ``{name: {key: rate}}``."""
    names = sorted({name for per_seed in rates.values() for name in per_seed})
    table: dict[str, Any] = {}
    for name in names:
        mine = [per_seed[name] for per_seed in rates.values() if name in per_seed]
        table[name] = {key: asdict(spread([r[key] for r in mine])) for key in keys if all(key in r for r in mine)}
    return table


def summarise_subsets(baselines: dict[int, dict[str, Any]]) -> dict[str, Any]:
    """Per test subset: its share of the test split and its label-coverage ceiling, over the seeds' splits."""
    subsets: dict[str, Any] = {}
    splits = [next(iter(per_seed.values()))["per_subset"] for per_seed in baselines.values() if per_seed]
    for name in sorted({n for split in splits for n in split}):
        mine = [split[name] for split in splits if name in split]
        subsets[name] = {field: asdict(spread([m[field] for m in mine])) for field in ("share", "label_coverage", "examples")
                         if all(field in m for m in mine)}
    return subsets


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


def pretraining_quality(cells: Sequence[Cell], arms: Sequence[str], select: str, gate: float) -> dict[str, Any]:
    """Per arm with its own pretraining: the kept checkpoint's validation exact match and token accuracy, and the gate's verdicts."""
    quality: dict[str, Any] = {}
    for arm in arms:
        mine = [c for c in cells if c.arm == arm and c.pretrain_curve is not None]
        if not mine:
            continue
        exact = {c.seed: kept_exact_match(c.pretrain_curve, select) for c in mine}
        quality[arm] = {"exact_match": spread(list(exact.values())).mean, "min_exact_match": min(exact.values()),
                        "token_accuracy": spread([dict(read_curve(c.pretrain_curve, "valid/token_accuracy"))[
                                                      kept_step(c.pretrain_curve, select)] for c in mine]).mean,
                        "passed": sum(value >= gate for value in exact.values()), "seeds": len(exact),
                        "below_gate": sorted(seed for seed, value in exact.items() if value < gate)}
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


_LABELS = {"top1": "top-1", "checked_top1": "checked top-1"}


def _label(metric: str) -> str:
    return _LABELS.get(metric) or (f"checked top-{metric.removeprefix('checked_top')}" if metric.startswith("checked")
                                   else f"top-{metric.removeprefix('top')}")


def _p(value: float | None) -> str:
    return "–" if value is None else (f"{value:.3f}" if value >= 0.001 else "< 0.001")


def _mean_std(entry: dict[str, Any] | None) -> str:
    return "–" if not entry else f"{_percent(entry['mean'])} ± {_percent(entry['std'])}"


def _accuracy_table(results: dict[str, Any], subset: str, beam: int) -> list[str]:
    """Arms, then the model-free baselines, on one test subset: every metric with its floor beneath it."""
    metrics = metric_names(beam)
    keys = [f"{subset}/{m}" for m in metrics]
    lines = ["| arm | seeds | " + " | ".join(_label(m) for m in metrics) + " | Δ top-1 vs scratch [95% CI] |",
             "|---|---:|" + "---:|" * (len(metrics) + 1)]
    for arm, entry in results["summary"].items():
        n = max((entry[k]["n"] for k in keys if k in entry), default=0)
        cells = [_mean_std(entry.get(k)) for k in keys]
        difference = entry.get(keys[0], {}).get(f"vs_{SCRATCH}")
        lines.append(f"| {arm} | {n} | " + " | ".join(cells) + f" | {_difference(difference)} |")
    for name, entry in results["baselines"].items():
        lines.append(f"| *{name.replace('_', ' ')}* (model-free) | {max((e['n'] for e in entry.values()), default=0)} | "
                     + " | ".join(_mean_std(entry.get(k)) for k in keys) + " |  |")
    return lines


def _primary_lines(results: dict[str, Any]) -> list[str]:
    primary = results.get("primary")
    if not primary:
        return ["No seed has both arms of the primary contrast yet."]
    paired, boot, power = primary["paired"], primary["bootstrap"], primary["power"]
    effect = 100 * primary["effect"]
    interval = "" if paired["low"] is None else f", 95% CI [{100 * paired['low']:+.1f}, {100 * paired['high']:+.1f}]"
    lines = [f"**{primary['arm']} − {primary['baseline']}**, {_label(primary['metric'])} on the {primary['subset']} "
             f"test examples, over {counted(len(primary['seeds']), 'seed')} (the preset asks for {primary['wanted_seeds']}):",
             "",
             f"* paired t over seeds: {100 * paired['mean']:+.1f} points{interval}, p = {_p(paired['p_value'])}"]
    if boot:
        lines.append(f"* hierarchical bootstrap (seeds, then theorems; {boot['draws']:,} draws): "
                     f"{100 * boot['observed']:+.1f}, 95% interval [{100 * boot['low']:+.1f}, {100 * boot['high']:+.1f}]")
    if power:
        lines.append(f"* spread of the paired difference over seeds: sd {100 * power['sd']:.1f} points; power to detect "
                     f"{effect:.0f} points: {100 * power['power_at_effect']:.0f}%; minimum detectable difference at 80% "
                     f"power: {100 * power['minimum_detectable']:.1f} points; seeds needed for 80% power at {effect:.0f} "
                     f"points: {power['seeds_needed']}")
    lines += ["", f"Verdict: {verdict(primary)}"]
    return lines


def _proving_lines(results: dict[str, Any]) -> list[str]:
    """Theorems proved per arm on each statement subset, the model-free provers beneath."""
    sample, p = results.get("proving"), results["preset"]["proving"]
    if not sample:
        return []
    lines = [f"## Theorems proved (%) — {' / '.join(map(str, sample['theorems']))} test theorems per seed, "
             f"{p['budget']} expansions of {p['k']} candidate steps", "",
             "| arm | seeds | novel statements | seen statements | all | Δ all vs scratch [95% CI] |",
             "|---|---:|---:|---:|---:|---:|"]
    for arm, entry in results["summary"].items():
        if f"all/{PROVED}" not in entry:
            continue
        lines.append(f"| {arm} | {entry[f'all/{PROVED}']['n']} | "
                     + " | ".join(_mean_std(entry.get(key)) for key in PROVING_KEYS)
                     + f" | {_difference(entry[f'all/{PROVED}'].get(f'vs_{SCRATCH}'))} |")
    for name, entry in results["proving_floors"].items():
        lines.append(f"| *{name.replace('_', ' ')}* (model-free prover) | {entry.get(f'all/{PROVED}', {}).get('n', 0)} | "
                     + " | ".join(_mean_std(entry.get(key)) for key in PROVING_KEYS) + " |  |")
    lines += ["", f"Each seed's arms attempt the same theorems, a sample of its test split chosen by the seed; a "
              f"theorem counts as proved only when the proof found was assembled and accepted by the verifier. "
              f"*Novel statements* ({_percent(sample['novel_share'])}% of the theorems): the statement with its "
              f"hypotheses occurs as no train source (up to variable renaming), so its first step cannot be recalled. "
              f"The model-free provers search with the train lookup's and the best constant's predictions as "
              f"candidates.", ""]
    return lines


def verdict(primary: dict[str, Any]) -> str:
    """One sentence from the numbers alone: which way the interval lies, and what the seeds could detect."""
    paired, power = primary["paired"], primary["power"]
    if paired["low"] is None:
        return "one seed: no interval, no conclusion."
    if paired["low"] > 0:
        sign = f"{primary['arm']} beats {primary['baseline']} (the 95% interval excludes 0)"
    elif paired["high"] < 0:
        sign = f"{primary['arm']} is worse than {primary['baseline']} (the 95% interval excludes 0)"
    else:
        sign = f"no difference between {primary['arm']} and {primary['baseline']} is detected (the 95% interval contains 0)"
    if power is None:
        return sign + "."
    powered = power["power_at_effect"] >= 0.8
    return (sign + f"; the seeds {'have' if powered else 'do not have'} 80% power at {100 * primary['effect']:.0f} "
            f"points (minimum detectable difference {100 * power['minimum_detectable']:.1f}).")


def render_markdown(results: dict[str, Any]) -> str:
    preset, beam = results["preset"], results["preset"]["evaluation"]["beam"]
    gate = preset["gate"]
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
        f"tokens per side; `param_stats` redraws each `mixed`-pretrained tensor from its mean and std; gate: "
        f"validation exact match ≥ {100 * gate:.0f}% on the task's own held-out examples",
        f"* Downstream: MetaMathStep from {results['downstream']['database']}, "
        f"{_describe_downstream(preset['downstream'])}; a split per seed (the arms of a seed share it), test "
        f"examples per split {_range(results['downstream']['test_examples'])}",
        f"* Fine-tuning (every arm alike): {preset['finetuning']['steps']:,} updates of ≤ "
        f"{preset['finetuning']['max_tokens']:,} tokens per side, peak lr {preset['finetuning']['lr']:g}; "
        f"`scratch` has the same architecture, randomly initialised; `scratch_long` fine-tunes from random weights "
        f"for the pretraining plus the fine-tuning updates",
        f"* Checkpoints: every run keeps its best by {preset['select'].replace('_', ' ')} on validation "
        "(one rule for every arm and for pretraining)",
        f"* Evaluation: beam {beam} on the test split"
        + (f" (first {preset['evaluation']['limit']:,} examples)" if preset["evaluation"]["limit"] else "")
        + "; exact match of the top-1 / any of the top-k predictions; *checked*: "
        + (results.get("checker_guarantee") or "the Metamath step checker accepts the prediction as a correct step"),
        f"* Test subsets: *novel* examples have a source that occurs in no train example of their split "
        f"({results['downstream']['novelty']}); *seen* ones do, and a lookup can answer them",
        "",
        "## Primary contrast (pre-registered in the preset)",
        "",
        *_primary_lines(results),
        "",
        "## Test accuracy (%) on novel examples — mean ± std over seeds; model-free floors beneath",
        "",
        *_accuracy_table(results, "novel", beam),
        "",
        "## Test accuracy (%) on seen examples (their source occurs in train: memorisable)",
        "",
        *_accuracy_table(results, "seen", beam),
        "",
        "## Test accuracy (%) on all test examples",
        "",
        *_accuracy_table(results, "all", beam),
        "",
        "*train lookup*: the most frequent train targets of the same source, then the most frequent train targets; "
        "*best constant*: the most frequent train targets, whatever the source. Both see only the train split.",
        "",
    ]
    lines += _proving_lines(results)
    if results.get("subsets"):
        lines += ["| test subset | share of test (%) | examples per split | label-coverage ceiling (%) |",
                  "|---|---:|---:|---:|"]
        for name, entry in results["subsets"].items():
            lines.append(f"| {name} | {_percent(entry['share']['mean'])} | {entry['examples']['mean']:.0f} | "
                         f"{_percent(entry.get('label_coverage', {}).get('mean'))} |")
        lines += ["", "Label-coverage ceiling: the share of examples whose gold label occurs in train, the most a "
                  "model emitting only labels it was trained on can reach.", ""]
    if results.get("secondary"):
        lines += ["## Secondary contrasts (Holm-corrected as one family)", "",
                  "| contrast | seeds | Δ (points) [95% CI] | p | p (Holm) | |", "|---|---:|---:|---:|---:|---|"]
        for row in results["secondary"]:
            d = row["paired"]
            lines.append(f"| {row['arm']} − {row['baseline']} | {d['n']} | {_difference(d)} | {_p(d['p_value'])} | "
                         f"{_p(row['p_holm'])} | {'exploratory' if row['exploratory'] else ''} |")
        lines += ["", f"On {results['primary']['key'] if results.get('primary') else 'the primary metric'}; "
                  "an exploratory contrast has fewer seeds than the primary one.", ""]
    lines += [f"![validation curves of every arm]({PLOT})", "",
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
                  f"Validation on the task's own held-out examples, of the checkpoint each run kept (exact match is "
                  f"greedy); the gate is {100 * gate:.0f}%.", "",
                  "| arm | token accuracy (%) | exact match (%), mean | lowest seed | seeds past the gate |",
                  "|---|---:|---:|---:|---|"]
        for arm, q in results["pretraining"].items():
            below = f" — **below the gate: seed {', '.join(map(str, q['below_gate']))}**" if q["below_gate"] else ""
            lines.append(f"| {arm} | {_percent(q['token_accuracy'])} | {_percent(q['exact_match'])} | "
                         f"{_percent(q['min_exact_match'])} | {q['passed']} of {q['seeds']}{below} |")
    return "\n".join(lines)


def _range(values: Sequence[int]) -> str:
    return "–" if not values else (f"{min(values):,}" if min(values) == max(values) else f"{min(values):,}–{max(values):,}")


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
    parts.append(f"split by theorem {config['train']} / {config['valid']} / {config['test']}")  # by each cell's seed
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


def proving_sample(cells: Sequence[Cell]) -> dict[str, Any] | None:
    """The theorems the provers attempted: how many per seed, and the share with a novel statement."""
    by_seed = {c.seed: c.prove["theorems"] for c in cells if c.prove}
    if not by_seed:
        return None
    return {"theorems": sorted({len(t) for t in by_seed.values()}),
            "novel_share": spread([sum(x["novel"] for x in t) / len(t) for t in by_seed.values()]).mean}


def assemble(preset: dict[str, Any], arms: Sequence[str], cells: Sequence[Cell], baselines: dict[int, dict[str, Any]],
             downstream: dict[str, Any], command: str, date: str, wall_seconds: float,
             invocations: Sequence[dict[str, Any]] = (),
             floors: dict[int, dict[str, dict[str, float]]] | None = None) -> dict[str, Any]:
    """The content of ``results.json``.

    ``baselines`` holds, per seed, the model-free baselines' summaries on that seed's test split; ``floors``,
    per seed, the shares of theorems the model-free provers proved.
    ``wall_seconds`` is every stage's time, each stage counted once (with ``--jobs 2`` about twice the
    elapsed time); ``elapsed_seconds`` sums the invocations that ran stages, as a clock on the wall saw them.
    """
    beam = preset["evaluation"]["beam"]
    keys = [f"{subset}/{metric}" for subset in SUBSETS for metric in metric_names(beam)]
    outcomes = {(c.arm, c.seed): c.outcomes for c in cells}
    primary = {**preset["primary"], "wanted_seeds": preset["primary"]["seeds"]}
    contrast = primary_contrast(primary, outcomes)
    evaluations = [c.evaluate.get("metrics", {}) for c in cells]
    return {
        "preset": preset, "arms": list(arms), "seeds": sorted({c.seed for c in cells}), "command": command,
        "date": date, "machine": machine_description(), "downstream": downstream, "wall_seconds": wall_seconds,
        "elapsed_seconds": sum(entry["seconds"] for entry in invocations), "invocations": list(invocations),
        "checker_guarantee": next((m["checker_guarantee"] for m in evaluations if "checker_guarantee" in m), None),
        "runs": [c.row(preset["select"], preset["gate"]) for c in cells],
        "summary": summarise(cells, arms, keys + list(PROVING_KEYS)),
        "baselines": summarise_baselines(baselines, keys, beam),
        "proving": proving_sample(cells), "proving_floors": summarise_floors(floors or {}, PROVING_KEYS),
        "subsets": summarise_subsets(baselines), "primary": contrast,
        "secondary": secondary_contrasts({**primary, "seeds": len(contrast["seeds"]) if contrast else 0}, arms, outcomes),
        "compute": compute_account(cells, arms),
        "pretraining": pretraining_quality(cells, arms, preset["select"], preset["gate"]),
    }
