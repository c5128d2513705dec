"""The console script as a user runs it: a subprocess, real index, JSON on stdout."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from assistant.settings import Settings

DEV = Path(__file__).resolve().parents[2] / "shared" / "eval" / "dev.jsonl"


def _run(args, settings: Settings, stdin: str | None = None):
    env = {**os.environ, "ASSISTANT_INDEX_DIR": str(settings.index_dir), "ASSISTANT_DATA_DIR": str(settings.data_dir)}
    return subprocess.run(
        [sys.executable, "-m", "assistant.cli", *args],
        input=stdin,
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
    )


def test_ask_builds_the_index_on_first_use_and_answers(tmp_path):
    settings = Settings.from_env({}, index_dir=tmp_path / "index", data_dir=tmp_path / "data")
    result = _run(["ask", "草根型社区社会组织可以备案吗？"], settings)
    assert result.returncode == 0, result.stderr
    assert "可采取备案管理" in result.stdout and "二(二)2" in result.stdout
    assert (settings.index_dir / "manifest.json").exists()


def test_ask_json_contract(built_settings):
    result = _run(["ask", "--json", "--audience", "staff", "法律援助可以纳入政府购买服务吗？"], built_settings)
    assert result.returncode == 0, result.stderr
    payload = json.loads(result.stdout)
    assert payload["found"] is True and payload["audience"] == "staff"
    assert set(payload) >= {"answer", "found", "citations"}
    citation = payload["citations"][0]
    assert set(citation) >= {"doc_title", "doc_number", "clause", "heading", "text", "score"}
    assert citation["clause"] == "二(二)3" and "法律援助" in citation["text"]
    assert citation["doc_number"] == "台政办发〔2016〕123号"


def test_stdin_batch_mode_one_json_per_line(built_settings):
    questions = "草根型社区社会组织可以备案吗？\n\n帮我订一张去杭州的火车票\n二(二)3 原文\n"
    result = _run(["ask", "--json", "-"], built_settings, stdin=questions)
    assert result.returncode == 0, result.stderr
    lines = [json.loads(line) for line in result.stdout.splitlines()]
    assert [line["found"] for line in lines] == [True, False, True]
    assert lines[0]["citations"][0]["clause"] == "二(二)2"
    assert lines[1]["citations"] == [] and "12345" in lines[1]["answer"]
    assert lines[2]["citations"][0]["clause"] == "二(二)3"


def test_bad_input_is_a_message_not_a_traceback(built_settings, tmp_path):
    result = _run(["ask", "   "], built_settings)
    assert result.returncode == 1 and "请输入问题" in result.stderr and "Traceback" not in result.stderr
    missing = _run(["ingest", str(tmp_path / "nope")], built_settings)
    assert missing.returncode == 1 and "找不到文件或文件夹" in missing.stderr


@pytest.mark.skipif(not DEV.exists(), reason="the shared dev set lies beside the checkout")
def test_eval_prints_the_metrics(built_settings):
    result = _run(["eval", str(DEV)], built_settings)
    assert result.returncode == 0, result.stderr
    last = result.stdout.strip().splitlines()[-1]
    for metric in ("hit@1", "hit@5", "mrr", "facts", "refusal", "false_refusal"):
        assert metric in last


def test_feedback_lists_what_the_page_stored(built_settings, tmp_path):
    from assistant.feedback import FeedbackStore
    from assistant.types import Answer

    settings = Settings.from_env({}, index_dir=built_settings.index_dir, data_dir=tmp_path / "data")
    store = FeedbackStore(settings.data_dir / "feedback.sqlite3")
    store.add(Answer("草根型社区社会组织可以备案吗？", "简单说：可采取备案管理。", True), liked=False)
    store.add(Answer("文号是多少？", "文号：台政办发〔2016〕123号", True), liked=True)
    result = _run(["feedback", "--down"], settings)
    assert result.returncode == 0, result.stderr
    assert "👎" in result.stdout and "草根型社区社会组织可以备案吗？" in result.stdout
    assert "文号是多少" not in result.stdout
