"""The command line as users and the scorer drive it: ask, ask --json, console, check, eval."""

import json
from pathlib import Path

from conftest import run_cli

ROOT = Path(__file__).resolve().parent.parent


def test_ask_json_protocol_one_object_per_line_in_order():
    questions = ["你的博士是什么专业", "", "   ", "今天天气怎么样", "👍", "x" * 10_000, "歐洲"]
    result = run_cli("ask", "--json", stdin="\n".join(questions) + "\n")
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert len(lines) == len(questions)
    objects = [json.loads(line) for line in lines]
    assert [o["question"] for o in objects] == questions
    first = objects[0]
    assert first["matched"] is True and first["kind"] == "answer" and first["entry"] == "background"
    assert "功能性磁共振成像" in first["answer"] and first["source"].startswith("https://")
    assert all(o["matched"] is False and o["answer"] is None for o in objects[1:5])
    assert objects[6]["kind"] == "suggest" and objects[6]["suggestions"]


def test_ask_prints_a_rendered_reply():
    result = run_cli("ask", "Why", "open", "source?")
    assert result.returncode == 0
    assert "— Arthur Mensch" in result.stdout
    assert "https://www.mckinsey.com/" in result.stdout


def test_console_answers_picks_a_suggestion_by_number_and_quits():
    result = run_cli("console", stdin="歐洲\n1\n:q\n")
    assert result.returncode == 0, result.stderr
    assert "你想問的是不是" in result.stdout
    assert "  1. " in result.stdout
    assert "— Arthur Mensch" in result.stdout  # the picked suggestion was answered


def test_console_ends_cleanly_on_end_of_input():
    result = run_cli("console", stdin="hello\n")
    assert result.returncode == 0
    assert "Hello!" in result.stdout
    assert "Traceback" not in result.stderr


def test_check_passes_on_the_shipped_knowledge():
    result = run_cli("check")
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.startswith("check: ok")


def test_eval_on_the_projects_question_set():
    result = run_cli("eval")
    assert result.returncode == 0
    summary = result.stdout.strip().splitlines()[-1]
    assert summary.startswith("eval: in-scope ")
    in_scope = float(summary.split("(")[1].split("%")[0])
    assert in_scope >= 75.0, summary


def test_unknown_command_is_a_usage_error():
    result = run_cli("fly")
    assert result.returncode == 2
    assert "invalid choice" in result.stderr


def test_console_numbers_out_of_range_ask_for_a_valid_pick_in_the_users_script():
    result = run_cli("console", stdin="欧洲\n7\n2\n:q\n")
    assert result.returncode == 0, result.stderr
    assert "请输入 1 到 3 之间的数字" in result.stdout  # 欧洲: weakness, cloud or strength?
    assert "—— Arthur Mensch" in result.stdout  # "2" still picked from the same suggestions


def test_console_emoji_after_chinese_says_how_to_ask_in_chinese():
    result = run_cli("console", stdin="你的博士是什么专业\n👍\n:q\n")
    assert "直接用繁体、简体或英文提问即可" in result.stdout


def test_console_help_lists_numbered_topics_that_can_be_picked():
    result = run_cli("console", stdin=":help\n3\n:q\n")
    assert result.returncode == 0
    assert "  10. " in result.stdout  # one topic per interviewer question
    assert "從學生時代就認識" in result.stdout  # topic 3 (co-founders) was answered


def test_eval_reports_wrong_quotes_apart_from_declines(tmp_path):
    questions = tmp_path / "set.yaml"
    questions.write_text(
        '- {q: "你的博士學位是什麼專業?", expect: background, tag: hant}\n'  # right
        '- {q: "你的博士學位是什麼專業?", expect: talent, tag: hant}\n'  # quoted, wrong passage
        "- {q: 你对中国怎么看, expect: null, tag: oos}\n"  # right: declined
        "- {q: 你对中国怎么看, expect: talent, tag: hans}\n",  # declined where one was due
        encoding="utf-8",
    )
    result = run_cli("eval", str(questions))
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert [line.split(":")[0].strip() for line in lines if "line " in line] == [
        "WRONG QUOTE line 2",
        "DECLINED line 4",
    ]
    assert lines[-1] == (
        "eval: in-scope 1/3 (33.3%), out-of-scope 1/1 (100.0%), overall 50.0%; "
        "wrong quotes 1/4 (25.0%) (worse than declining), declined 1/4 (25.0%)"
    )
