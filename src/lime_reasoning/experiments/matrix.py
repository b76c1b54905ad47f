"""Running the matrix: downstream data, then per seed and arm: synthetic data, pretraining, fine-tuning,
evaluation, proving (and per seed the model-free provers). Every step is a cached
:class:`~lime_reasoning.experiments.stages.Stage`.

The primary contrast's arms run first (they have more seeds), then the exploratory arms; within each,
seeds are the outer loop, so an interrupted or partly extended experiment has whole seeds finished
first. A seed decides the downstream theorem split, the synthetic data, the initial weights, the batch
order and the ``param_stats`` draws; the arms of a seed share its split and differ in their pretraining
only, and results over seeds are not about one split.
"""

from __future__ import annotations

import contextlib
import dataclasses
import json
import multiprocessing
import re
import signal
import sys
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ProcessPoolExecutor
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from lime_reasoning.datasets import read_meta, read_records
from lime_reasoning.datasets.novelty import Novelty, test_novelty
from lime_reasoning.experiments.arms import (ARMS, PARAM_STATS, PRETRAINING_TASKS, SCRATCH_LONG, UNPRETRAINED,
                                             pretrained_source)
from lime_reasoning.experiments.compute import training_account
from lime_reasoning.experiments.experiment_presets import ExperimentPreset, TrainingBudget
from lime_reasoning.experiments.outcomes import cell_outcomes
from lime_reasoning.experiments.proving_runs import prove_with_baselines, prove_with_model, proving_rates
from lime_reasoning.experiments.report import Cell, assemble, read_invocations, write_report
from lime_reasoning.experiments.stages import Stage
from lime_reasoning.training.metrics import CSV_FILE
from lime_reasoning.wording import counted


PROGRESS_LOG = "progress.log"
_stop_requested = False


def _request_stop(signum: int | None = None, frame: object = None) -> None:
    """No further stage starts in this process (the one running finishes or saves)."""
    global _stop_requested
    _stop_requested = True


def _worker_setup() -> None:
    """A worker process: Ctrl-C lets the running stage save and stops the cell.

    Training catches the signal itself (its handler replaces this one while it trains), checkpoints,
    stops and raises :class:`Interrupted`, which sets the same flag; any other stage finishes, and the
    flag keeps the next one from starting.
    """
    from lime_reasoning.modeling.model import quiet_transformers

    quiet_transformers()
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, _request_stop)


@contextlib.contextmanager
def torch_threads(count: int) -> Iterator[None]:
    """Run with exactly ``count`` intra-op threads, whatever the process had set before, then restore it."""
    import torch

    before = torch.get_num_threads()
    torch.set_num_threads(count)
    try:
        yield
    finally:
        torch.set_num_threads(before)


class Interrupted(KeyboardInterrupt):
    """A stage stopped on Ctrl-C / SIGTERM after saving its progress."""


@dataclass
class Matrix:
    preset: ExperimentPreset
    out: Path
    arms: tuple[str, ...]
    database: Path
    database_sha256: str
    quiet: bool = False
    seeds: int | None = None  # every arm this many seeds (None: the preset's, more for the primary contrast)

    # Stages -----------------------------------------------------------------------------------------

    def seeds_of(self, arm: str) -> int:
        return self.seeds if self.seeds is not None else self.preset.seeds_of(arm)

    def cells(self) -> list[tuple[int, str]]:
        """Every (seed, arm) of this invocation: the primary contrast's arms first, seed by seed."""
        primary = (self.preset.primary.arm, self.preset.primary.baseline)
        groups = [tuple(a for a in self.arms if a in primary), tuple(a for a in self.arms if a not in primary)]
        return [(seed, arm) for group in groups for seed in range(max((self.seeds_of(a) for a in group), default=0))
                for arm in group if seed < self.seeds_of(arm)]

    def downstream_stage(self, seed: int) -> Stage:
        settings = {"config": asdict(dataclasses.replace(self.preset.downstream, seed=seed)),
                    "database_sha256": self.database_sha256}
        return Stage("data", f"metamathstep-s{seed}", settings, self.out)

    def synthetic_stage(self, task: str, seed: int) -> Stage:
        p = self.preset.pretraining
        settings = {"task": task, "seed": seed, "train": p.train_examples, "valid": p.valid_examples,
                    "knobs": p.knobs.to_dict()}
        return Stage("data", f"{task}-s{seed}", settings, self.out)

    def _training_settings(self, budget: TrainingBudget, data: Stage, seed: int, init: Stage | None,
                           transfer: str) -> dict[str, Any]:
        return {"data": data.key, "init": init.key if init else None, "transfer": transfer, "seed": seed,
                "model": self.preset.model, "overrides": list(self.preset.model_overrides),
                "budget": asdict(budget), "threads": self.preset.threads, "select": self.preset.select}

    def pretrain_stage(self, arm: str, seed: int) -> Stage:
        data = self.synthetic_stage(PRETRAINING_TASKS[arm], seed)
        settings = self._training_settings(self.preset.pretraining.budget, data, seed, None, "none")
        return Stage("pretrain", f"{arm}-s{seed}", settings, self.out)

    def param_stats_stage(self, seed: int) -> Stage:
        source = self.pretrain_stage(pretrained_source(PARAM_STATS), seed)
        return Stage("pretrain", f"{PARAM_STATS}-s{seed}", {"from": source.key, "seed": seed}, self.out)

    def init_stage(self, arm: str, seed: int) -> Stage | None:
        if arm in UNPRETRAINED:
            return None
        return self.param_stats_stage(seed) if arm == PARAM_STATS else self.pretrain_stage(arm, seed)

    def finetuning_budget(self, arm: str) -> TrainingBudget:
        """The shared fine-tuning budget; ``scratch_long`` adds the pretraining updates to it."""
        budget = self.preset.finetuning
        if arm == SCRATCH_LONG:
            return dataclasses.replace(budget, steps=budget.steps + self.preset.pretraining.budget.steps)
        return budget

    def finetune_stage(self, arm: str, seed: int) -> Stage:
        init = self.init_stage(arm, seed)
        settings = self._training_settings(self.finetuning_budget(arm), self.downstream_stage(seed), seed, init,
                                           "none" if init is None else "map")
        return Stage("finetune", f"{arm}-s{seed}", settings, self.out)

    def evaluate_stage(self, arm: str, seed: int) -> Stage:
        settings = {"model": self.finetune_stage(arm, seed).key, "data": self.downstream_stage(seed).key,
                    "evaluation": asdict(self.preset.evaluation), "split": "test", "checker": "metamath",
                    "threads": self.preset.threads}
        return Stage("evaluate", f"{arm}-s{seed}", settings, self.out)

    def prove_stage(self, arm: str, seed: int) -> Stage:
        settings = {"model": self.finetune_stage(arm, seed).key, "data": self.downstream_stage(seed).key,
                    "proving": asdict(self.preset.proving), "threads": self.preset.threads}
        return Stage("prove", f"{arm}-s{seed}", settings, self.out)

    def floors_stage(self, seed: int) -> Stage:
        """The model-free provers of ``seed``'s sample (shared by the seed's arms)."""
        settings = {"data": self.downstream_stage(seed).key, "proving": asdict(self.preset.proving)}
        return Stage("prove", f"floors-s{seed}", settings, self.out)

    def cell_stages(self, arm: str, seed: int) -> tuple[Stage, ...]:
        """The stages whose records make a cell's outcomes: a cell is finished when all are."""
        return self.evaluate_stage(arm, seed), self.prove_stage(arm, seed), self.floors_stage(seed)

    # Work -------------------------------------------------------------------------------------------

    def _say(self, message: str) -> None:
        """Progress on stderr (unless quiet) and, timestamped, in ``DIR/progress.log`` (always)."""
        if not self.quiet:
            print(f"lime reproduce: {message}", file=sys.stderr, flush=True)
        self.out.mkdir(parents=True, exist_ok=True)
        with open(self.out / PROGRESS_LOG, "a", encoding="utf-8") as log:
            log.write(f"{time.strftime('%Y-%m-%dT%H:%M:%S')} {message}\n")

    def _run(self, stage: Stage, what: str, work: Callable[[], dict[str, Any]]) -> dict[str, Any]:
        if stage.done():
            return stage.record()
        if _stop_requested:
            raise Interrupted
        self._say(f"{what} -> {stage.path}")

        def pinned() -> dict[str, Any]:
            with torch_threads(self.preset.threads):
                return {**work(), "threads": self.preset.threads}

        try:
            return stage.run(pinned)
        except Interrupted:
            _request_stop()
            raise

    def build_downstream(self, seed: int) -> Stage:
        from lime_reasoning.benchmarks.metamathstep import build_metamathstep

        stage = self.downstream_stage(seed)
        config = dataclasses.replace(self.preset.downstream, seed=seed)

        def work() -> dict[str, Any]:
            meta = build_metamathstep(self.database, stage.path, config, ["text"], overwrite=True, quiet=self.quiet)
            return {"counts": meta["counts"]}

        self._run(stage, f"building the MetaMathStep subset (split of seed {seed})", work)
        return stage

    def build_synthetic(self, task: str, seed: int) -> Stage:
        from lime_reasoning.datasets.build import BuildRequest, build
        from lime_reasoning.datasets.synthetic import SyntheticSpec

        stage = self.synthetic_stage(task, seed)
        p = self.preset.pretraining
        request = BuildRequest(spec=SyntheticSpec(task, p.knobs, seed),
                               counts={"train": p.train_examples, "valid": p.valid_examples, "test": 0},
                               out=stage.path, quiet=True)
        self._run(stage, f"generating {task} data (seed {seed})",
                  lambda: {"counts": (read_meta(stage.path) or build(request))["counts"]})
        return stage

    def _train(self, stage: Stage, budget: TrainingBudget, data: Stage, seed: int, init: Stage | None,
               transfer: str, what: str) -> dict[str, Any]:
        from lime_reasoning.training.checkpoint import find_checkpoint
        from lime_reasoning.training.config import TrainConfig
        from lime_reasoning.training.distributed import init_distributed, shutdown
        from lime_reasoning.training.setup import prepare

        def work() -> dict[str, Any]:
            resume = find_checkpoint(stage.path, "last") is not None
            config = TrainConfig(
                out=str(stage.path), data=str(data.path), init=str(init.path) if init else None,
                transfer=transfer, preset=self.preset.model, set=self.preset.model_overrides,
                max_tokens=budget.max_tokens, lr=budget.lr, warmup=budget.warmup, seed=seed,
                valid_size=budget.valid_size, select=self.preset.select, max_steps=budget.steps,
                valid_every=budget.valid_every,
                save_every=budget.valid_every, log_every=budget.valid_every, resume=resume, overwrite=not resume,
            )
            d = init_distributed()
            try:
                outcome = prepare(config, d).train()
            finally:
                shutdown(d)
            if outcome.interrupted:
                raise Interrupted
            return training_account(stage.path, data.path)

        return self._run(stage, what, work)

    def pretrain(self, arm: str, seed: int) -> Stage:
        stage = self.pretrain_stage(arm, seed)
        if not stage.done():
            data = self.build_synthetic(PRETRAINING_TASKS[arm], seed)
            self._train(stage, self.preset.pretraining.budget, data, seed, None, "none",
                        f"pretraining {arm} (seed {seed})")
        return stage

    def make_param_stats(self, seed: int) -> Stage:
        from lime_reasoning.experiments.param_stats import write_param_stats_run

        stage = self.param_stats_stage(seed)
        if not stage.done():
            source = self.pretrain(pretrained_source(PARAM_STATS), seed)

            def work() -> dict[str, Any]:
                write_param_stats_run(source.path, stage.path, seed)
                return {"from": str(source.path)}

            self._run(stage, f"redrawing the mixed-pretrained weights from their moments (seed {seed})", work)
        return stage

    def build_init(self, arm: str, seed: int) -> Stage | None:
        """Make the starting point :meth:`init_stage` names (None: the unpretrained arms start at random)."""
        if arm in UNPRETRAINED:
            return None
        return self.make_param_stats(seed) if arm == PARAM_STATS else self.pretrain(arm, seed)

    def finetune(self, arm: str, seed: int, downstream: Stage) -> Stage:
        stage = self.finetune_stage(arm, seed)
        if not stage.done():
            init = self.build_init(arm, seed)
            self._train(stage, self.finetuning_budget(arm), downstream, seed, init, "none" if init is None else "map",
                        f"fine-tuning {arm} (seed {seed})")
        return stage

    def evaluate(self, arm: str, seed: int) -> dict[str, Any]:
        from lime_reasoning.evaluation.runner import METRICS, EvalConfig, evaluate

        downstream = self.build_downstream(seed)
        model = self.finetune(arm, seed, downstream)
        stage = self.evaluate_stage(arm, seed)
        e = self.preset.evaluation
        config = EvalConfig(model=str(model.path), data=str(downstream.path), split="test", beam=e.beam,
                            max_length=e.max_length, limit=e.limit, checker="metamath", mm=str(self.database))

        def work() -> dict[str, Any]:
            finished = stage.path / METRICS
            metrics = json.loads(finished.read_text()) if finished.is_file() else evaluate(config, stage.path)
            return {"metrics": {k: v for k, v in metrics.items() if k != "config"}}

        return self._run(stage, f"evaluating {arm} (seed {seed}) on the test split, beam {e.beam}", work)

    def prove(self, arm: str, seed: int) -> dict[str, Any]:
        downstream = self.build_downstream(seed)
        model = self.finetune(arm, seed, downstream)
        stage, p = self.prove_stage(arm, seed), self.preset.proving
        return self._run(stage, f"proving {arm} (seed {seed}): {p.theorems or 'all'} test theorems, budget {p.budget}",
                         lambda: prove_with_model(model.path, downstream.path, self.database, p, seed, stage.path,
                                                  self.quiet))

    def prove_floors(self, seed: int) -> dict[str, Any]:
        downstream, stage = self.build_downstream(seed), self.floors_stage(seed)
        return self._run(stage, f"proving with the model-free baselines (seed {seed})",
                         lambda: prove_with_baselines(downstream.path, self.database, self.preset.proving, seed,
                                                      stage.path, self.quiet))

    def cell(self, arm: str, seed: int) -> None:
        """Everything of one (seed, arm): its evaluation, its proving, and the seed's floors."""
        self.evaluate(arm, seed)
        self.prove(arm, seed)
        self.prove_floors(seed)

    def run(self, jobs: int = 1) -> int:
        """Every (seed, arm) cell, in order; finished cells cost nothing.

        With ``jobs`` > 1, cells run in that many worker processes. Every stage runs with the preset's
        thread count wherever it runs, so a cell's numbers do not depend on ``jobs``. Stage locks keep two
        workers from doing the same stage: one waits while the other pretrains the ``mixed`` model both need.
        """
        global _stop_requested
        _stop_requested = False  # a run interrupted earlier in this process (a notebook's) does not stop this one
        cells = [(seed, arm) for seed, arm in self.cells()
                 if not all(stage.done() for stage in self.cell_stages(arm, seed))]
        if jobs == 1:
            for number, (seed, arm) in enumerate(cells, 1):
                self._say(f"cell {number}/{len(cells)}: {arm}, seed {seed}")
                self.cell(arm, seed)
            return len(cells)
        context = multiprocessing.get_context("spawn")
        with ProcessPoolExecutor(jobs, mp_context=context, initializer=_worker_setup) as pool:
            futures = [pool.submit(self.cell, arm, seed) for seed, arm in cells]
            try:
                for number, future in enumerate(futures, 1):
                    future.result()
                    self._say(f"{number} of {counted(len(cells), 'cell')} finished")
            except BaseException:
                for future in futures:
                    future.cancel()
                raise
        return len(cells)

    # The report -------------------------------------------------------------------------------------

    def stages_of(self, arm: str, seed: int) -> list[Stage]:
        """Every stage a cell needs, upstream first."""
        stages = [self.downstream_stage(seed)]
        if arm not in UNPRETRAINED:
            source = pretrained_source(arm)
            stages += [self.synthetic_stage(PRETRAINING_TASKS[source], seed), self.pretrain_stage(source, seed)]
            if arm == PARAM_STATS:
                stages.append(self.param_stats_stage(seed))
        return stages + [self.finetune_stage(arm, seed), *self.cell_stages(arm, seed)]

    def finished_cells(self, seed: int, novelty: Novelty) -> list[Cell]:
        """The cells of ``seed`` whose evaluation is finished, with their outcomes on the seed's split."""
        from lime_reasoning.evaluation.runner import PREDICTIONS

        cells = []
        for arm in ARMS:
            evaluation = self.evaluate_stage(arm, seed)
            if not evaluation.done():
                continue
            pretrain, pretrain_curve = None, None
            if arm not in UNPRETRAINED:
                trained = self.pretrain_stage(pretrained_source(arm), seed)
                pretrain = trained.record()
                pretrain_curve = trained.path / CSV_FILE if arm != PARAM_STATS else None
                if arm == PARAM_STATS:  # the mixed pretraining, then the redraw
                    pretrain["wall_seconds"] += self.param_stats_stage(seed).record()["wall_seconds"]
            finetune, proving = self.finetune_stage(arm, seed), self.prove_stage(arm, seed)
            outcomes = cell_outcomes(evaluation.path / PREDICTIONS, novelty, self.preset.evaluation.beam)
            if proving.done():
                outcomes = dataclasses.replace(outcomes, rates={**outcomes.rates,
                                                                **proving_rates(proving.record()["theorems"])})
            cells.append(Cell(arm, seed, outcomes, pretrain, finetune.record(), evaluation.record(),
                              finetune.path / CSV_FILE, pretrain_curve,
                              proving.record() if proving.done() else None))
        return cells

    def seeds_on_disk(self) -> set[int]:
        """Seeds of evaluations found in the experiment directory (of any configuration)."""
        found = (re.fullmatch(r".+-s(\d+)-[0-9a-f]+", p.name) for p in (self.out / "evaluate").glob("*"))
        return {int(match.group(1)) for match in found if match}

    def report(self, command: str, date: str) -> dict[str, Any]:
        """The report of every finished cell of this configuration: earlier invocations' arms and seeds too."""
        seeds = sorted(set(range(max(self.seeds_of(arm) for arm in ARMS))) | self.seeds_on_disk())
        cells, baselines, floors, tests, novelty_by = [], {}, {}, [], None
        for seed in seeds:
            downstream = self.downstream_stage(seed)
            if not downstream.done():
                continue
            records = read_records(downstream.path, "test", limit=self.preset.evaluation.limit)
            novelty = test_novelty(downstream.path, records)
            mine = self.finished_cells(seed, novelty)
            if mine:
                cells += mine
                baselines[seed] = mine[0].evaluate["metrics"]["baselines"]  # every evaluation of the split has them
                if self.floors_stage(seed).done():
                    floors[seed] = {name: proving_rates(theorems)
                                    for name, theorems in self.floors_stage(seed).record()["baselines"].items()}
                tests.append(len(records))
                novelty_by = novelty.by
        stages: dict[Path, Stage] = {}
        for cell in cells:
            stages.update((stage.path, stage) for stage in self.stages_of(cell.arm, cell.seed))
        # a cell whose evaluation is finished may still be proving: its finished stages count
        wall_seconds = sum(stage.record()["wall_seconds"] for stage in stages.values() if stage.done())
        summary = {"database": str(self.database), "test_examples": tests, "novelty": novelty_by}
        arms = tuple(arm for arm in ARMS if any(cell.arm == arm for cell in cells))
        results = assemble(self.preset.to_dict(), arms, cells, baselines, summary, command, date, wall_seconds,
                           read_invocations(self.out), floors)
        write_report(self.out, results, cells)
        return results
