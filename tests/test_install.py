"""The bot as a user installs and starts it: which config it reads from which folder, what
``init`` writes (the command line in this process, as a user's shell would run it), and
(slow, once) a wheel installed into a fresh virtualenv answering from a folder that has
nothing to do with the checkout."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import run_cli

from bot import paths
from bot.loading.config import ENV_CONFIG

ROOT = Path(__file__).resolve().parent.parent
QUESTION = "歐洲的優勢是什麼"
FOREIGN_CONFIG = "database: postgres://localhost/app\nlog_level: debug\n"


def clean_env(home: Path, **extra: str) -> dict[str, str]:
    """The environment without the suite's $MENSCH_BOT_CONFIG, with home, config, cache and
    state folders under ``home`` (so no user config of the machine is read)."""
    env = {k: v for k, v in os.environ.items() if k not in (ENV_CONFIG, "STATE_DIRECTORY")}
    env.update(
        HOME=str(home),
        XDG_CONFIG_HOME=str(home / ".config"),
        XDG_STATE_HOME=str(home / ".local" / "state"),
        XDG_CACHE_HOME=os.environ.get("XDG_CACHE_HOME")
        or os.path.join(os.path.expanduser("~"), ".cache"),  # keep the warm cache: faster
    )
    env.update(extra)
    return env


@pytest.fixture
def shell(tmp_path, monkeypatch):
    """This process as a user's shell: the environment of :func:`clean_env` for home
    ``tmp_path``. Returns a function running ``mensch-bot ARGS`` in a folder (in process)."""
    for key, value in clean_env(tmp_path).items():
        monkeypatch.setenv(key, value)
    for key in (ENV_CONFIG, "STATE_DIRECTORY"):
        monkeypatch.delenv(key, raising=False)

    def run_in(folder: Path, *args: str):
        monkeypatch.chdir(folder)
        return run_cli(*args)

    return run_in


def run_process(folder: Path, env: dict[str, str], command: list[str], *args: str):
    """Run ``command ARGS`` in ``folder`` as its own process."""
    return subprocess.run(
        [*command, *args],
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=180,
        cwd=folder,
        env=env,
    )


def test_a_foreign_config_yaml_in_the_current_folder_is_ignored(tmp_path, shell):
    work = tmp_path / "other-project"
    work.mkdir()
    (work / "config.yaml").write_text(FOREIGN_CONFIG, encoding="utf-8")
    result = shell(work, "ask", "--json", QUESTION)
    assert result.returncode == 0, result.stderr
    reply = json.loads(result.stdout)
    assert reply["kind"] == "answer" and reply["entry"] == "talent"
    assert "database" not in result.stderr


def test_check_names_the_shipped_config_when_nothing_else_is_given(tmp_path, shell):
    (tmp_path / "config.yaml").write_text(FOREIGN_CONFIG, encoding="utf-8")
    result = shell(tmp_path, "check")
    assert result.returncode == 0, result.stdout + result.stderr
    assert f"check: ok — {paths.shipped_config()}," in result.stdout


def test_the_users_own_config_is_read_from_xdg_config_home(tmp_path, shell):
    user = tmp_path / ".config" / "mensch-bot"
    result = shell(tmp_path, "init", str(user))
    assert result.returncode == 0, result.stderr
    assert "your default config now" in result.stdout
    config = user / "config.yaml"
    text = config.read_text(encoding="utf-8")
    config.write_text(text.replace("answer_threshold: 40", "answer_threshold: 101"), "utf-8")
    result = shell(tmp_path, "ask", QUESTION)
    line = next(n for n, t in enumerate(text.splitlines(), 1) if "answer_threshold:" in t)
    assert result.returncode == 2
    assert result.stderr == f"{config}:{line}: matching.answer_threshold must be 0-100, got 101\n"


def test_a_bad_explicit_config_is_one_line_and_exit_2_whatever_the_cwd_holds(
    tmp_path, shell, monkeypatch
):
    (tmp_path / "config.yaml").write_text("matching: {}\n", encoding="utf-8")
    bad = tmp_path / "bad.yaml"
    bad.write_text("persona: {}\nknowledge: 3\n", encoding="utf-8")
    for args in (("--config", str(bad), "ask", QUESTION), ("ask", QUESTION)):
        if args[0] != "--config":
            monkeypatch.setenv(ENV_CONFIG, str(bad))
        result = shell(tmp_path, *args)
        assert result.returncode == 2
        assert result.stderr == f"{bad}:2: knowledge must be a directory path\n"
        assert result.stdout == ""


def test_init_writes_an_editable_copy_that_checks_and_refuses_to_overwrite(tmp_path, shell):
    target = tmp_path / "ops"
    result = shell(tmp_path, "init", str(target))
    assert result.returncode == 0, result.stderr
    assert f"export MENSCH_BOT_CONFIG={target / 'config.yaml'}" in result.stdout
    assert sorted(p.name for p in (target / "knowledge").iterdir()) == sorted(
        p.name for p in (paths.data_dir() / "knowledge").iterdir()
    )
    result = shell(tmp_path, "--config", str(target / "config.yaml"), "check")
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.startswith(f"check: ok — {target / 'config.yaml'},")
    again = shell(tmp_path, "init", str(target))
    assert again.returncode == 2 and "exists; not overwritten" in again.stderr


def test_the_shipped_config_logs_into_the_state_dir_never_beside_itself(tmp_path, monkeypatch):
    from bot.loading.config import load_config

    monkeypatch.delenv("STATE_DIRECTORY", raising=False)
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))
    settings = load_config(paths.shipped_config()).unanswered
    assert settings.path == tmp_path / "state" / "mensch-bot" / "unanswered.jsonl"
    monkeypatch.setenv("STATE_DIRECTORY", str(tmp_path / "systemd"))  # StateDirectory=
    settings = load_config(paths.shipped_config()).unanswered
    assert settings.path == tmp_path / "systemd" / "unanswered.jsonl"


def test_check_warns_when_the_unanswered_log_cannot_be_written(tmp_path, shell):
    from bot.testing.config import write_config

    blocker = tmp_path / "not-a-folder"
    blocker.write_text("x")
    config = write_config(
        tmp_path, unanswered=f"unanswered:\n  path: {blocker / 'log' / 'unanswered.jsonl'}\n"
    )
    result = shell(tmp_path, "--config", str(config), "check")
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.startswith("check: ok")
    line = (
        config.read_text(encoding="utf-8")
        .splitlines()
        .index(f"  path: {blocker / 'log' / 'unanswered.jsonl'}")
    )
    assert result.stderr == (
        f"{config}:{line + 1}: warning: unanswered log {blocker / 'log' / 'unanswered.jsonl'} "
        f"cannot be written ({blocker} is not a folder): unanswered questions will not be "
        "logged; give a writable unanswered.path (see docs/deploy.md)\n"
    )
    writable = write_config(tmp_path, unanswered="unanswered:\n  path: var/unanswered.jsonl\n")
    result = shell(tmp_path, "--config", str(writable), "check")
    assert result.returncode == 0 and result.stderr == ""


def test_the_dockerfile_copies_what_the_wheel_ships_and_keeps_bytecode():
    import ast

    tree = ast.parse((ROOT / "setup.py").read_text(encoding="utf-8"))
    shipped = next(  # SHIPPED: the build hook's list of files copied into the wheel
        ast.literal_eval(node.value)
        for node in tree.body
        if isinstance(node, ast.Assign) and getattr(node.targets[0], "id", "") == "SHIPPED"
    )
    dockerfile = (ROOT / "Dockerfile").read_text(encoding="utf-8")
    copied = " ".join(line for line in dockerfile.splitlines() if line.startswith("COPY "))
    for source in [*shipped, "setup.py", "MANIFEST.in", "bot"]:
        assert f" {source}" in copied, source
    assert "__pycache__" not in dockerfile and "PYTHONDONTWRITEBYTECODE" not in dockerfile
    assert "compileall" in dockerfile and "--restart on-failure:5" in dockerfile


@pytest.mark.slow  # builds and installs the wheel, runs the installed command
def test_a_built_wheel_installed_into_a_fresh_venv_answers_from_any_folder(tmp_path):
    """The user's path: build the wheel (as ``pip install .`` does), install it (not editable)
    into a new virtualenv, and run the bot from a folder that holds someone else's
    config.yaml. The new venv borrows the test venv's dependencies through a .pth line, so
    nothing is downloaded; ``bot`` itself comes only from the wheel."""
    import site
    import sysconfig
    import time

    started = time.monotonic()
    wheels = tmp_path / "dist"
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "-w", str(wheels), str(ROOT)],
        check=True,
        capture_output=True,
        timeout=300,
    )
    (wheel,) = wheels.glob("mensch_bot-*.whl")
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True)
    python = venv / "bin" / "python"
    purelib = subprocess.run(
        [python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    deps = [p for p in {sysconfig.get_paths()["purelib"], *site.getsitepackages()}]
    Path(purelib, "test-deps.pth").write_text("\n".join(deps) + "\n", encoding="utf-8")
    install = [sys.executable, "-m", "pip", "--python", str(python), "install", "-q"]
    subprocess.run([*install, "--no-deps", str(wheel)], check=True, capture_output=True)

    work = tmp_path / "some-other-project"
    work.mkdir()
    (work / "config.yaml").write_text(FOREIGN_CONFIG, encoding="utf-8")
    env = clean_env(tmp_path)
    env.pop("PYTHONPATH", None)
    bot = [str(venv / "bin" / "mensch-bot")]

    where = run_process(work, env, [python], "-c", "import bot.paths as p; print(p.data_dir())")
    assert where.stdout.strip() == f"{purelib}/bot/_data", where.stderr  # the wheel's copy
    result = run_process(work, env, bot, "ask", QUESTION)
    assert result.returncode == 0, result.stderr
    assert "歐洲人才濟濟" in result.stdout and "— Arthur Mensch" in result.stdout
    result = subprocess.run(
        [*bot, "ask", "--json"],
        input="你好\n今天天气怎么样\n",
        capture_output=True,
        text=True,
        cwd=work,
        env=env,
        timeout=180,
    )
    replies = [json.loads(line) for line in result.stdout.splitlines()]
    assert [r["kind"] for r in replies] == ["smalltalk", "fallback"], result.stderr
    result = run_process(work, env, bot, "check")
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.startswith(f"check: ok — {purelib}/bot/_data/config.yaml,")
    result = run_process(work, env, bot, "--version")
    assert result.stdout.strip() == "mensch-bot 0.1.0"
    result = run_process(work, env, bot, "eval")
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().splitlines()[-1].startswith("eval: in-scope ")
    assert not (Path(purelib) / "bot" / "_data" / "unanswered.jsonl").exists()
    assert time.monotonic() - started < 120
