"""The web page: handlers directly, the API through gradio_client, and the page in a real headless Chromium."""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
import sys
import time
import urllib.request

import pytest
from conftest import free_port

from assistant.errors import AssistantError
from assistant.feedback import FeedbackStore
from assistant.indexing import load_index
from assistant.settings import PROJECT_ROOT
from assistant.web import WebApp, answer_html, ensure_question

ARTIFACTS = PROJECT_ROOT / "test-artifacts"
XSS = '<script>window.__pwned = 1</script><img src=x onerror="window.__pwned = 2">社区社会组织备案'


@pytest.fixture
def web(chain, built_settings, tmp_path):
    return WebApp(chain, load_index(built_settings), FeedbackStore(tmp_path / "feedback.sqlite3"))


def test_respond_appends_an_answer_with_a_source_card(web):
    history, turns = web.respond("草根型社区社会组织可以备案吗？", "居民", [], {})
    assert [m["role"] for m in history] == ["user", "assistant"]
    message = history[1]["content"]
    assert "可采取备案管理" in message and 'class="source-card"' in message and "<b>二(二)2</b>" in message
    assert "<mark>备案</mark>" in message and "<details>" in message
    assert turns[1]["found"] is True


def test_audience_switch_reaches_the_answerer(web):
    staff, _ = web.respond("对尚不具备登记条件的社区社会组织怎么管理？", "工作人员", [], {})
    resident, _ = web.respond("对尚不具备登记条件的社区社会组织怎么管理？", "居民", [], {})
    assert "【二(二)2】" in staff[1]["content"] and "简单说" in resident[1]["content"]


def test_user_input_and_document_text_are_escaped(web):
    history, _ = web.respond(XSS, "居民", [], {})
    for message in history:
        assert "<script>" not in message["content"] and "<img" not in message["content"]
    assert "&lt;script&gt;" in history[0]["content"]
    card = answer_html(web.ask("二(二)2 原文"))
    assert card.count("<") == card.count(">")


def test_empty_question_is_rejected_kindly(web):
    with pytest.raises(AssistantError, match="请先输入问题"):
        ensure_question("   ")
    with pytest.raises(AssistantError):
        web.respond("", "居民", [], {})


def test_feedback_is_stored_with_question_answer_and_citations(web):
    history, turns = web.respond("法律援助可以纳入政府购买服务吗？", "居民", [], {})
    assert web.record_feedback(turns, 1, liked=False)
    assert not web.record_feedback(turns, 0, liked=True)  # a user message has no answer to rate
    rows = web.feedback.rows()
    assert len(rows) == 1 and rows[0]["rating"] == "down"
    assert rows[0]["question"] == "法律援助可以纳入政府购买服务吗？" and "法律援助" in rows[0]["answer"]
    assert "二(二)3" in rows[0]["citations"] and rows[0]["created_at"]


def test_clause_browser_finds_by_reference_and_keyword(web):
    doc_id = web.documents()[0][1]
    labels = web.clause_labels(doc_id)
    assert any(label.strip().startswith("二(二)3 推进政府购买服务机制") for label in labels)
    assert [label.strip() for label in web.clause_labels(doc_id, "二(二)3")] == ["二(二)3 推进政府购买服务机制"]
    assert any("二(二)2" in label for label in web.clause_labels(doc_id, "备案"))
    assert [label.strip()[:5] for label in web.clause_labels(doc_id, "草根型 备案")] == ["二(二)2"]
    assert "建立健全公开招" in web.clause_html(doc_id, "二(三)1") and "不完整" in web.clause_html(doc_id, "二(三)1")
    info = web.document_info_html(doc_id)
    assert "台政办发〔2016〕123号" in info and "继续有效" in info and "不完整" in info


@pytest.fixture(scope="module")
def server(built_settings, tmp_path_factory):
    """`assistant serve` on 127.0.0.1 and a free port, as a user starts it."""
    port = free_port()
    data = tmp_path_factory.mktemp("serve-data")
    env = {
        **os.environ,
        "ASSISTANT_INDEX_DIR": str(built_settings.index_dir),
        "ASSISTANT_DATA_DIR": str(data),
        "GRADIO_ANALYTICS_ENABLED": "False",
    }
    log = open(data / "serve.log", "wb")
    started = time.monotonic()
    process = subprocess.Popen(
        [sys.executable, "-m", "assistant.cli", "serve", "--host", "127.0.0.1", "--port", str(port)],
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}/"
    while True:
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                if response.status == 200:
                    break
        except OSError:
            pass
        if process.poll() is not None or time.monotonic() - started > 180:
            process.kill()
            pytest.fail("assistant serve did not start:\n" + (data / "serve.log").read_text(errors="replace"))
        time.sleep(0.2)
    print(f"\nassistant serve: page ready after {time.monotonic() - started:.1f} s")
    yield url, data
    process.terminate()
    process.wait(timeout=30)
    log.close()


def _chromium() -> str:
    path = shutil.which("chromium") or shutil.which("chromium-browser")
    if not path:
        pytest.fail("Chromium not found: install Debian's chromium (make test does) — browser tests do not skip")
    return path


def test_gradio_client_calls_the_api(server):
    from gradio_client import Client

    url, _ = server
    result = Client(url, verbose=False).predict("草根型社区社会组织可以备案吗？", "居民", api_name="/ask")
    assert result["found"] is True and result["citations"][0]["clause"] == "二(二)2"


def test_page_in_a_real_browser(server):
    from playwright.sync_api import expect, sync_playwright

    url, data = server
    ARTIFACTS.mkdir(exist_ok=True)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=_chromium(),
            args=[
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
            ],
        )
        page = browser.new_page(viewport={"width": 1280, "height": 1400})
        dialogs: list[str] = []
        page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
        page.goto(url)

        box = page.locator("#q textarea")
        box.fill("   ")
        page.locator("#send").click()
        expect(page.get_by_text("请先输入问题").first).to_be_visible(timeout=10_000)

        box.fill("草根型社区社会组织可以备案吗？")
        box.press("Enter")
        chat = page.locator("#chat")
        expect(chat.get_by_text("可采取备案管理").first).to_be_visible(timeout=60_000)
        card = chat.locator(".source-card").filter(has_text="二(二)2").first
        expect(card).to_be_visible()
        expect(card.locator("mark").first).to_be_visible()
        expect(box).to_be_enabled()
        page.screenshot(path=str(ARTIFACTS / "chat.png"), full_page=True)

        page.locator("#chat button[aria-label='Dislike'], #chat button[title='Dislike']").first.click()
        deadline = time.monotonic() + 10
        feedback = data / "feedback.sqlite3"
        while time.monotonic() < deadline:
            with sqlite3.connect(feedback) as connection:
                if connection.execute("SELECT count(*) FROM feedback").fetchone()[0]:
                    break
            time.sleep(0.2)
        with sqlite3.connect(feedback) as connection:
            assert connection.execute("SELECT rating, question FROM feedback").fetchall() == [
                ("down", "草根型社区社会组织可以备案吗？")
            ]

        box.fill(XSS)
        box.press("Enter")
        expect(chat.get_by_text("<script>window.__pwned = 1</script>", exact=False).first).to_be_visible(timeout=60_000)
        page.wait_for_timeout(1000)
        assert page.evaluate("window.__pwned") is None
        assert dialogs == []

        page.get_by_role("tab", name="条款浏览").click()
        expect(page.get_by_text("二(二)3 推进政府购买服务机制").first).to_be_visible()
        search = page.locator("#clause-search textarea, #clause-search input").first
        search.fill("二(二)3")
        search.press("Enter")
        expect(page.locator("#clause-view").get_by_text("建立稳定的公共财政专项机制", exact=False)).to_be_visible(
            timeout=10_000
        )
        page.screenshot(path=str(ARTIFACTS / "clauses.png"), full_page=True)
        browser.close()
