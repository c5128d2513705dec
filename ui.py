"""The Gradio app: a conversation with the policy library, the library itself, and (for signed-in
staff) a 管理 tab that adds and removes documents.

Thin: what the page shows and does lives in ``assistant.web_chat``, ``web_library`` and ``web_staff``.
``build_app(settings, chain)`` makes the page; ``assistant.server.launch`` serves it; it launches the page
with ``launch_options()`` (its CSS, Chinese texts for Gradio's own buttons, no footer). Start with ``assistant serve``.
"""

from __future__ import annotations

import importlib.util
import json
import logging
import os
import time
from typing import Any
from urllib.parse import parse_qs, urlsplit

os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")

import gradio as gr  # noqa: E402

from assistant import web_chat, web_library, web_staff  # noqa: E402
from assistant.errors import AssistantError  # noqa: E402
from assistant.feedback import FeedbackStore  # noqa: E402
from assistant.index import ensure_index, load_index  # noqa: E402
from assistant.loaders import SUPPORTED_SUFFIXES  # noqa: E402
from assistant.messages import INTERNAL_ERROR  # noqa: E402
from assistant.router import AnswerChain, build_chain  # noqa: E402
from assistant.settings import Settings, quiet_libraries  # noqa: E402
from assistant.suggestions import suggest  # noqa: E402

logger = logging.getLogger(__name__)

STORAGE_KEY = "policy-assistant-conversation"
STORAGE_SECRET = "policy-assistant-conversation"
"""Gradio encrypts browser state with this; it keeps nothing secret (the conversation is the visitor's own)."""
SIGN_IN_DELAY_S = 1.0
"""Pause after a wrong staff password, so guessing is slow."""
# Signing in on the page also asks the server for the staff upload cookie (assistant/server_guard.py), so the
# 管理 tab's uploads pass the server's check without a second browser password prompt.
STAFF_COOKIE_JS = """async (password) => {
  try {
    await fetch("gradio_api/staff-session", {method: "POST", credentials: "same-origin",
      body: new URLSearchParams({password: password || ""})});
  } catch (error) {}
  return password;
}"""
STAFF_SIGN_OUT_JS = """async () => {
  try { await fetch("gradio_api/staff-session", {method: "DELETE", credentials: "same-origin"}); } catch (error) {}
  return [];
}"""

# Gradio's own texts in Chinese, whatever language the browser asks for: the zh-CN locale of Gradio
# lacks the chatbot's buttons, and a browser in another language would see English.
_GRADIO_TEXTS = {
    "chatbot": {
        "edit": "编辑",
        "retry": "重试",
        "undo": "撤销",
        "submit": "发送",
        "cancel": "取消",
        "like": "有帮助",
        "dislike": "没帮助",
        "clear": "清空对话",
        "complete": "完成",
        "copy_message": "复制",
        "copied_message": "已复制",
    },
    "common": {
        "clear": "清除",
        "download": "下载",
        "download_all": "全部下载",
        "edit": "编辑",
        "empty": "空",
        "error": "出错了",
        "loading": "加载中",
        "or": "或",
        "remove": "移除",
        "settings": "设置",
        "share": "分享",
        "submit": "提交",
        "undo": "撤销",
        "progress": "进度",
        "run": "运行",
    },
    "upload_text": {"click_to_upload": "点击选择文件", "drop_file": "将文件拖放到此处"},
    "file": {"uploading": "正在上传…"},
    "dropdown": {"dropdown": "下拉菜单"},
    "status": {"queue_position": "排队中：第 {position} 位，共 {size} 位"},
    "blocks": {
        "connection_can_break": "在手机上，切换到其他页面或锁屏可能会断开连接。",
        "lost_connection": "连接已断开，正在重新连接……",
        "waiting_for_inputs": "请等文件上传完成后再试。",
        "long_requests_queue": "当前排队的请求较多，请稍候。",
    },
    "login": {"login": "登录", "password": "密码", "username": "用户名", "incorrect_credentials": "用户名或密码不正确"},
}
I18N_LOCALES = ("zh-CN", "zh-TW", "zh")
"""Gradio loads its own texts for a locale after custom ones, so these fill only the keys its zh-CN
lacks; ``ENGLISH_TO_CHINESE`` (applied by the page's script) covers the rest and English browsers."""
ENGLISH_TO_CHINESE = {
    "Clear": "清空对话",
    "Like": "有帮助",
    "Dislike": "没帮助",
    "Copy message": "复制",
    "Copied message": "已复制",
    "Copy": "复制",
    "Copied!": "已复制",
    "chatbot conversation": "对话记录",
    "Error": "出错了",
    "Warning": "注意",
    "Info": "提示",
    "Success": "完成",
    "Close": "关闭",
    "Loading...": "加载中…",
    "Loading": "加载中",
    "Submit": "提交",
    "Retry": "重试",
    "Undo": "撤销",
    "Edit": "编辑",
    "Remove": "移除",
    "Download": "下载",
    "Drop File Here": "将文件拖放到此处",
    "Click to Upload": "点击选择文件",
    "- or -": "或",
    "Uploading...": "正在上传…",
    "Dropdown": "下拉菜单",
    "Textbox": "文本框",
    "Scroll down": "滚动到底部",
    "Scroll to bottom": "滚动到底部",
    "Show password": "显示密码",
    "Hide password": "隐藏密码",
}
"""Gradio's English texts and labels, as the page shows them in Chinese."""
ENGLISH_PREFIXES = {"user's message": "您的问题", "bot's message": "助手的回答"}
"""Labels Gradio builds from a message (``user's message: <the message's HTML>``), replaced whole."""

CSS = """
:root {--chat-height: calc(100dvh - 268px);}
@media (max-width: 640px) {:root {--chat-height: calc(100dvh - 282px);}}
footer {display: none !important;}
.gradio-container {max-width: 1100px !important; width: 100% !important; margin: 0 auto !important; padding: 6px 10px !important;}
#page-head {margin: 0; padding: 2px 0;}
#page-head h1 {font-size: 1.15em; margin: 0; display: inline;}
#page-head .tagline {color: #57606a; font-size: 0.85em; margin-left: 8px;}
@media (max-width: 640px) {#page-head .tagline {display: none;}}
#chat {height: var(--chat-height) !important; min-height: 220px;}
#chat .top-panel {display: none !important;}  /* its 清空 icon sat over the first bubble; 新对话 does that */
#chat .message, #chat .bubble {max-width: 100%;}
#chat-controls {gap: 6px; flex-wrap: nowrap; align-items: center;}
#chat-controls > * {min-width: 0 !important;}
#new-chat {flex: 0 0 auto; white-space: nowrap;}
@media (max-width: 640px) {#audience {flex: 0 0 132px !important;}}
#ask-row {gap: 6px; flex-wrap: nowrap; align-items: stretch;}
#ask-row #send {flex: 0 0 72px; min-width: 72px !important;}
#hint:empty {display: none;}
.quiet-hint {color: #57606a; font-size: 0.9em; padding: 2px 4px;}
.question-text {white-space: pre-wrap;}
.answer-text {line-height: 1.7;}
.answer-text.hint {color: #57606a;}
.follow-up {color: #57606a; font-size: 0.85em; margin-bottom: 4px;}
.source-card {border: 1px solid #d0d7de; border-radius: 8px; padding: 8px 12px; margin-top: 10px; background: #f8fafc;}
.card-title {font-size: 0.92em; color: #57606a;}
.card-quote {margin: 6px 0; padding-left: 10px; border-left: 3px solid #2f81f7;}
.card-notice {color: #b35900; font-size: 0.9em;}
.card-full {font-size: 0.92em;}
.related {margin-top: 8px; font-size: 0.9em; color: #57606a;}
.related ul {margin: 2px 0 0 1.2em; padding: 0;}
.suggestions {margin-top: 10px; display: flex; flex-wrap: wrap; gap: 6px; align-items: center;}
.suggestions-label {font-size: 0.85em; color: #57606a;}
a.suggestion {border: 1px solid #2f81f7; border-radius: 14px; padding: 2px 10px; font-size: 0.85em; text-decoration: none;}
.answer-tools {margin-top: 8px; text-align: right;}
a.copy-answer {font-size: 0.85em; text-decoration: none; border: 1px solid #d0d7de; border-radius: 6px; padding: 1px 8px;}
.plain-text {display: none;}
.typing {color: #57606a;}
.typing i {display: inline-block; width: 6px; height: 6px; margin-left: 4px; border-radius: 50%; background: #8c959f;
  animation: typing 1.2s infinite ease-in-out;}
.typing i:nth-child(2) {animation-delay: 0.2s;} .typing i:nth-child(3) {animation-delay: 0.4s;}
@keyframes typing {0%, 80%, 100% {opacity: 0.2;} 40% {opacity: 1;}}
#copy-toast {position: fixed; left: 50%; bottom: 90px; transform: translateX(-50%); background: #24292f; color: #fff;
  padding: 6px 14px; border-radius: 6px; z-index: 1000; font-size: 0.9em;}
mark {background: #fff3b0;}
.badge {font-size: 0.75em; border-radius: 4px; padding: 1px 6px; margin-left: 4px; white-space: nowrap; vertical-align: middle;}
.badge.in-force {background: #dafbe1; color: #116329;}
.badge.superseded {background: #ffebe9; color: #a40e26;}
.badge.incomplete {background: #fff8c5; color: #7d4e00;}
.doc-count {color: #57606a; font-size: 0.85em; margin: 4px 0;}
ul.doc-list {list-style: none; padding: 0; margin: 0; max-height: 70dvh; overflow-y: auto;}
.doc-card {border-bottom: 1px solid #eaeef2; padding: 8px 4px;}
.doc-card.selected {background: #f1f8ff;}
.doc-card a.open-doc {font-weight: 600; text-decoration: none;}
.facts {display: flex; flex-wrap: wrap; gap: 2px 12px; font-size: 0.82em; color: #57606a; margin-top: 2px;}
.fact-name {color: #8c959f; margin-right: 4px;}
.doc-view h3.doc-title {font-size: 1.05em; margin: 4px 0 8px;}
table.doc-facts {font-size: 0.88em; border-collapse: collapse; margin-bottom: 8px; width: 100%;}
table.doc-facts th, table.doc-facts td {border: none !important; border-bottom: 1px solid #eaeef2 !important; padding: 3px 8px 3px 0 !important;}
table.doc-facts th {text-align: left; white-space: nowrap; padding: 2px 12px 2px 0; color: #57606a; font-weight: normal; vertical-align: top;}
table.doc-facts td {overflow-wrap: anywhere;}
.clause-focus {border: 2px solid #2f81f7; border-radius: 8px; padding: 8px 12px; margin: 8px 0; background: #f1f8ff;}
.focus-path {font-size: 0.82em; color: #57606a;}
.focus-ref {font-weight: 600; margin: 2px 0 6px;}
.outline-title {font-weight: 600; margin-top: 10px;}
ul.outline {list-style: none; padding-left: 0.9em; margin: 2px 0;}
ul.outline > li.clause.selected > details > summary {background: #fff3b0;}
ul.outline summary {cursor: pointer; padding: 2px 0;}
.clause-text {font-size: 0.92em; padding: 2px 0 4px 1em; color: #24292f;}
.search-results ul {padding-left: 1.1em;}
.search-results li {margin-bottom: 6px;}
.snippet {font-size: 0.85em; color: #57606a;}
.staff-note {font-size: 0.88em; color: #57606a;}
"""

# One listener for the links and buttons inside messages (their HTML is sanitised: no scripts of their
# own). A citation or document link opens the library view through the hidden 打开 button, a suggested
# question is asked through the hidden 追问 button, 复制 copies the message's plain text.
PAGE_JS = """
() => {
  if (window.__policyPage) return;
  window.__policyPage = true;
  const toast = (text) => {
    const box = document.createElement('div');
    box.id = 'copy-toast'; box.textContent = text; box.setAttribute('role', 'status');
    document.body.appendChild(box); setTimeout(() => box.remove(), 1600);
  };
  const copy = async (text) => {
    try { await navigator.clipboard.writeText(text); return true; } catch (e) {
      const area = document.createElement('textarea'); area.value = text; document.body.appendChild(area);
      area.select(); const done = document.execCommand('copy'); area.remove(); return done;
    }
  };
  const words = __WORDS__, prefixes = __PREFIXES__;
  const attributes = ['aria-label', 'title', 'placeholder', 'alt'];
  const translate = (value) => {
    if (!value) return null;
    const trimmed = value.trim();
    if (Object.prototype.hasOwnProperty.call(words, trimmed)) return words[trimmed];
    for (const [prefix, chinese] of Object.entries(prefixes)) if (trimmed.startsWith(prefix)) return chinese;
    return null;
  };
  const chinese = (root) => {
    const elements = root.querySelectorAll ? [root, ...root.querySelectorAll('*')] : [];
    for (const el of elements) {
      for (const name of attributes) {
        const value = el.getAttribute && el.getAttribute(name);
        const replaced = translate(value);
        if (replaced !== null && replaced !== value) el.setAttribute(name, replaced);
      }
      for (const node of el.childNodes || []) {
        if (node.nodeType === 3) {
          const replaced = translate(node.nodeValue);
          if (replaced !== null) node.nodeValue = replaced;
        }
      }
    }
  };
  chinese(document.body);
  new MutationObserver((changes) => {
    for (const change of changes) {
      if (change.type === 'attributes') chinese(change.target);
      else if (change.type === 'characterData') chinese(change.target.parentElement || document.body);
      else change.addedNodes.forEach((node) => chinese(node.nodeType === 1 ? node : node.parentElement || document.body));
    }
  }).observe(document.body, {subtree: true, childList: true, characterData: true, attributes: true,
    attributeFilter: attributes});
  document.addEventListener('click', async (event) => {
    const link = event.target.closest && event.target.closest('a');
    if (!link || !document.querySelector('gradio-app, .gradio-container')?.contains(link)) return;
    const href = link.getAttribute('href') || '';
    if (link.classList.contains('copy-answer')) {
      event.preventDefault();
      let node = link;
      while (node && !(node.querySelector && node.querySelector('.plain-text'))) node = node.parentElement;
      const text = node ? node.querySelector('.plain-text').textContent : '';
      window.__policyCopied = text;
      toast((await copy(text)) ? '已复制回答和出处' : '复制失败，请手动选择文字复制');
    } else if (link.classList.contains('suggestion')) {
      event.preventDefault();
      window.__policySuggestion = link.getAttribute('title') || link.textContent;
      document.querySelector('#ask-suggestion')?.click();
    } else if (href.startsWith('?doc=') && !event.ctrlKey && !event.metaKey && !event.shiftKey) {
      event.preventDefault();
      window.__policyLink = href;
      document.querySelector('#open-link')?.click();
    }
  }, true);
}
"""
PAGE_JS = PAGE_JS.replace("__WORDS__", json.dumps(ENGLISH_TO_CHINESE, ensure_ascii=False)).replace(
    "__PREFIXES__", json.dumps(ENGLISH_PREFIXES, ensure_ascii=False)
)
SCROLL_TO_CLAUSE_JS = """
() => { setTimeout(() => {
  const focus = document.querySelector('#clause-focus') || document.querySelector('#doc-view');
  if (focus) focus.scrollIntoView({block: 'start'});
}, 150); }
"""

SIGNED_IN = "已登录。文件的上传、替换和删除在“管理”页；用完请点“退出登录”。"
STAFF_GUIDE = (
    "支持 .txt、.md、.docx、有文字层的 .pdf 和保存的网页（.html）。文件名即文档编号：上传同名文件会替换原文件。"
    "能识别“第X章/第X条/款/项”或“一、/（一）/1.”编号的条款；没有编号的文件按段落收录。"
    "标题、文号、发布机关和日期从文件开头读取。详见 README 的“加入自己的政策文件”。"
)


def launch_options() -> dict[str, Any]:
    """What ``Blocks.launch`` needs besides address and security: the page's CSS, Gradio's own texts in
    Chinese, no footer, no run history."""
    texts = gr.I18n(**{locale: _GRADIO_TEXTS for locale in I18N_LOCALES})
    return {"css": CSS, "i18n": texts, "footer_links": [], "run_history": False}


def create_chain(settings: Settings) -> AnswerChain:
    """Load (or on first start build) the index and the answer chain."""
    quiet_libraries(settings)
    started = time.perf_counter()
    index = ensure_index(settings, progress=True)
    logger.info("index ready in %.1f s", time.perf_counter() - started)
    return build_chain(index, settings=settings)


def _link_target(href: str) -> tuple[str, str]:
    query = parse_qs(urlsplit(href or "").query)
    return query.get("doc", [""])[0], query.get("clause", [""])[0]


def build_app(settings: Settings, chain: AnswerChain) -> gr.Blocks:
    """The page: 问答, 文件库, and where a staff password is set, 工作人员登录 and (after sign-in) 管理."""
    holder = web_staff.ChainHolder(chain, lambda: build_chain(load_index(settings), settings=settings))
    desk = web_staff.StaffDesk(settings, holder)
    feedback_store = FeedbackStore.for_settings(settings)
    staff_enabled = bool(settings.admin_password.get_secret_value())

    def library():
        return holder.chain.library

    with gr.Blocks(title="政策问答助手", fill_width=True) as app:
        gr.HTML(
            '<div id="page-head"><h1>政策问答助手</h1><span class="tagline">依据政策文件原文回答，注明文件、文号和条款出处；'
            "文件没有规定的，会直接告诉您。</span></div>",
            padding=False,
        )
        stored = gr.BrowserState([], storage_key=STORAGE_KEY, secret=STORAGE_SECRET)
        answers = gr.State({})
        pending = gr.State("")
        signed_in = gr.State(False)
        link = gr.Textbox(visible=False)

        with gr.Tabs(elem_id="tabs") as tabs:
            with gr.Tab("问答", id="chat-tab", elem_id="chat-tab"):
                with gr.Row(elem_id="chat-controls"):
                    audience = gr.Dropdown(
                        web_chat.AUDIENCE_CHOICES,
                        value="居民",
                        show_label=False,
                        container=False,
                        elem_id="audience",
                        scale=2,
                        min_width=100,
                    )
                    scope = gr.Dropdown(
                        web_library.document_choices(library()),
                        value=web_library.ALL_DOCUMENTS,
                        show_label=False,
                        container=False,
                        elem_id="scope",
                        scale=3,
                        min_width=120,
                    )
                    new_chat = gr.Button("新对话", elem_id="new-chat", size="sm", scale=0, min_width=64)
                chatbot = gr.Chatbot(
                    show_label=False,
                    elem_id="chat",
                    height="var(--chat-height)",
                    buttons=[],
                    sanitize_html=True,
                    render_markdown=False,
                    group_consecutive_messages=False,
                    placeholder="您好！请问您想了解哪方面的政策？可以点下面的例子，或直接输入问题。",
                    examples=[{"text": q} for q in web_chat.STARTERS],
                )
                with gr.Row(elem_id="ask-row"):
                    question = gr.Textbox(
                        label="问题",
                        show_label=False,
                        container=False,
                        elem_id="q",
                        scale=8,
                        lines=1,
                        max_lines=4,
                        placeholder="请输入问题，例如：成立社会团体需要具备哪些条件？",
                    )
                    send = gr.Button("提问", variant="primary", elem_id="send", scale=0, min_width=72)
                hint = gr.HTML("", elem_id="hint", padding=False)
                ask_suggestion = gr.Button("追问", elem_id="ask-suggestion", visible="hidden")
                open_link = gr.Button("打开", elem_id="open-link", visible="hidden")

            with gr.Tab("文件库", id="library-tab", elem_id="library-tab"):
                with gr.Row():
                    clause_search = gr.Textbox(
                        label="在全部文件中查找条款",
                        placeholder="关键词或条款号，如：备案、社团条例第十条、二(二)3",
                        elem_id="clause-search",
                        scale=3,
                        min_width=200,
                    )
                with gr.Row():
                    doc_filter = gr.Textbox(
                        label="筛选文件",
                        placeholder="标题、文号或发布机关",
                        elem_id="doc-filter",
                        scale=3,
                        min_width=160,
                    )
                    status_filter = gr.Dropdown(
                        web_library.STATUS_FILTERS,
                        value="全部",
                        label="效力状态",
                        elem_id="status-filter",
                        scale=1,
                        min_width=120,
                    )
                results = gr.HTML("", elem_id="search-results")
                with gr.Row(equal_height=False):
                    with gr.Column(scale=2, min_width=300):
                        doc_list = gr.HTML(web_library.document_list_html(library()), elem_id="doc-list")
                    with gr.Column(scale=3, min_width=300):
                        doc_view = gr.HTML(web_library.document_html(None), elem_id="doc-view")

            if staff_enabled:
                with gr.Tab("工作人员登录", id="signin-tab", elem_id="signin-tab"):
                    password = gr.Textbox(label="管理密码", type="password", elem_id="admin-password", max_lines=1)
                    sign_in = gr.Button("登录", variant="primary", elem_id="sign-in")
                    signin_message = gr.Markdown("", elem_id="signin-message")
                with gr.Tab("管理", id="admin-tab", elem_id="admin-tab", visible=False) as admin_tab:
                    gr.Markdown(STAFF_GUIDE, elem_classes="staff-note")
                    files = gr.File(
                        label="选择要加入或替换的文件",
                        file_count="multiple",
                        file_types=list(SUPPORTED_SUFFIXES),
                        elem_id="upload-files",
                    )
                    upload = gr.Button("上传并加入文件库", variant="primary", elem_id="upload")
                    admin_status = gr.Markdown("", elem_id="admin-status")
                    with gr.Row():
                        doomed = gr.Dropdown(
                            web_library.document_choices(library())[1:],
                            label="选择要删除的文件",
                            elem_id="remove-doc",
                            scale=3,
                            value=None,
                        )
                        remove = gr.Button("删除所选文件", variant="stop", elem_id="remove", scale=1)
                    sign_out = gr.Button("退出登录", elem_id="sign-out", size="sm")

        # Conversation ---------------------------------------------------------------------------

        def start(text: str, messages: list):
            text = (text or "").strip()
            if not text:
                return gr.update(), "", f'<div class="quiet-hint">{web_chat.EMPTY_HINT}</div>', gr.update()
            messages = list(messages or []) + [
                {"role": "user", "content": web_chat.question_html(text)},
                {"role": "assistant", "content": web_chat.TYPING_HTML},
            ]
            return messages, text, "", ""

        def respond(text: str, audience_label: str, doc: str, messages: list, conversation: list, given: dict):
            if not text:
                return gr.update(), gr.update(), gr.update()
            messages, conversation, given = list(messages or []), list(conversation or []), dict(given or {})
            current = holder.chain
            try:
                answer = current.ask(text, audience_label, history=web_chat.history_of(conversation), doc=doc or None)
                if answer.kind != "error":
                    answer.suggestions = suggest(answer, current.library)
                content = web_chat.answer_html(answer)
            except Exception:  # the page's edge: the visitor gets a sentence, the log the traceback
                logger.exception("answering %r failed", text[:50])
                answer, content = None, f'<div class="answer-text hint">{INTERNAL_ERROR}</div>'
            messages[-1] = {"role": "assistant", "content": content}
            if answer is not None and answer.kind != "error":
                conversation = (conversation + [web_chat.exchange(answer, current.turn(answer))])[
                    -web_chat.KEPT_EXCHANGES :
                ]
                given[len(messages) - 1] = answer.to_dict()
            return messages, conversation, given

        ask_inputs = [pending, audience, scope, chatbot, stored, answers]
        ask_outputs = [chatbot, stored, answers]
        answer_options = {
            "api_visibility": "private",
            "concurrency_limit": settings.workers,
            "concurrency_id": "answer",
        }
        for trigger in (question.submit, send.click):
            trigger(start, [question, chatbot], [chatbot, pending, hint, question], api_visibility="private").then(
                respond, ask_inputs, ask_outputs, show_progress="hidden", **answer_options
            )
        ask_suggestion.click(
            start,
            [question, chatbot],
            [chatbot, pending, hint, question],
            js="(text, messages) => [window.__policySuggestion || '', messages]",
            api_visibility="private",
        ).then(respond, ask_inputs, ask_outputs, show_progress="hidden", **answer_options)

        def pick_example(messages: list, data: gr.SelectData):
            value = data.value.get("text", "") if isinstance(data.value, dict) else str(data.value or "")
            return start(value, messages)

        chatbot.example_select(
            pick_example, [chatbot], [chatbot, pending, hint, question], api_visibility="private"
        ).then(respond, ask_inputs, ask_outputs, show_progress="hidden", **answer_options)

        def clear():
            return [], [], {}, "", ""

        new_chat.click(clear, None, [chatbot, stored, answers, hint, question], api_visibility="private")

        def feedback(given: dict, data: gr.LikeData, request: gr.Request):
            index = data.index[0] if isinstance(data.index, (list, tuple)) else data.index
            record = (given or {}).get(index) or (given or {}).get(str(index))
            if not record:
                gr.Info("只能评价本次打开页面后得到的回答。", title="提示")
                return
            vote = feedback_store.add(
                web_chat.answer_from_dict(record),
                liked=bool(data.liked),
                session=request.session_hash or "",
            )  # the answer is identified by its question and text, not its place in the chat (新对话 reuses places)
            gr.Info(vote.message, title="提示")

        chatbot.like(feedback, [answers], None, api_visibility="private")

        # Library --------------------------------------------------------------------------------

        def open_target(href: str, filter_text: str, status: str):
            doc_id, clause_id = _link_target(href)
            doc = library().by_id.get(doc_id)
            return (
                gr.Tabs(selected="library-tab"),
                web_library.document_html(doc, clause_id),
                web_library.document_list_html(library(), text=filter_text, status=status, selected=doc_id),
            )

        open_link.click(
            open_target,
            [link, doc_filter, status_filter],
            [tabs, doc_view, doc_list],
            js="(href, text, status) => [window.__policyLink || '', text, status]",
            api_visibility="private",
        ).then(None, js=SCROLL_TO_CLAUSE_JS)

        def filter_documents(text: str, status: str):
            return web_library.document_list_html(library(), text=text, status=status)

        for trigger in (doc_filter.change, status_filter.change):
            trigger(
                filter_documents,
                [doc_filter, status_filter],
                [doc_list],
                api_visibility="private",
                show_progress="hidden",
            )

        def find_clauses(query: str):
            return web_library.search_html(query, web_library.search_library(library(), query))

        clause_search.submit(find_clauses, [clause_search], [results], api_visibility="private")
        clause_search.change(find_clauses, [clause_search], [results], api_visibility="private", show_progress="hidden")

        # On load: the stored conversation, and a library link opened in a new tab ----------------

        def on_load(conversation: Any, request: gr.Request):
            """The stored conversation, the library as it is now (staff may have changed it), and a
            library link opened in a new tab."""
            messages, kept = web_chat.restore(conversation, library())
            doc_id, clause_id = _link_target("?" + str(request.query_params) if request else "")
            doc = library().by_id.get(doc_id)
            return (
                messages,
                kept,
                gr.Tabs(selected="library-tab") if doc else gr.Tabs(),
                web_library.document_html(doc, clause_id),
                web_library.document_list_html(library(), selected=doc_id),
                gr.Dropdown(choices=web_library.document_choices(library())),
            )

        app.load(on_load, [stored], [chatbot, stored, tabs, doc_view, doc_list, scope], api_visibility="private").then(
            None, js=PAGE_JS
        )

        # Staff ----------------------------------------------------------------------------------

        if staff_enabled:

            def do_sign_in(given: str):
                if web_staff.password_matches(given, settings):
                    logger.info("staff signed in")
                    choices = gr.Dropdown(choices=web_library.document_choices(library())[1:], value=None)
                    form = gr.Textbox(value="", visible=False), gr.Button(visible=False)
                    return True, gr.Tab(visible=True), gr.Tabs(selected="admin-tab"), SIGNED_IN, *form, choices
                time.sleep(SIGN_IN_DELAY_S)
                return False, gr.Tab(), gr.Tabs(), "密码不正确，请重试。", "", gr.Button(), gr.Dropdown()

            for trigger in (sign_in.click, password.submit):
                trigger(
                    do_sign_in,
                    [password],
                    [signed_in, admin_tab, tabs, signin_message, password, sign_in, doomed],
                    api_visibility="private",
                    js=STAFF_COOKIE_JS,
                )

            def do_sign_out():
                form = gr.Textbox(visible=True), gr.Button(visible=True)
                return False, gr.Tab(visible=False), gr.Tabs(selected="chat-tab"), "已退出登录。", *form

            sign_out.click(
                do_sign_out,
                None,
                [signed_in, admin_tab, tabs, signin_message, password, sign_in],
                api_visibility="private",
                js=STAFF_SIGN_OUT_JS,
            )

            def refreshed(message: str):
                choices = web_library.document_choices(library())
                return (
                    message,
                    gr.Dropdown(choices=choices[1:], value=None),
                    gr.Dropdown(choices=choices),
                    web_library.document_list_html(library()),
                )

            staff_outputs = [admin_status, doomed, scope, doc_list]
            staff_event = {"api_visibility": "private", "concurrency_limit": 1, "concurrency_id": "staff"}

            def staff_change(change, is_staff: bool, failed: str):
                """Run one staff change; the signed-in state is checked here, on the server, every time."""
                if not is_staff:
                    raise gr.Error(web_staff.NOT_SIGNED_IN, title="需要登录")
                try:
                    return refreshed(change().message)
                except AssistantError as error:
                    return refreshed(f"{failed}：{error}")

            def do_upload(paths: list[str] | None, is_staff: bool, progress=gr.Progress()):  # noqa: B008 (Gradio's way)
                def add():
                    return desk.add(list(paths or []), signed_in=is_staff, progress=lambda f, d: progress(f, desc=d))

                return staff_change(add, is_staff, "上传失败")

            def do_remove(doc_id: str | None, is_staff: bool):
                return staff_change(lambda: desk.remove(doc_id or "", signed_in=is_staff), is_staff, "删除失败")

            upload.click(do_upload, [files, signed_in], staff_outputs, **staff_event)
            remove.click(do_remove, [doomed, signed_in], staff_outputs, **staff_event)

        def api_ask(question: str, audience: str = "居民", doc: str = "") -> dict:
            """Ask one question; returns the answer JSON (found, kind, error, citations, suggestions)."""
            current = holder.chain
            answer = current.ask(question, audience, doc=doc or None)
            if answer.kind != "error":
                answer.suggestions = suggest(answer, current.library)
            return answer.to_json()

        gr.api(api_ask, api_name="ask", concurrency_limit=settings.workers, concurrency_id="answer")
    return app


def launch(settings: Settings, host: str | None = None, port: int | None = None, **kwargs):
    """Serve the page: through ``assistant.server`` (sign-in, bind checks, upload limits) where it exists."""
    if importlib.util.find_spec("assistant.server") is None:
        app = build_app(settings, create_chain(settings))
        return app.launch(
            server_name=host or settings.host, server_port=port or settings.port, **launch_options(), **kwargs
        )
    from assistant.server import launch as serve

    return serve(settings, host=host, port=port, **kwargs)


if __name__ == "__main__":
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    launch(Settings.from_env())
