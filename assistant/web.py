"""What the web page shows, as plain Python (no Gradio here): answer messages and source cards as
escaped HTML, the clause browser, feedback. ``ui.py`` wires these into a Gradio app.

Every piece of document text and user input passes through ``html.escape`` before it is shown:
a ``<script>`` in a question or a clause is displayed, never run.
"""

from __future__ import annotations

import html
import re
import threading
import unicodedata

from assistant.answering import AnswerChain
from assistant.errors import AssistantError
from assistant.feedback import FeedbackStore
from assistant.indexing import PolicyIndex
from assistant.questions import question_terms
from assistant.references import find_reference
from assistant.text import normalize
from assistant.types import Answer, Citation, PolicyDocument

INCOMPLETE_HTML = '<div class="incomplete">注意：来源文本在此条中断，内容不完整。</div>'
AUDIENCE_LABELS = {"居民": "resident", "新社工": "onboarding", "工作人员": "staff"}
EXAMPLES = {
    "登记": ["哪些社会组织申请成立登记可以降低门槛？", "我们想组个合唱队，还不够登记条件，怎么办？"],
    "备案": ["草根型社区社会组织可以备案吗？", "对尚不具备登记条件的社区社会组织怎么管理？"],
    "购买服务": ["政府购买服务的范围包括哪些？", "社区购买服务的经费从哪里来？", "二(二)3 原文"],
    "其他": ["三社联动的指导思想是什么？", "这份文件还有效吗？", "文号是多少？"],
}


def _highlight(text: str, terms: list[str]) -> str:
    """Escaped text with each occurrence of the terms wrapped in <mark>."""
    marks = [False] * len(text)
    folded = unicodedata.normalize("NFKC", text).lower()
    if len(folded) != len(text):
        folded = text.lower()
    for term in sorted({t for t in terms if t}, key=len, reverse=True):
        for match in re.finditer(re.escape(term), folded):
            for i in range(match.start(), match.end()):
                marks[i] = True
    pieces, i = [], 0
    while i < len(text):
        j = i
        while j < len(text) and marks[j] == marks[i]:
            j += 1
        chunk = html.escape(text[i:j])
        pieces.append(f"<mark>{chunk}</mark>" if marks[i] else chunk)
        i = j
    return "".join(pieces)


def _lines(text: str) -> str:
    return "<br>".join(html.escape(line) for line in text.split("\n"))


def source_card(citation: Citation, terms: list[str]) -> str:
    number = f" · {html.escape(citation.doc_number)}" if citation.doc_number else ""
    quote = citation.quote or citation.text
    notice = INCOMPLETE_HTML if citation.incomplete else ""
    return (
        f'<div class="source-card">'
        f'<div class="card-title">《{html.escape(citation.doc_title)}》{number}</div>'
        f'<div class="card-clause"><b>{html.escape(citation.clause)}</b> {html.escape(citation.heading)}</div>'
        f'<blockquote class="card-quote">{_highlight(quote, terms)}</blockquote>'
        f"<details><summary>查看完整条款</summary>"
        f'<div class="card-full">{_lines(citation.text)}</div></details>{notice}</div>'
    )


def answer_html(answer: Answer) -> str:
    """The assistant's chat message: the answer text, then one card per quoted clause. One HTML block."""
    terms = [form for term in question_terms(answer.question) for form in term.forms] if answer.found else []
    quoted = [c for c in answer.citations if c.quote]
    related = [c for c in answer.citations if not c.quote]
    parts = [f'<div class="answer-text">{_lines(answer.answer)}</div>']
    parts += [source_card(c, terms) for c in quoted]
    if related:
        listing = "；".join(f"{html.escape(c.clause)} {html.escape(c.heading)}" for c in related)
        parts.append(f'<div class="related">相关条款：{listing}</div>')
    return "".join(parts)


def document_info(doc: PolicyDocument) -> str:
    rows = [
        ("标题", doc.title),
        ("文号", doc.doc_number or "（未载明）"),
        ("发文机关", doc.issuer or "（未载明）"),
        ("主送", "、".join(doc.addressees) or "（未载明）"),
        (
            "有效性",
            doc.validity + (f"（依据《{doc.validity_source}》）" if doc.validity_source else "") or "（未载明）",
        ),
        ("来源完整性", "不完整：原文在末尾中断" if doc.incomplete else "完整"),
    ]
    body = "".join(f"<tr><th>{html.escape(k)}</th><td>{html.escape(v)}</td></tr>" for k, v in rows)
    return f'<table class="doc-info">{body}</table>'


def clause_label(clause_id: str, heading: str, level: int) -> str:
    return f"{'　' * (level - 1)}{clause_id} {heading}".rstrip()


def clause_id_of(label: str) -> str:
    return label.strip().split(" ", 1)[0] if label else ""


class WebApp:
    """The page's behaviour, independent of Gradio so it can be tested directly."""

    def __init__(self, chain: AnswerChain, index: PolicyIndex, feedback: FeedbackStore) -> None:
        self.chain = chain
        self.index = index
        self.feedback = feedback
        self._lock = threading.Lock()  # Gradio handlers run in threads; the embedding engine is not shared safely

    def ask(self, question: str, audience_label: str = "居民") -> Answer:
        with self._lock:
            return self.chain.ask(question, AUDIENCE_LABELS.get(audience_label, "resident"))

    def respond(self, question: str, audience_label: str, history: list[dict], turns: dict) -> tuple[list, dict]:
        """Append the question and its answer to the chat; raises AssistantError on a bad question."""
        answer = self.ask(question, audience_label)
        history = list(history or []) + [
            {"role": "user", "content": html.escape(answer.question)},
            {"role": "assistant", "content": answer_html(answer)},
        ]
        turns = dict(turns or {})
        turns[len(history) - 1] = answer.to_dict()
        return history, turns

    def record_feedback(self, turns: dict, message_index: int, liked: bool) -> bool:
        """Store 👍/👎 for the answer at that chat position; False when there is none."""
        record = (turns or {}).get(message_index) or (turns or {}).get(str(message_index))
        if not record:
            return False
        answer = Answer(**{**record, "citations": [Citation(**c) for c in record["citations"]]})
        self.feedback.add(answer, liked=liked)
        return True

    # Clause browser ---------------------------------------------------------------------------

    def documents(self) -> list[tuple[str, str]]:
        return [(d.title, d.doc_id) for d in self.index.documents]

    def document_info_html(self, doc_id: str) -> str:
        return document_info(self.document(doc_id))

    def document(self, doc_id: str) -> PolicyDocument:
        return self.index.document_by_id.get(doc_id) or self.index.documents[0]

    def clause_labels(self, doc_id: str, query: str = "") -> list[str]:
        """The clause tree as indented labels; with a query, only the clauses it finds."""
        doc = self.document(doc_id)
        wanted = self.search(doc, query) if query.strip() else None
        return [
            clause_label(c.id, c.heading, c.level) for _, c in doc.iter_clauses() if wanted is None or c.id in wanted
        ]

    def search(self, doc: PolicyDocument, query: str) -> list[str]:
        """Clause ids by clause reference (二(二)3) or, failing that, by keyword."""
        if reference := find_reference(query):
            matches = self.chain.resolve(reference, query)
            ids = [c.id for d, c in matches if d.doc_id == doc.doc_id]
            if ids:
                return ids
        needles = [normalize(word) for word in query.split()]
        return [c.id for _, c in doc.iter_clauses() if needles and all(n in normalize(c.text) for n in needles)]

    def clause_html(self, doc_id: str, label: str) -> str:
        doc = self.document(doc_id)
        clause = doc.clause(clause_id_of(label))
        if clause is None:
            return '<div class="clause-view">请选择左侧的条款。</div>'
        path = " > ".join(doc.heading_path(clause.id))
        notice = INCOMPLETE_HTML if clause.incomplete else ""
        return (
            f'<div class="clause-view"><div class="card-clause"><b>{html.escape(clause.id)}</b> '
            f"{html.escape(path)}</div><div>{_lines(clause.full_text())}</div>{notice}</div>"
        )


def ensure_question(question: str) -> str:
    """The UI's check before it disables the input: a kind message for an empty question."""
    if not (question or "").strip():
        raise AssistantError("请先输入问题，例如：社区社会组织达不到登记条件怎么办？")
    return question
