"""Feedback from the page is untrusted: limited, deduplicated, cleaned, masked, purgeable, printed safely."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
import time
from datetime import date

import pytest

from assistant.feedback import FeedbackStore
from assistant.feedback_clean import clean, printable
from assistant.settings import PROJECT_ROOT
from assistant.types import Answer, Citation

ANSWER = Answer("草根型社区社会组织可以备案吗？", "简单说：可采取备案管理。", True)


class Clock:
    """A monotonic clock the test moves by hand."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock():
    return Clock()


@pytest.fixture
def store(tmp_path, clock):
    return FeedbackStore(tmp_path / "feedback.sqlite3", rate_limit_per_minute=20, clock=clock)


def _answer(n: int) -> Answer:
    return Answer(f"问题 {n}：社区社会组织可以备案吗？", f"回答 {n}", True)


def test_one_vote_per_session_and_answer(store):
    started = time.perf_counter()
    votes = [store.add(ANSWER, liked=False, session="s1") for _ in range(1000)]
    assert time.perf_counter() - started < 5
    assert votes[0].status == "recorded" and {v.status for v in votes[1:]} <= {"duplicate", "rate_limited"}
    assert store.count() == 1


def test_a_changed_mind_updates_the_vote(store):
    assert store.add(ANSWER, liked=True, session="s1").status == "recorded"
    assert store.add(ANSWER, liked=False, session="s1").status == "changed"
    assert [row["rating"] for row in store.rows()] == ["down"]


def test_votes_per_session_are_rate_limited_per_minute(store, clock):
    votes = [store.add(_answer(n), liked=True, session="s1") for n in range(1000)]
    assert sum(bool(v) for v in votes) == 20 and store.count() == 20
    assert votes[-1].status == "rate_limited" and "稍后" in votes[-1].message
    assert store.add(_answer(0), liked=True, session="s2")  # another visitor is not held up
    clock.now += 61
    assert store.add(_answer(2000), liked=True, session="s1")


def test_many_sessions_cannot_flood_the_table(store):
    """Session ids are chosen by the client: all sessions together are limited too."""
    votes = [store.add(_answer(n), liked=True, session=f"bot-{n}") for n in range(1000)]
    assert store.count() == sum(bool(v) for v in votes) == 5 * 20


def test_rows_are_capped(tmp_path, clock):
    store = FeedbackStore(tmp_path / "f.sqlite3", rate_limit_per_minute=1000, max_rows=10, clock=clock)
    votes = [store.add(_answer(n), liked=True, session="s") for n in range(30)]
    assert store.count() == 10 and votes[-1].status == "full"


@pytest.mark.parametrize(
    "raw, stored",
    [
        pytest.param("清屏\x1b[2J\x1b[H了吗", "清屏了吗", id="csi-clear-screen"),
        pytest.param("标题\x1b]0;pwned\x07改了", "标题改了", id="osc-window-title"),
        pytest.param("链接\x1b]8;;http://evil\x1b\\点我\x1b]8;;\x1b\\", "链接点我", id="osc-hyperlink"),
        pytest.param("响铃\x07\x08\x00\x7f\x9b31m", "响铃", id="c0-c1-del"),
        pytest.param("反转\u202eabc\u2066", "反转abc", id="bidi-override"),
        pytest.param("第一行\r\n第二行\t完", "第一行\n第二行 完", id="newline-kept-tab-space"),
        pytest.param("我的手机13812345678，", "我的手机[手机号]，", id="mobile"),
        pytest.param("打 +86 138-1234-5678", "打 [手机号]", id="mobile-formatted"),
        pytest.param("座机0576-88512345或(010)12345678", "座机[电话]或[电话]", id="landline"),
        pytest.param("身份证33100219900101123X", "身份证[身份证号]", id="id-card"),
        pytest.param("热线12345，2016年12月31日，台政办发〔2016〕123号", None, id="not-a-phone"),
    ],
)
def test_stored_text_is_cleaned_and_masked(store, raw, stored):
    store.add(Answer(raw, "回答" + raw, True), liked=True, session="s")
    row = store.rows()[0]
    assert row["question"] == (raw if stored is None else stored)
    assert row["answer"] == "回答" + (raw if stored is None else stored)


def test_stored_text_is_capped(store):
    store.add(Answer("问" * 10_000, "答" * 100_000, True), liked=True, session="s")
    row = store.rows()[0]
    assert len(row["question"]) <= 2000 and len(row["answer"]) <= 2000 and row["answer"].endswith("…")


def test_printable_escapes_every_control_character():
    assert printable("a\x1b[2Jb\x07\nc") == "a\\x1b[2Jb\\x07\\nc"
    assert clean(printable("\x1b]0;x\x07")) == printable("\x1b]0;x\x07")


def test_purge_before_deletes_older_rows_from_disk(store):
    for n in range(3):
        store.add(_answer(n), liked=True, session="s")
    with sqlite3.connect(store.path) as connection:
        connection.execute("UPDATE feedback SET created_at = '2020-01-01T10:00:00+0800' WHERE id < 3")
    assert store.purge_before(date(2021, 1, 1)) == 2
    assert store.count() == 1
    assert b"\xe9\x97\xae\xe9\xa2\x98 0" not in store.path.read_bytes()  # "问题 0" is gone from the file


def test_an_old_database_is_upgraded_and_cleaned(tmp_path):
    path = tmp_path / "feedback.sqlite3"
    with sqlite3.connect(path) as connection:
        connection.execute(
            "CREATE TABLE feedback (id INTEGER PRIMARY KEY AUTOINCREMENT, created_at TEXT NOT NULL, rating TEXT NOT NULL,"
            " question TEXT NOT NULL, answer TEXT NOT NULL, found INTEGER NOT NULL, audience TEXT NOT NULL,"
            " citations TEXT NOT NULL)"
        )
        connection.execute(
            "INSERT INTO feedback (created_at, rating, question, answer, found, audience, citations)"
            " VALUES ('2024-01-01T00:00:00', 'down', '电话13812345678\x1b[2J', 'x', 1, 'resident', '[]')"
        )
    store = FeedbackStore(path)
    assert store.rows()[0]["question"] == "电话[手机号]"
    assert store.add(ANSWER, liked=True, session="s")


def test_citations_are_stored_cleaned(store):
    citation = Citation(
        doc_id="d", doc_title="t", doc_number="", clause="一", heading="", text="条文\x1b[2J", score=1.0
    )
    store.add(Answer("问？", "答", True, [citation]), liked=False, session="s")
    assert "\x1b" not in store.rows()[0]["citations"]


def _cli(args, data_dir):
    env = {k: v for k, v in os.environ.items() if not k.startswith("ASSISTANT_")}
    env["ASSISTANT_DATA_DIR"] = str(data_dir)
    return subprocess.run(
        [sys.executable, "-m", "assistant.cli", "feedback", *args],
        capture_output=True,
        text=True,
        cwd=PROJECT_ROOT,
        env=env,
        timeout=120,
    )


def test_feedback_command_prints_escapes_and_purges(tmp_path):
    data = tmp_path / "data"
    store = FeedbackStore(data / "feedback.sqlite3")
    store.add(ANSWER, liked=False, session="s")
    with sqlite3.connect(store.path) as connection:  # a row written before cleaning existed
        connection.execute(
            "INSERT INTO feedback (created_at, rating, question, answer, found, audience, citations, session)"
            " VALUES ('2020-05-01T00:00:00', 'down', '\x1b]0;pwned\x07问\x1b[2J', '答', 1, 'resident', '[]', 'old')"
        )
    listed = _cli(["--down"], data)
    assert listed.returncode == 0, listed.stderr
    assert "\x1b" not in listed.stdout and "\x07" not in listed.stdout
    assert "\\x1b]0;pwned\\x07问\\x1b[2J" in listed.stdout and "草根型社区社会组织可以备案吗？" in listed.stdout

    purged = _cli(["--purge-before", "2021-01-01"], data)
    assert purged.returncode == 0 and "已删除 1 条" in purged.stdout and "剩余 1 条" in purged.stdout
    assert "pwned" not in _cli([], data).stdout

    bad = _cli(["--purge-before", "01/02/2021"], data)
    assert bad.returncode == 1 and "YYYY-MM-DD" in bad.stderr and "Traceback" not in bad.stderr
