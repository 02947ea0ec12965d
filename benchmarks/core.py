"""Core speed and memory figures. Prints them; asserts nothing (the machine is shared).

Usage (from the project root, after ``pip install -e .``):
    python benchmarks/core.py

Prints:
  * in-process answer time per question (median, p99, in ms) over the project's question set,
    repeated 5 times (target: under 1 ms median);
  * wall time of ``mensch-bot ask --json`` on 150 questions, start-up included (target < 2 s);
  * time from process start to the first answer line (target < 1 s);
  * peak RSS of that process (MiB).
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


def questions() -> list[str]:
    """The project's question texts."""
    return [item["q"] for item in yaml.safe_load(QUESTIONS.read_text(encoding="utf-8"))]


def in_process(texts: list[str], rounds: int = 5) -> tuple[float, float, float]:
    """(build seconds, median ms, p99 ms) of Engine.answer over texts."""
    from bot.config import load_config
    from bot.engine import Engine

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
        f"median {median:.3f} ms, p99 {p99:.3f} ms   (target: median < 1 ms)"
    )
    sample = (texts * 2)[:150]
    wall, first, rss = subprocess_run(sample)
    print(f"mensch-bot ask --json, 150 questions, start-up included: {wall:.2f} s   (target < 2 s)")
    print(f"process start to first answer: {first:.2f} s   (target < 1 s)")
    print(f"peak RSS of that process: {rss:.0f} MiB")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
