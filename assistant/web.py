"""What the web page shows and does, as plain Python (no Gradio here): chat messages and source cards,
the conversation kept in the browser, the library view, and the staff desk that adds and removes
documents. ``ui.py`` wires these into a Gradio app.

Every piece of document text and user input passes through ``html.escape`` before it is shown:
a ``<script>`` in a question, a clause or a restored conversation is displayed, never run.
Links carry no script: a citation is ``?doc=…&clause=…`` (the page's own script opens it in the
library view; opened in a new tab, the page reads it from the address).
"""

from __future__ import annotations

import hmac
import html
import logging
import re
import shutil
import threading
import time
import unicodedata
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from assistant.citations import reference
from assistant.errors import AssistantError, DocumentError
from assistant.library import Library
from assistant.loaders import SUPPORTED_SUFFIXES
from assistant.messages import FOLLOW_UP, INCOMPLETE_NOTICE
from assistant.presentation import AUDIENCE_LABELS, citation_block, incomplete_notice, plain_text, version_notice
from assistant.questions import question_terms
from assistant.references import find_reference
from assistant.settings import Settings
from assistant.text import normalize
from assistant.types import Answer, Citation, Clause, PolicyDocument, Turn

logger = logging.getLogger(__name__)

AUDIENCE_CHOICES = [(f"我是{label}", label) for label in AUDIENCE_LABELS]
ALL_DOCUMENTS = ""
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
SEARCH_RESULTS = 30
"""Clauses listed at most for a library search."""
OUTLINE_SUMMARY_CHARS = 28
"""How much of an article's text the outline shows beside its number when it has no heading."""
INCOMPLETE = "来源不完整"
EMPTY_HINT = "请先输入问题，例如：成立社会团体需要具备哪些条件？"
NOT_SIGNED_IN = "请先以工作人员身份登录，再管理文件。"


# Chat messages -----------------------------------------------------------------------------------


def _lines(text: str) -> str:
    return "<br>".join(html.escape(line) for line in text.split("\n"))


def _highlight(text: str, terms: list[str]) -> str:
    """Escaped text with each occurrence of the terms wrapped in <mark>."""
    marks = [False] * len(text)
    folded = text.lower()
    for term in sorted({t.lower() for t in terms if t}, key=len, reverse=True):
        for match in re.finditer(re.escape(term), folded):
            marks[match.start() : match.end()] = [True] * (match.end() - match.start())
    pieces, i = [], 0
    while i < len(text):
        j = i
        while j < len(text) and marks[j] == marks[i]:
            j += 1
        chunk = _lines(text[i:j])
        pieces.append(f"<mark>{chunk}</mark>" if marks[i] else chunk)
        i = j
    return "".join(pieces)


def clause_link(doc_id: str, clause_id: str = "") -> str:
    """The page address that opens a clause (or a document) in the library view."""
    query = {"doc": doc_id, **({"clause": clause_id} if clause_id else {})}
    return "?" + urlencode(query)


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
        else (f'<blockquote class="card-quote">{_highlight(citation.quote, terms)}</blockquote>')
    )
    notices = [version_notice(citation), incomplete_notice(citation) if citation.incomplete else ""]
    notice = "".join(f'<div class="card-notice">{html.escape(n)}</div>' for n in notices if n)
    return (
        f'<div class="source-card">'
        f'<div class="card-title"><a class="cite" href="{html.escape(link)}" title="在文件库中打开这一条">'
        f"《{html.escape(citation.doc_title)}》{where}</a>{number}{heading}</div>"
        f"{quote}<details><summary>查看完整条款</summary>"
        f'<div class="card-full">{_lines(citation.text)}</div></details>{notice}</div>'
    )


def answer_html(answer: Answer) -> str:
    """The assistant's chat message: the answer text, source cards, related clauses, suggested next
    questions and a copy button whose text (``plain_text``) travels hidden in the message."""
    if answer.kind == "error":
        return f'<div class="answer-text hint">{_lines(answer.error or answer.answer)}</div>'
    terms = [form for term in question_terms(answer.question) for form in term.forms] if answer.found else []
    text = display_text(answer)
    follow = ""
    if answer.context and (match := _FOLLOW_UP.search(text)):
        text = text.replace(match.group(0), "").strip()
        follow = f'<div class="follow-up">{html.escape(match.group(0).strip("（）"))}</div>'
    parts = [follow, f'<div class="answer-text">{_lines(text)}</div>']
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


# The library view --------------------------------------------------------------------------------

STATUS_FILTERS = ["全部", "现行有效", "已被取代", INCOMPLETE]


def status_badges(doc: PolicyDocument) -> str:
    badges = [f'<span class="badge {"in-force" if doc.in_force else "superseded"}">{html.escape(doc.status)}</span>']
    if doc.incomplete:
        badges.append(f'<span class="badge incomplete">{INCOMPLETE}</span>')
    return "".join(badges)


def _matches_status(doc: PolicyDocument, status: str) -> bool:
    if status == INCOMPLETE:
        return doc.incomplete
    return status in ("", "全部") or doc.status == status


def document_list_html(library: Library, *, text: str = "", status: str = "全部", selected: str = "") -> str:
    """The documents as cards (title, number, kind, issuer, dates, status), filtered by status and by
    words in the title, number or issuer."""
    needle = normalize(text or "")
    status = status or "全部"
    docs = [
        d
        for d in library.documents
        if _matches_status(d, status)
        and (not needle or needle in normalize(" ".join((d.title, d.doc_number, d.issuer, *d.short_names))))
    ]
    if not docs:
        return '<div class="doc-list empty">没有符合条件的文件。</div>'
    items = []
    for d in docs:
        facts = [
            ("文号", d.doc_number),
            ("类型", d.kind),
            ("发布机关", d.issuer),
            ("发布日期", d.date),
            ("施行日期", d.effective),
        ]
        facts_html = "".join(
            f'<span class="fact"><span class="fact-name">{name}</span>{html.escape(value)}</span>'
            for name, value in facts
            if value
        )
        chosen = " selected" if d.doc_id == selected else ""
        items.append(
            f'<li class="doc-card{chosen}"><a class="open-doc" href="{html.escape(clause_link(d.doc_id))}">'
            f'{html.escape(d.title)}</a> {status_badges(d)}<div class="facts">{facts_html}</div></li>'
        )
    return f'<div class="doc-count">共 {len(docs)} 份文件</div><ul class="doc-list">{"".join(items)}</ul>'


def _outline(doc: PolicyDocument, clauses: list[Clause], selected: str, open_ids: set[str]) -> str:
    items = []
    for clause in clauses:
        cid = html.escape(clause.id)
        chosen = " selected" if clause.id == selected else ""
        own = f'<div class="clause-text">{_lines(clause.text)}</div>' if clause.text.strip() else ""
        notice = (
            f'<div class="card-notice">{html.escape(incomplete_notice_for(clause))}</div>' if clause.incomplete else ""
        )
        children = _outline(doc, clause.children, selected, open_ids) if clause.children else ""
        is_open = " open" if clause.id in open_ids else ""
        items.append(
            f'<li class="clause{chosen}" data-clause="{cid}"><details{is_open}><summary>'
            f'<a class="open-clause" href="{html.escape(clause_link(doc.doc_id, clause.id))}">'
            f"{html.escape(reference(doc, clause.id))}</a> {html.escape(_summary(clause))}</summary>"
            f"{own}{notice}{children}</details></li>"
        )
    return f'<ul class="outline">{"".join(items)}</ul>'


def _summary(clause: Clause, width: int = OUTLINE_SUMMARY_CHARS) -> str:
    """A clause's heading, or for an article without one (法律的条) the start of its text."""
    if clause.heading:
        return clause.heading
    text = clause.text.strip().removeprefix(clause.label).strip().replace("\n", " ")
    return text[:width] + ("…" if len(text) > width else "")


def incomplete_notice_for(clause: Clause) -> str:
    return INCOMPLETE_NOTICE.format(tail=clause.text.strip()[-8:])


def document_html(doc: PolicyDocument | None, selected: str = "") -> str:
    """One document: its facts, the selected clause in full, and the outline of its structure
    (章/条 or 一、/(一)), the selected clause's branch opened."""
    if doc is None:
        return '<div class="doc-view empty">请在上方选择一份文件，或点击回答中的出处。</div>'
    facts = [
        ("文号", doc.doc_number or "（未载明）"),
        ("类型", doc.kind or "（未载明）"),
        ("发布机关", doc.issuer or "（未载明）"),
        ("发布日期", doc.date or "（未载明）"),
        ("施行日期", doc.effective or "（未载明）"),
        ("效力", doc.status + (f"（已被《{doc.superseded_by}》取代）" if doc.superseded_by else "")),
    ]
    if doc.validity:
        facts.append(("有效期", doc.validity))
    if doc.incomplete:
        facts.append(("来源", "不完整：原文在末尾中断"))
    rows = "".join(f"<tr><th>{name}</th><td>{html.escape(value)}</td></tr>" for name, value in facts)
    focus = ""
    clause = doc.clause(selected) if selected else None
    if clause is not None:
        path = " > ".join(doc.heading_path(clause.id))
        focus = (
            f'<div class="clause-focus" id="clause-focus"><div class="focus-path">{html.escape(path)}</div>'
            f'<div class="focus-ref">《{html.escape(doc.title)}》{html.escape(reference(doc, clause.id))}</div>'
            f"<div>{_lines(clause.full_text())}</div></div>"
        )
    open_ids = {a.id for a in doc.ancestors(selected)} | ({selected} if clause else set())
    preamble = (
        f'<details class="preamble"><summary>前言</summary>{_lines(doc.preamble)}</details>'
        if doc.preamble.strip()
        else ""
    )
    return (
        f'<div class="doc-view"><h3 class="doc-title">{html.escape(doc.title)} {status_badges(doc)}</h3>'
        f'<table class="doc-facts">{rows}</table>{focus}<div class="outline-title">文件结构</div>'
        f"{preamble}{_outline(doc, doc.clauses, selected, open_ids)}</div>"
    )


def _reference_key(text: str) -> str:
    return unicodedata.normalize("NFKC", text).replace(" ", "").replace("（", "(").replace("）", ")")


def search_library(library: Library, query: str) -> list[tuple[PolicyDocument, Clause]]:
    """Clauses across the library: by clause reference (二(二)3, 第十条) where the query is one, else
    by all the words given (in the clause's text or heading). A document name in the query narrows it."""
    query = query or ""
    named = library.mentioned(query)
    words = query
    for doc in named:
        for name in library.names_of(doc.doc_id):
            words = normalize(words).replace(name, " ")
    docs = named or library.documents
    key = _reference_key(words)
    if key and find_reference(key):
        hits = [(d, c) for d in docs for _, c in d.iter_clauses() if _reference_key(c.id) == key]
        if hits:
            return hits[:SEARCH_RESULTS]
    needles = [normalize(word) for word in words.split() if normalize(word)]
    if not needles:
        return [(d, c) for d in named for c in d.clauses][:SEARCH_RESULTS]
    hits = [
        (d, c)
        for d in docs
        for _, c in d.iter_clauses()
        if all(n in normalize(c.text) or n in normalize(c.heading) for n in needles)
    ]
    return hits[:SEARCH_RESULTS]


def search_html(query: str, hits: list[tuple[PolicyDocument, Clause]]) -> str:
    query = query or ""
    if not query.strip():
        return ""
    if not hits:
        return f'<div class="search-results empty">文件库中没有找到“{html.escape(query)}”。</div>'
    terms = query.split()
    items = "".join(
        f'<li><a class="open-clause" href="{html.escape(clause_link(d.doc_id, c.id))}">'
        f"《{html.escape(d.short_title)}》{html.escape(reference(d, c.id))}</a> {html.escape(c.heading)}"
        f'<div class="snippet">{_highlight(_snippet(c.text, terms), terms)}</div></li>'
        for d, c in hits
    )
    more = f"（只列出前 {SEARCH_RESULTS} 条）" if len(hits) >= SEARCH_RESULTS else ""
    return f'<div class="search-results"><div class="doc-count">找到 {len(hits)} 条{more}</div><ul>{items}</ul></div>'


def _snippet(text: str, terms: list[str], width: int = 80) -> str:
    flat = text.replace("\n", " ")
    position = min((p for p in (flat.find(t) for t in terms) if p >= 0), default=0)
    start = max(0, position - width // 3)
    return ("…" if start else "") + flat[start : start + width] + ("…" if start + width < len(flat) else "")


def document_choices(library: Library) -> list[tuple[str, str]]:
    """The chat's document filter: all documents, or one (by its short title)."""
    return [("全部文件", ALL_DOCUMENTS)] + [
        (d.short_title + ("（已被取代）" if not d.in_force else ""), d.doc_id) for d in library.documents
    ]


# Staff ------------------------------------------------------------------------------------------


def password_matches(given: str, settings: Settings) -> bool:
    """The staff password, compared in constant time; always false when none is configured."""
    expected = settings.admin_password.get_secret_value()
    if not expected:
        return False
    return hmac.compare_digest((given or "").encode("utf-8"), expected.encode("utf-8"))


class ChainHolder:
    """The answer chain all page sessions share, swapped for a new one after staff change the library."""

    def __init__(self, chain: Any, build: Callable[[], Any]) -> None:
        self.chain = chain
        self._build = build

    def reload(self) -> None:
        self.chain = self._build()


@dataclass
class DeskResult:
    message: str
    ok: bool


class StaffDesk:
    """Adding, replacing and removing documents for signed-in staff.

    Uploaded files are copied into the corpus folder (so a later ``assistant ingest`` keeps them) and
    ingested on their own; a removed document's file is moved to ``data_dir/removed``. Every call
    checks ``signed_in`` again: the page's state, never something a visitor's request says.
    """

    def __init__(self, settings: Settings, holder: ChainHolder) -> None:
        self.settings = settings
        self.holder = holder
        self._lock = threading.Lock()

    def _check(self, signed_in: bool) -> None:
        if not (signed_in is True and self.settings.admin_password.get_secret_value()):
            raise AssistantError(NOT_SIGNED_IN)

    def add(
        self, paths: list[str], *, signed_in: bool, progress: Callable[[float, str], None] = lambda f, s: None
    ) -> DeskResult:
        """Copy the uploaded files into the corpus folder and ingest them; a failure leaves the folder as it was."""
        from assistant.indexing import ingest

        self._check(signed_in)
        if not paths:
            return DeskResult("请先选择要上传的文件。", False)
        corpus = self.settings.corpus_dir
        with self._lock:
            placed: list[tuple[Path, Path | None]] = []
            try:
                for path in map(Path, paths):
                    name = path.name
                    if path.suffix.lower() not in SUPPORTED_SUFFIXES:
                        raise DocumentError(f"不支持的文件类型：{name}（仅支持 {'、'.join(SUPPORTED_SUFFIXES)}）。")
                    target = corpus / name
                    backup = None
                    if target.exists():
                        backup = self.settings.data_dir / "replaced" / f"{int(time.time())}-{name}"
                        backup.parent.mkdir(parents=True, exist_ok=True)
                        shutil.copy2(target, backup)
                    shutil.copyfile(path, target)
                    placed.append((target, backup))
                progress(0.2, "正在读取、解析并建立索引…")
                report = ingest([target for target, _ in placed], settings=self.settings)
            except AssistantError:
                for target, backup in placed:
                    if backup is not None:
                        shutil.copyfile(backup, target)
                    else:
                        target.unlink(missing_ok=True)
                raise
            progress(0.85, "正在重新载入文件库…")
            self.holder.reload()
        logger.info("staff upload: %s", report.summary())
        unchanged = len(placed) - len(report.added) - len(report.replaced)
        lines = [f"已完成：新增 {len(report.added)} 份，更新 {len(report.replaced)} 份，内容未变 {unchanged} 份。"]
        lines += [f"注意：{w}" for w in report.warnings]
        return DeskResult("\n".join(lines), True)

    def remove(self, doc_id: str, *, signed_in: bool) -> DeskResult:
        """Remove a document from the index and move its file out of the corpus folder."""
        from assistant.indexing import remove

        self._check(signed_in)
        library = Library(self.holder.chain.index.documents)
        doc = library.by_id.get(doc_id or "")
        if doc is None:
            return DeskResult("请先选择要删除的文件。", False)
        with self._lock:
            remove([doc.doc_id], settings=self.settings)
            source = Path(doc.source)
            if not source.is_absolute():
                source = self.settings.corpus_dir / source
            if source.is_file() and source.resolve().parent == self.settings.corpus_dir.resolve():
                kept = self.settings.data_dir / "removed" / f"{int(time.time())}-{source.name}"
                kept.parent.mkdir(parents=True, exist_ok=True)
                shutil.move(str(source), kept)
            self.holder.reload()
        logger.info("staff removed %s", doc.doc_id)
        return DeskResult(f"已删除《{doc.title}》。", True)
