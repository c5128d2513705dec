"""The console script as a user runs it: a subprocess, a real index, JSON on stdout."""

import json
import os
import re
import shutil
import subprocess
import sys

import pytest

from assistant.settings import PROJECT_ROOT, Settings

pytestmark = pytest.mark.slow


def _run(args, settings: Settings, stdin: bytes | str | None = None):
    env = {
        **os.environ,
        "ASSISTANT_INDEX_DIR": str(settings.index_dir),
        "ASSISTANT_DATA_DIR": str(settings.data_dir),
        "ASSISTANT_CORPUS_DIR": str(settings.corpus_dir),
    }
    result = subprocess.run(
        [sys.executable, "-m", "assistant.cli", *args],
        input=stdin.encode("utf-8") if isinstance(stdin, str) else stdin,
        capture_output=True,
        env=env,
        timeout=600,
    )
    result.stdout, result.stderr = result.stdout.decode("utf-8"), result.stderr.decode("utf-8")
    return result


def test_ask_builds_the_index_on_first_use_and_answers(tmp_path):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    for name in ("taizhou-sanshe-liandong-2016.txt", "shehui_tuanti_dengji_guanli_tiaoli_2016.txt"):
        shutil.copy(PROJECT_ROOT / "corpus" / name, corpus / name)
    settings = Settings.from_env({}, index_dir=tmp_path / "index", data_dir=tmp_path / "data", corpus_dir=corpus)
    result = _run(["ask", "草根型社区社会组织可以备案吗？"], settings)
    assert result.returncode == 0, result.stderr
    assert "可采取备案管理" in result.stdout and "二(二)2" in result.stdout
    assert (settings.index_dir / "manifest.json").exists()
    assert "嵌入" in result.stderr  # the first build shows its progress


def test_ask_json_contract(built_settings):
    result = _run(
        ["ask", "--json", "--audience", "staff", "社会团体登记管理条例第十条第一款第（一）项"], built_settings
    )
    assert result.returncode == 0, result.stderr
    payload = json.loads(result.stdout)
    assert payload["found"] is True and payload["audience"] == "staff" and payload["kind"] == "clause"
    assert payload["error"] == "" and set(payload) >= {"answer", "citations", "related", "answerer", "scope_score"}
    citation = payload["citations"][0]
    assert citation["reference"] == "第十条第一款第（一）项" and "50个以上的个人会员" in citation["text"]
    assert (citation["doc_number"], citation["doc_kind"], citation["status"]) == (
        "国务院令第250号",
        "行政法规",
        "现行有效",
    )


def test_stdin_batch_mode_answers_every_line_errors_included(built_settings):
    lines = ["草根型社区社会组织可以备案吗？", "", "？？？", "帮我订一张去杭州的火车票", "慈善法第二十二条"]
    stdin = ("\n".join(lines) + "\n").encode("utf-8") + b"\xff\xfe bad line\n" + "基金会条例第八条\n".encode()
    result = _run(["ask", "--json", "-"], built_settings, stdin=stdin)
    assert result.returncode == 1, result.stderr  # some lines were errors
    answers = [json.loads(line) for line in result.stdout.splitlines()]
    assert [a["kind"] for a in answers] == ["retrieval", "error", "refused", "clause", "error", "clause"]
    assert "没有看懂" in answers[1]["error"] and "第 6 行不是合法的 UTF-8" in answers[4]["error"]
    assert (
        answers[3]["citations"][0]["reference"] == "第二十二条" and answers[5]["citations"][0]["reference"] == "第八条"
    )
    assert "Traceback" not in result.stderr


def test_bad_input_is_a_message_not_a_traceback(built_settings, tmp_path):
    result = _run(["ask", "   "], built_settings)
    assert result.returncode == 1 and "请输入问题" in result.stdout and "Traceback" not in result.stderr
    missing = _run(["ingest", str(tmp_path / "nope")], built_settings)
    assert missing.returncode == 1 and "找不到文件或文件夹" in missing.stderr


def test_broken_pipe_exits_quietly(built_settings):
    command = f"{sys.executable} -m assistant.cli ask --json - | head -c 10"
    env = {**os.environ, "ASSISTANT_INDEX_DIR": str(built_settings.index_dir)}
    result = subprocess.run(
        ["bash", "-c", command], input="慈善法第二十二条\n" * 50, capture_output=True, text=True, env=env, timeout=300
    )
    assert "Traceback" not in result.stderr and "BrokenPipe" not in result.stderr


def test_docs_lists_the_library(built_settings):
    result = _run(["docs"], built_settings)
    assert result.returncode == 0, result.stderr
    assert "共 25 份文件" in result.stdout
    block = result.stdout.split("社会团体登记管理条例\n", 1)[1].split("\n\n")[0]
    assert "国务院令第250号" in block and "行政法规" in block and "现行有效" in block and "社团条例" in block
    assert re.search(r"中华人民共和国慈善法（2016年原文本）\n.*\n.*已被取代", result.stdout)


def test_doc_option_scopes_the_answer(built_settings):
    result = _run(["ask", "--json", "--doc", "基金会条例", "登记管理机关是谁？"], built_settings)
    payload = json.loads(result.stdout)
    assert payload["found"] and {c["doc_title"] for c in payload["citations"]} == {"基金会管理条例"}
    place = json.loads(
        _run(["ask", "--json", "--doc", "台州", "文号是多少"], built_settings).stdout
    )  # its one document
    assert place["found"] and {c["doc_number"] for c in place["citations"]} == {"台政办发〔2016〕123号"}
    two = _run(["ask", "--json", "--doc", "浙江", "文号是多少"], built_settings)  # a place of two documents: which?
    assert "没有找到名为“浙江”的文件" in json.loads(two.stdout)["answer"]


def test_a_conversation_is_scored_on_its_last_turn_asked_after_the_earlier_ones():
    from assistant.answers import Citation
    from assistant.evaluation import evaluate
    from assistant.types import Answer

    asked = []

    def ask(question, audience, earlier=()):
        asked.append((question, [a.question for a in earlier]))
        # the follow-up note repeats the earlier question, with its figure: no fabricated number
        text = f"原文：“受托人应当在七日内备案。”（接着上一个问题“{earlier[0].question}”理解。）" if earlier else "……"
        cited = Citation(
            doc_id="d", doc_title="d", doc_number="", clause="第一条", heading="", text=text, quote=text, score=1.0
        )
        return Answer(question, text, True, [cited] if earlier else [], audience)

    row = {"id": "c", "turns": ["设立慈善信托要满18岁吗", "多长时间内备案"], "expect": "answer"}
    row |= {"cite_any": ["七日内备案"], "facts": [["七日内"]]}
    report = evaluate([row], ask)
    assert asked == [("设立慈善信托要满18岁吗", []), ("多长时间内备案", ["设立慈善信托要满18岁吗"])]
    assert report.metrics()["hit@1"] == 1.0 and report.metrics()["facts"] == 1.0
    assert report.metrics()["fabricated"] == 0


def test_eval_prints_the_metrics_with_their_values(built_settings, tmp_path):
    rows = [
        {
            "id": "a",
            "audience": "staff",
            "question": "慈善法第二十二条",
            "expect": "answer",
            "cite_any": ["依法登记满一年的慈善组织"],
            "facts": [["一年"]],
            "docs": ["cishan_fa_2023.txt"],
            "split": "validation",
        },
        {
            "id": "b",
            "audience": "staff",
            "question": "社团条例第十条",
            "expect": "answer",
            "cite_any": ["有50个以上的个人会员"],
            "facts": [["50个"]],
            "split": "validation",
        },
        {
            "id": "c",
            "audience": "resident",
            "question": "帮我订一张火车票",
            "expect": "refuse",
            "cite_any": [],
            "facts": [],
            "split": "validation",
        },
        {
            "id": "d",
            "audience": "resident",
            "question": "基金会条例第八条",
            "expect": "answer",
            "cite_any": ["原始基金"],
            "facts": [],
            "split": "tune",
        },
    ]
    path = tmp_path / "set.jsonl"
    path.write_text(
        "\n".join(json.dumps(r, ensure_ascii=False) for r in rows) + '\n[1, 2]\n{"question": "x"}\n', encoding="utf-8"
    )
    result = _run(["eval", "--split", "validation", str(path)], built_settings)
    assert result.returncode == 0, result.stderr
    assert "第 5 行不是 JSON 对象" in result.stderr and "第 6 行的 expect" in result.stderr
    last = result.stdout.strip().splitlines()[-1]
    values = dict(re.findall(r"(\S+) (\d+\.\d+|\d+|nan)", last))
    assert values["hit@1"] == "1.000" and values["facts"] == "1.000" and values["doc@1"] == "1.000"
    assert values["refusal"] == "1.000" and values["false_refusal"] == "0.000" and values["fabricated"] == "0"
    assert "questions: 2 answerable, 1 to refuse" in result.stdout
    assert "route clause (2)" in result.stdout and "audience staff (2)" in result.stdout
    empty = tmp_path / "empty.jsonl"
    empty.write_text("\n", encoding="utf-8")
    failed = _run(["eval", str(empty)], built_settings)
    assert failed.returncode == 1 and "没有可评测的问题" in failed.stderr


def test_eval_doc_scopes_every_question_of_a_set_written_for_one_document(built_settings, tmp_path):
    row = {
        "id": "a",
        "audience": "staff",
        "question": "这份文件的令号是多少？",  # "this document": only a set written for one document says so
        "expect": "answer",
        "cite_any": ["国务院令第400号"],
        "facts": [["第400号"]],
    }
    path = tmp_path / "one.jsonl"
    path.write_text(json.dumps(row, ensure_ascii=False) + "\n", encoding="utf-8")
    scoped = _run(["eval", "--doc", "基金会条例", str(path)], built_settings)
    assert scoped.returncode == 0, scoped.stderr
    assert re.search(r"^hit@1 1\.000 .*facts 1\.000", scoped.stdout, re.M), scoped.stdout
    unscoped = _run(["eval", str(path)], built_settings)
    assert re.search(r"^hit@1 0\.000 .*false_refusal 1\.000", unscoped.stdout, re.M), unscoped.stdout
    unknown = _run(["eval", "--doc", "婚姻登记条例", str(path)], built_settings)
    assert unknown.returncode == 2 and "婚姻登记条例" in unknown.stderr
