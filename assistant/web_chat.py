"""The chat as the page shows it: each question and answer as HTML (answer text, source cards, related
clauses, next questions, the copy text), and the conversation the browser keeps and sends back.

What the browser sends back is the visitor's to change: a restored record is checked field by field
and dropped when malformed, and shown only through the escaping of ``assistant.web``.
"""

from __future__ import annotations

import html
import re
from dataclasses import asdict
from typing import Any

from assistant.library import Library
from assistant.messages import FOLLOW_UP
from assistant.presentation import AUDIENCE_LABELS, citation_block, incomplete_notice, plain_text, version_notice
from assistant.questions import question_terms
from assistant.types import Answer, Citation, Turn
from assistant.web import clause_link, highlight_html, lines_html

AUDIENCE_CHOICES = [(f"我是{label}", label) for label in AUDIENCE_LABELS]
STARTERS = [
    "成立社会团体需要具备哪些条件？",
    "草根型社区社会组织可以备案吗？",
    "志愿者可以要求出具志愿服务记录证明吗？",
    "慈善组织公开募捐需要什么资格？",
]
HISTORY_TURNS = 6
"""How many earlier exchanges a follow-up is read against."""
KEPT_EXCHANGES = 40
"""How many exchanges the browser keeps; older ones are dropped from the stored conversation."""
EMPTY_HINT = "请先输入问题，例如：成立社会团体需要具备哪些条件？"


def display_text(answer: Answer) -> str:
    """The answer text as the chat shows it: each quoted clause's block (quote and source line) is
    left to its source card, so the quote is not shown twice."""
    text = answer.answer
    for citation in answer.citations:
        if citation.quote:
            text = text.replace(citation_block(citation, answer.audience), "")
    return re.sub(r"\n{3,}", "\n\n", text).strip()


def source_card(citation: Citation, terms: list[str], *, quoted_in_text: bool) -> str:
    """One cited clause: document and reference as a link into the library, the quote (unless the
    answer text already shows it), the whole clause behind 查看完整条款, and notices."""
    number = f" · {html.escape(citation.doc_number)}" if citation.doc_number else ""
    where = html.escape(citation.reference or citation.clause)
    heading = f" {html.escape(citation.heading)}" if citation.heading and citation.heading != citation.clause else ""
    link = clause_link(citation.doc_id, citation.clause)
    quote = (
        ""
        if quoted_in_text or not citation.quote
        else (f'<blockquote class="card-quote">{highlight_html(citation.quote, terms)}</blockquote>')
    )
    notices = [version_notice(citation), incomplete_notice(citation) if citation.incomplete else ""]
    notice = "".join(f'<div class="card-notice">{html.escape(n)}</div>' for n in notices if n)
    return (
        f'<div class="source-card">'
        f'<div class="card-title"><a class="cite" href="{html.escape(link)}" title="在文件库中打开这一条">'
        f"《{html.escape(citation.doc_title)}》{where}</a>{number}{heading}</div>"
        f"{quote}<details><summary>查看完整条款</summary>"
        f'<div class="card-full">{lines_html(citation.text)}</div></details>{notice}</div>'
    )


def answer_html(answer: Answer) -> str:
    """The assistant's chat message: the answer text, source cards, related clauses, suggested next
    questions and a copy button whose text (``plain_text``) travels hidden in the message."""
    if answer.kind == "error":
        return f'<div class="answer-text hint">{lines_html(answer.error or answer.answer)}</div>'
    terms = [form for term in question_terms(answer.question) for form in term.forms] if answer.found else []
    text = display_text(answer)
    follow = ""
    if answer.context and (match := _FOLLOW_UP.search(text)):
        text = text.replace(match.group(0), "").strip()
        follow = f'<div class="follow-up">{html.escape(match.group(0).strip("（）"))}</div>'
    parts = [follow, f'<div class="answer-text">{lines_html(text)}</div>']
    parts += [
        source_card(c, terms, quoted_in_text=bool(c.quote and c.quote in text)) for c in answer.citations if c.quote
    ]
    uncited = [c for c in answer.citations if not c.quote] + answer.related
    if uncited:
        header = "可能相关的规定（供参考）：" if answer.related else "相关条款："
        links = "".join(
            f'<li><a class="cite" href="{html.escape(clause_link(c.doc_id, c.clause))}">'
            f"《{html.escape(c.short_title or c.doc_title)}》{html.escape(c.reference or c.clause)}</a>"
            f"{' ' + html.escape(c.heading) if c.heading and c.heading != c.clause else ''}</li>"
            for c in uncited
        )
        parts.append(f'<div class="related">{header}<ul>{links}</ul></div>')
    if answer.suggestions:
        chips = "".join(f'<a class="suggestion" href="#">{html.escape(q)}</a>' for q in answer.suggestions)
        parts.append(f'<div class="suggestions"><span class="suggestions-label">接着问：</span>{chips}</div>')
    parts.append(
        '<div class="answer-tools"><a class="copy-answer" href="#" title="复制回答和出处（纯文本）">复制</a></div>'
        f'<div class="plain-text">{html.escape(plain_text(answer))}</div>'
    )
    return "".join(parts)


_FOLLOW_UP = re.compile(".*?".join(re.escape(part) for part in FOLLOW_UP.split("{question}")))
"""The note a follow-up's answer ends with; the page shows it above the answer."""


def question_html(question: str) -> str:
    return f'<div class="question-text">{html.escape(question)}</div>'


TYPING_HTML = '<div class="typing" aria-label="正在回答">正在查阅政策文件<i></i><i></i><i></i></div>'


# The conversation kept in the browser ------------------------------------------------------------


def exchange(answer: Answer, turn: Turn) -> dict[str, Any]:
    """One question and answer as the browser stores it (the page's local storage)."""
    return {"answer": answer.to_dict(), "turn": asdict(turn)}


def answer_from_dict(data: dict[str, Any]) -> Answer:
    """An answer read back from the browser; raises TypeError on a missing or unknown field."""
    citations = [Citation(**c) for c in data.get("citations", [])]
    related = [Citation(**c) for c in data.get("related", [])]
    return Answer(**{**data, "citations": citations, "related": related})


def _turn(data: Any) -> Turn:
    turn = Turn(**data)
    if not all(isinstance(getattr(turn, name), str) for name in ("question", "answer", "doc_id", "topic")):
        raise TypeError("a turn's fields are text")
    return turn


def restore(stored: Any, library: Library) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """The chat messages and valid exchanges of a stored conversation; anything malformed is dropped
    (the browser's copy is the visitor's to change), and a document no longer indexed is forgotten."""
    messages: list[dict[str, Any]] = []
    kept: list[dict[str, Any]] = []
    for record in stored[-KEPT_EXCHANGES:] if isinstance(stored, list) else []:
        try:
            answer = answer_from_dict(record["answer"])
            turn = _turn(record["turn"])
            shown = [question_html(answer.question), answer_html(answer)]
        except (KeyError, TypeError, ValueError, AttributeError):
            continue
        if turn.doc_id and turn.doc_id not in library.by_id:
            turn.doc_id = ""
        kept.append(exchange(answer, turn))
        messages += [{"role": "user", "content": shown[0]}, {"role": "assistant", "content": shown[1]}]
    return messages, kept


def history_of(stored: Any) -> list[Turn]:
    """The turns the next question is read against (malformed records, sent by the browser, skipped)."""
    turns = []
    for record in stored[-HISTORY_TURNS:] if isinstance(stored, list) else []:
        try:
            turns.append(_turn(record["turn"]))
        except (KeyError, TypeError):
            continue
    return turns
