"""The page in a real headless Chromium, served by ``assistant serve`` as a user starts it (with a staff
password), over a copy of the library index: layout at laptop and phone sizes, a conversation with a
follow-up that survives a reload, citations into the library view, plain-text copy, Chinese-only text,
staff upload and removal, and what a visitor cannot do. Screenshots go to test-artifacts/."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import time
import urllib.error
import urllib.request
import uuid

import pytest
from conftest import free_port

from assistant.settings import PROJECT_ROOT

pytestmark = [pytest.mark.browser, pytest.mark.slow]

ARTIFACTS = PROJECT_ROOT / "test-artifacts"
PASSWORD = "staff-pass-for-tests"
LAPTOP = {"width": 1366, "height": 768}
PHONE = {"width": 390, "height": 844}
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
ENGLISH = re.compile(r"[A-Za-z]{2,}")
# Latin text that is not UI wording: the ASCII in document numbers and file types named in the page.
ALLOWED_LATIN = re.compile(r"^(?:txt|md|docx|pdf|html|htm|README)$")
UNIQUE_RULE = "本办法所称萤火虫观测志愿者，是指在星河湾湿地夜间协助开展萤火虫数量观测的志愿者。"


def _chromium() -> str:
    path = shutil.which("chromium") or shutil.which("chromium-browser")
    if not path:
        pytest.fail("Chromium not found: install Debian's chromium (make test does) — browser tests do not skip")
    return path


@pytest.fixture(scope="module")
def server(built_settings, tmp_path_factory):
    """`assistant serve` on 127.0.0.1 with a staff password, over copies of the index and corpus
    (staff uploads in these tests must not change the session's shared index)."""
    root = tmp_path_factory.mktemp("page")
    shutil.copytree(built_settings.index_dir, root / "index")
    shutil.copytree(built_settings.corpus_dir, root / "corpus")
    port = free_port()
    env = {
        **os.environ,
        "ASSISTANT_INDEX_DIR": str(root / "index"),
        "ASSISTANT_CORPUS_DIR": str(root / "corpus"),
        "ASSISTANT_DATA_DIR": str(root / "data"),
        "ASSISTANT_ADMIN_PASSWORD": PASSWORD,
        "GRADIO_ANALYTICS_ENABLED": "False",
    }
    log_path = root / "serve.log"
    log = open(log_path, "wb")
    started = time.monotonic()
    process = subprocess.Popen(
        [sys.executable, "-m", "assistant.cli", "serve", "--host", "127.0.0.1", "--port", str(port)],
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        cwd=PROJECT_ROOT,
    )
    url = f"http://127.0.0.1:{port}/"
    while True:
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                if response.status == 200:
                    break
        except OSError:
            pass
        if process.poll() is not None or time.monotonic() - started > 240:
            process.kill()
            pytest.fail("assistant serve did not start:\n" + log_path.read_text(errors="replace"))
        time.sleep(0.3)
    print(f"\nassistant serve: page ready after {time.monotonic() - started:.1f} s")
    yield {"url": url, "log": log_path, "root": root}
    process.terminate()
    process.wait(timeout=30)
    log.close()


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    ARTIFACTS.mkdir(exist_ok=True)
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=_chromium(), args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


def open_page(browser, server, viewport=LAPTOP, *, locale="zh-CN", **options):
    context = browser.new_context(
        viewport=viewport, locale=locale, permissions=["clipboard-read", "clipboard-write"], **options
    )
    page = context.new_page()
    page.goto(server["url"])
    page.wait_for_selector("#q textarea")
    page.wait_for_function("window.__policyPage === true")
    return page


def ask(page, question: str, *, answers_before: int | None = None):
    """Type a question, press Enter, and wait for its answer (the typing indicator gone)."""
    count = page.locator("#chat .copy-answer").count() if answers_before is None else answers_before
    box = page.locator("#q textarea")
    box.fill(question)
    box.press("Enter")
    page.wait_for_function(
        "n => document.querySelectorAll('#chat .copy-answer, #chat .answer-text.hint').length > n"
        " && !document.querySelector('#chat .typing')",
        arg=count,
        timeout=60_000,
    )


def in_viewport(page, selector: str) -> bool:
    box = page.locator(selector).first.bounding_box()
    viewport = page.viewport_size
    return (
        bool(box)
        and box["y"] >= 0
        and box["y"] + box["height"] <= viewport["height"]
        and (box["x"] >= 0 and box["x"] + box["width"] <= viewport["width"])
    )


def clipped_bubbles(page) -> list[str]:
    """Messages whose content is cut off: wider than their bubble, or reaching outside the chat."""
    return page.evaluate(
        """() => {
        const chat = document.querySelector('#chat').getBoundingClientRect();
        const bad = [];
        document.querySelectorAll('#chat .message-content, #chat .message').forEach((el) => {
          const box = el.getBoundingClientRect();
          if (el.scrollWidth > el.clientWidth + 2 || box.left < chat.left - 1 || box.right > chat.right + 1)
            bad.push(el.className + ': ' + el.textContent.slice(0, 30));
        });
        return bad;
    }"""
    )


@pytest.mark.parametrize("name,viewport", [("laptop", LAPTOP), ("phone", PHONE)])
def test_input_stays_in_view_at_laptop_and_phone_sizes(browser, server, name, viewport):
    page = open_page(browser, server, viewport)
    assert in_viewport(page, "#q textarea") and in_viewport(page, "#send"), name
    chat = page.locator("#chat").bounding_box()
    assert chat["height"] >= viewport["height"] * 0.4, chat  # the chat fills the viewport
    page.screenshot(path=str(ARTIFACTS / f"{name}-start.png"))
    page.locator("#audience input").click()
    page.get_by_role("option", name="我是工作人员").click()
    ask(page, "社会团体登记管理条例第十条是怎么规定的？")  # a long answer: the whole article
    ask(page, "成立社会团体需要具备哪些条件？")
    assert in_viewport(page, "#q textarea") and in_viewport(page, "#send"), name
    assert clipped_bubbles(page) == []
    page.screenshot(path=str(ARTIFACTS / f"{name}-chat.png"))
    page.get_by_role("tab", name="文件库").click()
    page.locator("#doc-list a.open-doc").first.click()
    page.wait_for_selector("#doc-view .doc-title")
    page.screenshot(path=str(ARTIFACTS / f"{name}-library.png"), full_page=True)
    page.context.close()


def test_three_turn_conversation_with_a_follow_up_survives_a_reload(browser, server):
    page = open_page(browser, server)
    page.evaluate(
        """() => { window.__sawTyping = false; new MutationObserver(() => {
            if (document.querySelector('#chat .typing')) window.__sawTyping = true;
        }).observe(document.body, {childList: true, subtree: true}); }"""
    )
    ask(page, "成立社会团体需要具备哪些条件？")
    assert page.evaluate("window.__sawTyping"), "no typing indicator while answering"
    ask(page, "那要准备什么材料？")
    follow_note = page.locator("#chat .follow-up").last
    assert "接着上一个问题“成立社会团体需要具备哪些条件？”理解" in follow_note.inner_text()
    assert page.locator("#chat .source-card a.cite").last.inner_text().startswith("《社会团体登记管理条例》")
    ask(page, "这个是哪一年的文件？")
    assert "社会团体登记管理条例" in page.locator("#chat .message").last.inner_text()

    page.reload()
    page.wait_for_selector("#chat .question-text", timeout=15_000)
    for question in ("成立社会团体需要具备哪些条件？", "那要准备什么材料？", "这个是哪一年的文件？"):
        assert page.locator("#chat .question-text", has_text=question).count() == 1, question
    assert page.locator("#chat .follow-up").count() >= 1
    ask(page, "第二款呢？")  # the restored conversation still carries the context
    page.locator("#new-chat").click()
    page.wait_for_function("!document.querySelector('#chat .question-text')")
    page.reload()
    page.wait_for_selector("#q textarea")
    page.wait_for_timeout(1000)
    assert page.locator("#chat .question-text").count() == 0
    page.context.close()


def test_citation_opens_its_clause_in_the_library_view(browser, server):
    page = open_page(browser, server, PHONE)
    ask(page, "成立社会团体需要具备哪些条件？")
    cite = page.locator("#chat a.cite").first
    reference = cite.inner_text()
    cite.click()
    focus = page.locator("#clause-focus")
    focus.wait_for(timeout=15_000)
    assert page.get_by_role("tab", name="文件库").get_attribute("aria-selected") == "true"
    assert reference.split("》")[1] in focus.inner_text() and "社会团体登记管理条例" in focus.inner_text()
    assert page.locator("#doc-view li.clause.selected").count() == 1
    page.screenshot(path=str(ARTIFACTS / "phone-citation-in-library.png"))
    page.context.close()


def test_copy_gives_plain_text_with_citations(browser, server):
    page = open_page(browser, server)
    ask(page, "草根型社区社会组织可以备案吗？")
    page.locator("#chat a.copy-answer").last.click()
    page.get_by_text("已复制回答和出处").wait_for()
    copied = page.evaluate("navigator.clipboard.readText()")
    assert copied and "<" not in copied and ">" not in copied
    assert "——《" in copied and "备案" in copied
    page.context.close()


def test_suggested_questions_are_asked_when_clicked(browser, server):
    page = open_page(browser, server)
    ask(page, "成立社会团体需要具备哪些条件？")
    chips = page.locator("#chat a.suggestion")
    assert 2 <= chips.count() <= 3
    text = chips.first.inner_text()
    before = page.locator("#chat .copy-answer").count()
    chips.first.click()
    page.wait_for_function(
        "n => document.querySelectorAll('#chat .copy-answer').length > n", arg=before, timeout=60_000
    )
    assert page.locator("#chat .question-text").last.inner_text() == text
    page.context.close()


@pytest.mark.parametrize("locale", ["zh-CN", "en-US"])
def test_no_english_in_the_chat_tab_and_an_empty_question_is_a_quiet_hint(browser, server, locale):
    page = open_page(browser, server, locale=locale)
    page.locator("#send").click()
    hint = page.locator("#hint .quiet-hint")
    hint.wait_for()
    assert "请先输入问题" in hint.inner_text()
    assert page.locator(".toast-body, [data-testid='toast-body']").count() == 0
    assert page.locator("#q .error, #q [class*='error']").count() == 0
    ask(page, "草根型社区社会组织可以备案吗？")
    page.locator("#chat").hover()
    page.locator("#chat .message").last.hover()
    words = page.evaluate(
        """() => {
        const tab = document.querySelector('#chat-tab');
        const texts = [tab.innerText, document.title];
        tab.querySelectorAll('*').forEach((el) => {
          const style = getComputedStyle(el);
          if (style.display === 'none' || style.visibility === 'hidden') return;
          for (const name of ['title', 'aria-label', 'placeholder', 'alt']) {
            const value = el.getAttribute(name); if (value) texts.push(value);
          }
        });
        return texts.join('\\n');
    }"""
    )
    english = [w for w in ENGLISH.findall(words) if not ALLOWED_LATIN.match(w)]
    assert english == [], english
    page.context.close()
    log = server["log"].read_text(errors="replace")
    assert "Traceback" not in log and "ERROR" not in log


def _docx(path):
    from docx import Document

    document = Document()
    document.add_paragraph("星河湾湿地萤火虫观测志愿服务办法")
    document.add_paragraph("第一条 " + UNIQUE_RULE)
    document.add_paragraph("第二条 萤火虫观测志愿者每次观测结束后，应当在二十四小时内提交观测记录。")
    document.save(path)


def test_staff_sign_in_upload_ask_and_remove(browser, server, tmp_path):
    upload = tmp_path / "xinghewan_yinghuochong_guance.docx"
    _docx(upload)
    page = open_page(
        browser, server, http_credentials={"username": "staff", "password": PASSWORD}
    )  # the server asks upload requests for the staff password too
    assert page.get_by_role("tab", name="管理").count() == 0
    page.get_by_role("tab", name="工作人员登录").click()
    page.locator("#admin-password input").fill("wrong")
    page.locator("#sign-in").click()
    page.get_by_text("密码不正确").wait_for()
    assert page.get_by_role("tab", name="管理").count() == 0
    page.locator("#admin-password input").fill(PASSWORD)
    page.locator("#sign-in").click()
    page.get_by_role("tab", name="管理").wait_for()
    page.locator("#upload-files input[type=file]").set_input_files(str(upload))
    page.get_by_text(upload.name).first.wait_for()
    page.locator("#upload").click()
    page.get_by_text("已完成：新增 1 份").wait_for(timeout=180_000)
    page.screenshot(path=str(ARTIFACTS / "laptop-staff.png"))

    page.get_by_role("tab", name="问答").click()
    ask(page, "萤火虫观测志愿者观测结束后多久提交记录？")
    answer = page.locator("#chat .message").last.inner_text()
    assert "二十四小时" in answer and "星河湾湿地萤火虫观测志愿服务办法" in answer

    page.get_by_role("tab", name="管理").click()
    page.locator("#remove-doc input").click()
    page.get_by_role("option", name=re.compile("萤火虫")).click()
    page.locator("#remove").click()
    page.get_by_text("已删除《星河湾湿地萤火虫观测志愿服务办法》").wait_for(timeout=60_000)
    page.get_by_role("tab", name="问答").click()
    ask(page, "萤火虫观测志愿者观测结束后多久提交记录？")
    assert "星河湾" not in page.locator("#chat .message").last.inner_text()
    assert not (server["root"] / "corpus" / upload.name).exists()
    page.context.close()


def _queue_call(url: str, fn_index: int, data: list) -> dict:
    """Call one of the page's event handlers as a script would, through Gradio's queue."""
    session = uuid.uuid4().hex[:11]
    body = json.dumps({"data": data, "fn_index": fn_index, "session_hash": session, "event_data": None}).encode()
    request = urllib.request.Request(url + "gradio_api/queue/join", body, {"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=30) as response:
        assert response.status == 200
    with urllib.request.urlopen(url + f"gradio_api/queue/data?session_hash={session}", timeout=60) as stream:
        for line in stream:
            if line.startswith(b"data:"):
                message = json.loads(line[5:])
                if message.get("msg") == "process_completed":
                    return message
    raise AssertionError("no process_completed message")


def test_visitor_sees_no_admin_tab_and_the_upload_handler_refuses(browser, server, tmp_path):
    page = open_page(browser, server)
    assert page.get_by_role("tab", name="管理").count() == 0
    assert page.locator("#upload-files").count() == 0 and page.locator("#upload").count() == 0
    page.context.close()

    url = server["url"]
    upload = tmp_path / "visitor.docx"
    _docx(upload)
    request = urllib.request.Request(
        url + "gradio_api/upload", upload.read_bytes(), {"Content-Type": "application/octet-stream"}
    )
    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(request, timeout=30)
    assert refused.value.code in (401, 403)

    with urllib.request.urlopen(url + "config", timeout=30) as response:
        config = json.load(response)
    ids = {c["props"].get("elem_id"): c["id"] for c in config["components"] if c.get("props")}
    for button, data in (("upload", [None, None]), ("remove", ["shehui_tuanti_dengji_guanli_tiaoli_2016", None])):
        fn_index = next(
            d.get("id", i)
            for i, d in enumerate(config["dependencies"])
            if [ids[button], "click"] in [list(t) for t in d["targets"]]
        )
        result = _queue_call(url, fn_index, data)
        assert result["success"] is False, result
        assert "请先以工作人员身份登录" in json.dumps(result, ensure_ascii=False)
    with urllib.request.urlopen(url + "config", timeout=30) as response:
        assert "社会团体登记管理条例" in response.read().decode("utf-8")  # nothing was removed
