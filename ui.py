"""The Gradio app: a chat for residents, new social workers and staff, and a clause browser.

Thin: the behaviour lives in ``assistant.web``. Start with ``python ui.py`` or ``assistant serve``.
"""

from __future__ import annotations

import logging
import os
import time

os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")

import gradio as gr  # noqa: E402

from assistant.answering import build_chain  # noqa: E402
from assistant.errors import AssistantError  # noqa: E402
from assistant.feedback import FeedbackStore  # noqa: E402
from assistant.indexing import ensure_index  # noqa: E402
from assistant.settings import Settings, quiet_libraries  # noqa: E402
from assistant.web import AUDIENCE_LABELS, EXAMPLES, WebApp, ensure_question  # noqa: E402

logger = logging.getLogger(__name__)

CSS = """
.source-card {border: 1px solid #d0d7de; border-radius: 8px; padding: 8px 12px; margin-top: 10px; background: #f8fafc;}
.card-title {font-size: 0.9em; color: #57606a;}
.card-quote {margin: 6px 0; padding-left: 10px; border-left: 3px solid #2f81f7;}
.incomplete {color: #b35900; font-size: 0.9em;}
.related {margin-top: 8px; font-size: 0.9em; color: #57606a;}
.doc-info th {text-align: left; padding-right: 12px; white-space: nowrap;}
mark {background: #fff3b0;}
"""


def build_app(web: WebApp) -> gr.Blocks:
    first_doc = web.documents()[0][1]
    with gr.Blocks(title="政策问答助手") as app:
        gr.Markdown("## 政策问答助手\n依据政策文件原文回答，并注明文件、文号和条款出处。文件没有规定的，会直接告诉您。")
        with gr.Tab("问答"):
            audience = gr.Radio(list(AUDIENCE_LABELS), value="居民", label="我是", elem_id="audience")
            chatbot = gr.Chatbot(label="对话", height=520, elem_id="chat", sanitize_html=True)
            turns = gr.State({})
            with gr.Row():
                question = gr.Textbox(
                    placeholder="请输入问题，例如：我们想组个合唱队，还不够登记条件，怎么办？",
                    show_label=False,
                    elem_id="q",
                    scale=8,
                    max_length=500,
                )
                send = gr.Button("提问", variant="primary", elem_id="send", scale=1)
            gr.Markdown("**示例问题**（点击填入）")
            with gr.Row():
                for topic, questions in EXAMPLES.items():
                    with gr.Column(min_width=200):
                        gr.Examples([[q] for q in questions], inputs=[question], label=topic)

            def check(text):
                try:
                    ensure_question(text)
                except AssistantError as error:
                    raise gr.Error(str(error), title="请输入问题") from None
                return gr.update(interactive=False), gr.update(interactive=False)

            def respond(text, audience_label, history, state):
                try:
                    history, state = web.respond(text, audience_label, history, state)
                except AssistantError as error:
                    gr.Warning(str(error))
                    return history, state, text
                return history, state, ""

            def unlock():
                return gr.update(interactive=True), gr.update(interactive=True)

            for trigger in (question.submit, send.click):
                trigger(check, [question], [question, send], api_visibility="private").success(
                    respond, [question, audience, chatbot, turns], [chatbot, turns, question], api_visibility="private"
                ).then(unlock, None, [question, send], api_visibility="private")

            def feedback(state, data: gr.LikeData):
                index = data.index[0] if isinstance(data.index, (list, tuple)) else data.index
                if web.record_feedback(state, index, bool(data.liked)):
                    gr.Info("谢谢您的反馈！")

            chatbot.like(feedback, [turns], None, api_visibility="private")

        with gr.Tab("条款浏览", elem_id="browser-tab"):
            with gr.Row():
                document = gr.Dropdown(web.documents(), value=first_doc, label="文件", elem_id="doc", scale=3)
                search = gr.Textbox(label="查找条款（关键词或条款号，如 二(二)3）", elem_id="clause-search", scale=2)
            info = gr.HTML(web.document_info_html(first_doc), elem_id="doc-info")
            with gr.Row():
                clauses = gr.Radio(web.clause_labels(first_doc), label="条款", elem_id="clauses", scale=1)
                clause_view = gr.HTML(web.clause_html(first_doc, ""), elem_id="clause-view")

            def pick_document(doc_id):
                return web.document_info_html(doc_id), gr.update(choices=web.clause_labels(doc_id), value=None), ""

            def find(doc_id, query):
                labels = web.clause_labels(doc_id, query)
                first = labels[0] if len(labels) == 1 else None
                return gr.update(choices=labels, value=first), web.clause_html(doc_id, first or "")

            document.change(pick_document, [document], [info, clauses, search], api_visibility="private")
            search.submit(find, [document, search], [clauses, clause_view], api_visibility="private")
            search.change(find, [document, search], [clauses, clause_view], api_visibility="private")
            clauses.change(web.clause_html, [document, clauses], [clause_view], api_visibility="private")

        def api_ask(question: str, audience: str = "居民") -> dict:
            """Ask a question; returns the answer, found and citations (the CLI's --json shape)."""
            try:
                return web.ask(question, audience).to_json()
            except AssistantError as error:
                return {"question": question, "error": str(error)}

        gr.api(api_ask, api_name="ask")
    return app


def create_web(settings: Settings) -> WebApp:
    """Load (or on first start build) the index and wire the page's behaviour."""
    quiet_libraries(settings)
    started = time.perf_counter()
    index = ensure_index(settings, progress=True)
    logger.info("index ready in %.1f s", time.perf_counter() - started)
    return WebApp(build_chain(index, settings=settings), index, FeedbackStore(settings.data_dir / "feedback.sqlite3"))


def launch(settings: Settings, host: str | None = None, port: int | None = None, **kwargs):
    app = build_app(create_web(settings))
    return app.launch(server_name=host or settings.host, server_port=port or settings.port, css=CSS, **kwargs)


if __name__ == "__main__":
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    launch(Settings.from_env())
