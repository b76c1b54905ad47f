"""What ``lime evaluate`` adds for novelty and baselines, on a dataset: its cost and its figures.

In one process: read the train and evaluated splits, compute the novelty of the evaluated records
(up to variable renaming where meta.json lists variables, and exactly), the two baselines' metrics
without a checker and, with ``--checker``, with it (each baseline calls it once per record and
prediction, so the time per call is the checked run's extra time over those calls), then the checker on
every gold target, which it accepts only after checking it all the way. Run it alone on the
machine: ``flock /tmp/lime-cpu.lock python perf/bench_baselines.py --data DIR --checker metamath``.
"""

from __future__ import annotations

import argparse
import datetime
import json
import platform
import resource
import time
from pathlib import Path

from lime_reasoning.datasets import read_records
from lime_reasoning.datasets.novelty import dataset_variables, novelty_against
from lime_reasoning.evaluation.baselines import BASELINES, baseline_metrics
from lime_reasoning.evaluation.checkers import resolve_checker


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", type=Path, required=True, help="a dataset directory with a train split")
    parser.add_argument("--split", default="test", help="the evaluated split (default test)")
    parser.add_argument("--beam", type=int, default=10, help="k of top-k, as lime evaluate --beam (default 10)")
    parser.add_argument("--checker", help="as lime evaluate --checker (metamath)")
    args = parser.parse_args()
    began = time.perf_counter()
    train, records = read_records(args.data, "train"), read_records(args.data, args.split)
    read_s = time.perf_counter() - began
    began = time.perf_counter()
    novelty = novelty_against(train, records, dataset_variables(args.data))
    novelty_s = time.perf_counter() - began
    exact = novelty_against(train, records, None)
    began = time.perf_counter()
    baselines = baseline_metrics(train, records, novelty, None, args.beam)
    unchecked_s = time.perf_counter() - began
    result = {
        "date": datetime.date.today().isoformat(), "python": platform.python_version(), "data": str(args.data),
        "train": len(train), args.split: len(records), "read_s": round(read_s, 2), "novelty_s": round(novelty_s, 2),
        "novel": sum(novelty.novel), "novel_by": novelty.by, "novel_exactly": sum(exact.novel),
        "label_seen": sum(novelty.label_seen), "baselines_without_checker_s": round(unchecked_s, 2),
        "baselines": baselines,
    }
    if args.checker:
        checker = resolve_checker(args.checker, args.data, args.split)
        began = time.perf_counter()
        result["baselines"] = baseline_metrics(train, records, novelty, checker, args.beam)
        checked_s = time.perf_counter() - began
        calls = len(BASELINES) * args.beam * len(records)  # at most: a baseline may have fewer targets than k
        began = time.perf_counter()
        gold = sum(bool(checker(r, r["tgt"])) for r in records)
        gold_s = time.perf_counter() - began
        result.update(baselines_with_checker_s=round(checked_s, 2), checker_calls=calls,
                      checker_us_per_call=round((checked_s - unchecked_s) / calls * 1e6, 1),
                      gold_passed=gold, checker_us_per_gold_target=round(gold_s / len(records) * 1e6, 1))
    result["peak_rss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
