"""Process start to first answer of ``mensch-bot ask --json``: prints figures, asserts nothing.

Usage (after ``pip install -e .`` or ``pip install .``; from any folder):
    python benchmarks/startup.py [--runs 7] [--question TEXT] [--cmd "mensch-bot ask --json"]

One warm-up run first (it builds the caches: jieba's dictionary, the sentence encoder's
decompressed weights and the knowledge's embeddings, all in the config's ``cache_dir``), then
``--runs`` timed runs. Each run starts a fresh process, writes one question, and stops the clock
when the first answer line arrives. Prints the median and the spread (min-max, and the
interquartile range) in seconds, the peak RSS of each process (MiB), and the whole process's
wall time including interpreter teardown.

With ``--stages`` it also prints a coarse in-process breakdown of one start (imports, config,
knowledge, engine, first answer), measured in a fresh interpreter.
"""

from __future__ import annotations

import argparse
import os
import shlex
import shutil
import statistics
import subprocess
import sys
import time

QUESTION = "歐洲的優勢是什麼"

STAGES = r"""
import time, json, sys
t0 = time.perf_counter()
marks = []
def mark(name):
    marks.append((name, time.perf_counter()))
from bot import cli
from bot.loading import config
mark("import bot.cli, bot.loading.config")
from bot.pipeline.engine import Engine
mark("import bot.pipeline.engine (jieba, opencc, numpy, rapidfuzz)")
cfg = config.load_config(None)
mark("load config.yaml")
from bot.loading.knowledge import load_knowledge
knowledge = load_knowledge(cfg.knowledge_dir)
mark("load knowledge")
engine = Engine(cfg, knowledge)
mark("build engine (tokenizer, embedder, matcher)")
engine.answer(sys.argv[1])
mark("first answer")
last = t0
for name, at in marks:
    print(f"  {(at - last) * 1000:7.0f} ms  {name}")
    last = at
print(f"  {(last - t0) * 1000:7.0f} ms  total in-process")
"""


def default_command() -> list[str]:
    """``mensch-bot ask --json`` from this interpreter's environment."""
    script = os.path.join(os.path.dirname(sys.executable), "mensch-bot")
    if os.path.exists(script):
        return [script, "ask", "--json"]
    found = shutil.which("mensch-bot")
    return [found, "ask", "--json"] if found else [sys.executable, "-m", "bot", "ask", "--json"]


def one_run(command: list[str], question: str) -> tuple[float, float, float]:
    """(seconds to first answer line, seconds to exit, peak RSS MiB) of one process."""
    start = time.perf_counter()
    proc = subprocess.Popen(
        command, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, encoding="utf-8"
    )
    assert proc.stdin and proc.stdout
    proc.stdin.write(question + "\n")
    proc.stdin.close()
    line = proc.stdout.readline()
    first = time.perf_counter() - start
    proc.stdout.read()
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - start
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode != 0 or not line.startswith("{"):
        raise SystemExit(f"{shlex.join(command)} failed (exit {proc.returncode}): {line!r}")
    return first, wall, usage.ru_maxrss / 1024


def summary(values: list[float]) -> str:
    values = sorted(values)
    quartiles = statistics.quantiles(values, n=4) if len(values) > 1 else [values[0]] * 3
    return (
        f"median {statistics.median(values):.3f}  min {values[0]:.3f}  max {values[-1]:.3f}  "
        f"IQR {quartiles[0]:.3f}-{quartiles[2]:.3f}"
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--question", default=QUESTION)
    parser.add_argument("--cmd", help="command to time (default: mensch-bot ask --json)")
    parser.add_argument("--stages", action="store_true", help="also print an in-process breakdown")
    args = parser.parse_args()
    command = shlex.split(args.cmd) if args.cmd else default_command()
    one_run(command, args.question)  # warm-up: caches built, files in the page cache
    firsts, walls, rss = [], [], []
    for _ in range(args.runs):
        first, wall, peak = one_run(command, args.question)
        firsts.append(first)
        walls.append(wall)
        rss.append(peak)
    print(f"command: {shlex.join(command)}   question: {args.question}   runs: {args.runs}")
    print(f"start to first answer (s): {summary(firsts)}")
    print(f"start to exit (s):         {summary(walls)}")
    print(f"peak RSS (MiB):            median {statistics.median(rss):.0f}  max {max(rss):.0f}")
    if args.stages:
        print("stages of one start (fresh interpreter, in-process):")
        subprocess.run([sys.executable, "-c", STAGES, args.question], check=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
