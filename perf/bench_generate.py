"""Generator throughput: the compiled generator against the pure-Python baseline, in the same run.

For every task (text output, vocabulary 1000, one worker) it reports examples/s, MB/s and peak memory
of ``lime generate`` next to the straightforward per-example Python implementation in
``tests/support/baseline.py`` (same algorithm, same draws, same bytes). Then the mixed task with one and
two workers, at 10 M examples by default, for the parallel speed-up and the peak memory of the whole
process tree (proportional set size, so pages shared by forked workers count once).

    python perf/bench_generate.py --out docs/perf/generate.md

Each ``lime generate`` runs as its own process, timed from start to exit (start-up included).
"""

from __future__ import annotations

import argparse
import datetime
import multiprocessing
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests" / "support"))
import baseline  # noqa: E402  (the pure-Python oracle the tests also use)

TASKS = [
    "mixed", "deduct", "abduct", "induct", "induct_v2", "induct_v3", "induct_hard", "induct_v2_double",
    "rewrite", "induct_rewrite", "rewrite_multistep_hard", "rewrite_multistep_easy", "set", "identity",
]


def tree_pss_mb(root: int) -> float:
    """Proportional set size of a process and all its descendants, in MB (about 4 ms of kernel time
    per process per reading, hence the half-second sampling)."""
    total = 0
    pending = [root]
    while pending:
        pid = pending.pop()
        try:
            with open(f"/proc/{pid}/smaps_rollup") as handle:
                total += next(int(line.split()[1]) for line in handle if line.startswith("Pss:"))
            with open(f"/proc/{pid}/task/{pid}/children") as handle:
                pending += [int(child) for child in handle.read().split()]
        except (OSError, StopIteration):
            continue
    return total / 1024


def timed(command: list[str]) -> tuple[float, float]:
    """Wall seconds and peak memory (MB, sampled every 0.5 s) of a command and its children."""
    started = time.perf_counter()
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    peak = 0.0
    done = threading.Event()

    def sample() -> None:
        nonlocal peak
        while not done.is_set():
            peak = max(peak, tree_pss_mb(process.pid))
            time.sleep(0.5)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    _, error = process.communicate()
    seconds = time.perf_counter() - started
    done.set()
    sampler.join()
    if process.returncode:
        raise SystemExit(f"failed: {' '.join(command)}\n{error}")
    return seconds, peak


def lime(task: str, count: int, workers: int, out: Path) -> tuple[float, float, int]:
    shutil.rmtree(out, ignore_errors=True)
    command = [sys.executable, "-m", "lime_reasoning", "generate", "--task", task, "--train", str(count),
               "--seed", "0", "--workers", str(workers), "--out", str(out), "--quiet"]
    seconds, peak = timed(command)
    size = sum(f.stat().st_size for f in out.iterdir() if f.suffix in (".src", ".tgt"))
    shutil.rmtree(out)
    return seconds, peak, size


def generate_blocks(count: int) -> int:
    """Generate ``count`` mixed blocks in this process, writing nothing (for the scaling check)."""
    from lime_reasoning.datasets.synthetic import BLOCK_SIZE, SyntheticSpec
    from lime_reasoning.tasks.buffers import Buffers

    spec, buffers = SyntheticSpec("mixed"), Buffers()
    for block in range(count):
        spec.engine.generate(spec.rng("train", block), BLOCK_SIZE, buffers)
    return count


def generation_scaling(blocks: int) -> tuple[float, float]:
    """Seconds for one process to generate ``blocks`` blocks, and for two processes to generate as many each."""
    generate_blocks(1)  # load the compiled kernels before timing or forking
    started = time.perf_counter()
    generate_blocks(blocks)
    one = time.perf_counter() - started
    with multiprocessing.get_context("fork").Pool(2) as pool:
        pool.map(generate_blocks, [1, 1])
        started = time.perf_counter()
        pool.map(generate_blocks, [blocks, blocks])
        two = time.perf_counter() - started
    return one, two


def python_baseline(task: str, count: int, out: Path) -> tuple[float, int]:
    """The baseline writing the same two text files, in this process."""
    started = time.perf_counter()
    with open(out / "train.src", "w") as sources, open(out / "train.tgt", "w") as targets:
        for source, target, _ in baseline.block(task, 0, 0, 0, count):
            sources.write(source + "\n")
            targets.write(target + "\n")
    seconds = time.perf_counter() - started
    size = (out / "train.src").stat().st_size + (out / "train.tgt").stat().st_size
    return seconds, size


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--examples", type=int, default=1_000_000, help="per task, compiled generator")
    parser.add_argument("--baseline-examples", type=int, default=30_000, help="per task, pure-Python baseline")
    parser.add_argument("--parallel-examples", type=int, default=10_000_000, help="mixed, 1 and 2 workers, to disk")
    parser.add_argument("--memory-examples", type=int, default=10_000_000, help="mixed, 1 and 2 workers, to /dev/shm")
    parser.add_argument("--scaling-blocks", type=int, default=120, help="blocks per process, generation alone")
    parser.add_argument("--tasks", default=",".join(TASKS))
    parser.add_argument("--out", type=Path, help="also write the results as markdown here")
    args = parser.parse_args()

    scratch = Path(tempfile.mkdtemp(prefix="lime-bench-"))
    lines = [
        f"Measured {datetime.date.today()} on the development machine ({os.cpu_count()} cores, "
        f"{os.sysconf('SC_PHYS_PAGES') * os.sysconf('SC_PAGE_SIZE') / 2**30:.0f} GB, no GPU), "
        f"Python {platform.python_version()}, by `python perf/bench_generate.py"
        + (f" --examples {args.examples}" if args.examples != 1_000_000 else "")
        + "`.",
        "",
        f"Text output, vocabulary 1000, one process. lime: `lime generate --train {args.examples:,}` "
        f"(start-up included); baseline: the per-example pure-Python implementation, {args.baseline_examples:,} "
        "examples, same draws and bytes.",
        "",
        "| task | lime ex/s | lime MB/s | lime peak MB | baseline ex/s | baseline MB/s | speed-up |",
        "|---|---:|---:|---:|---:|---:|---:|",
    ]
    print("\n".join(lines), flush=True)
    rows = []
    # Compile once (cached on disk) so that no timed run pays for it.
    lime("mixed", 10, 1, scratch / "warm")
    for task in args.tasks.split(","):
        seconds, peak, size = lime(task, args.examples, 1, scratch / "lime")
        base_seconds, base_size = python_baseline(task, args.baseline_examples, scratch)
        rate, base_rate = args.examples / seconds, args.baseline_examples / base_seconds
        row = (
            f"| {task} | {rate:,.0f} | {size / seconds / 1e6:,.1f} | {peak:,.0f} | {base_rate:,.0f} "
            f"| {base_size / base_seconds / 1e6:,.1f} | {rate / base_rate:.1f}× |"
        )
        rows.append(row)
        print(row, flush=True)

    parallel = [
        "",
        "Mixed task, text output, one and two workers, written to disk and to memory (`/dev/shm`, which "
        "takes the disk's write speed out of the comparison); peak memory is the whole process tree's "
        "proportional set size.",
        "",
        "| output | examples | workers | seconds | ex/s | MB/s | peak MB | speed-up |",
        "|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    print("\n".join(parallel), flush=True)
    destinations = [("disk", scratch, args.parallel_examples)]
    if Path("/dev/shm").is_dir():
        destinations.append(("memory", Path("/dev/shm"), args.memory_examples))
    for label, directory, count in destinations:
        single = None
        for workers in (1, 2):
            seconds, peak, size = lime("mixed", count, workers, directory / f"lime-bench-{os.getpid()}")
            single = single or seconds
            row = (
                f"| {label} | {count:,} | {workers} | {seconds:,.1f} | {count / seconds:,.0f} "
                f"| {size / seconds / 1e6:,.1f} | {peak:,.0f} | {single / seconds:.2f}× |"
            )
            parallel.append(row)
            print(row, flush=True)
    one, two = generation_scaling(args.scaling_blocks)
    scaling = [
        "",
        f"Generation alone (mixed, {args.scaling_blocks} blocks of 8,192 examples per process, nothing written): one "
        f"process {one:.1f} s; two processes side by side, each doing as much, {two:.1f} s: "
        f"{2 * one / two:.2f}× the throughput.",
    ]
    print("\n".join(scaling), flush=True)
    shutil.rmtree(scratch, ignore_errors=True)
    if args.out:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text("# Generator throughput\n\n" + "\n".join(lines + rows + parallel + scaling) + "\n")


if __name__ == "__main__":
    main()
