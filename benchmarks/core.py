"""Core speed and memory figures. Prints them; asserts nothing (the machine is shared).

Usage (from the project root, after ``pip install -e .``):
    python benchmarks/core.py

Prints:
  * in-process answer time per question (median, p99, in ms) over the project's question set,
    repeated 5 times (targets: median <= 15 ms, p99 <= 30 ms, semantic model included);
  * over 5 runs of ``mensch-bot ask --json`` on 150 questions (median and min-max): wall time,
    start-up included (target < 2 s), and time from process start to the first answer line
    (target <= 1 s);
  * peak RSS over those processes (MiB; target <= 200).
"""

from __future__ import annotations

import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
QUESTIONS = ROOT / "tests" / "data" / "questions.yaml"
RUNS = 5


def questions() -> list[str]:
    """The project's question texts."""
    return [item["q"] for item in yaml.safe_load(QUESTIONS.read_text(encoding="utf-8"))]


def in_process(texts: list[str], rounds: int = 5) -> tuple[float, float, float]:
    """(build seconds, median ms, p99 ms) of Engine.answer over texts."""
    from bot.loading.config import load_config
    from bot.pipeline.engine import Engine

    start = time.perf_counter()
    engine = Engine.from_config(load_config(ROOT / "config.yaml"))
    build = time.perf_counter() - start
    timings = []
    for _ in range(rounds):
        for text in texts:
            t0 = time.perf_counter()
            engine.answer(text)
            timings.append((time.perf_counter() - t0) * 1000)
    timings.sort()
    return build, statistics.median(timings), timings[int(len(timings) * 0.99) - 1]


def subprocess_run(texts: list[str]) -> tuple[float, float, float]:
    """(wall seconds, seconds to first answer line, peak RSS MiB) of ``ask --json``."""
    command = [sys.executable, "-m", "bot", "ask", "--json"]
    start = time.perf_counter()
    proc = subprocess.Popen(
        command,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        cwd=ROOT,
        text=True,
        encoding="utf-8",
    )
    assert proc.stdin and proc.stdout
    proc.stdin.write(texts[0] + "\n")
    proc.stdin.flush()
    proc.stdout.readline()
    first = time.perf_counter() - start
    proc.stdin.write("".join(t.replace("\n", " ") + "\n" for t in texts[1:]))
    proc.stdin.close()
    lines = 1 + sum(1 for _ in proc.stdout)
    proc.wait()
    wall = time.perf_counter() - start
    if lines != len(texts):
        raise SystemExit(f"protocol broken: {lines} lines for {len(texts)} questions")
    peak_kib = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return wall, first, peak_kib / 1024


def main() -> int:
    texts = questions()
    build, median, p99 = in_process(texts)
    print(f"engine build (in-process, jieba warm cache): {build * 1000:.0f} ms")
    print(
        f"answer time per question over {len(texts)} questions x5: "
        f"median {median:.3f} ms, p99 {p99:.3f} ms   (targets: median <= 15, p99 <= 30)"
    )
    sample = (texts * 2)[:150]
    runs = [subprocess_run(sample) for _ in range(RUNS)]
    walls = [w for w, _f, _r in runs]
    firsts = [f for _w, f, _r in runs]
    print(
        f"mensch-bot ask --json, 150 questions, start-up included, {RUNS} runs: "
        f"median {statistics.median(walls):.2f} s ({min(walls):.2f}-{max(walls):.2f})"
        "   (target < 2 s)"
    )
    print(
        f"process start to first answer: median {statistics.median(firsts):.2f} s "
        f"({min(firsts):.2f}-{max(firsts):.2f})   (target <= 1 s)"
    )
    print(f"peak RSS of those processes: {max(r for _w, _f, r in runs):.0f} MiB   (target <= 200)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
