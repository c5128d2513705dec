"""The library view: the documents as a filterable list, one document's facts and clause outline, and
search across every clause by reference (二(二)3, 第十条) or by words.
"""

from __future__ import annotations

import html
import unicodedata

from assistant.citations import reference
from assistant.library import Library
from assistant.messages import INCOMPLETE_NOTICE
from assistant.references import find_reference
from assistant.text import normalize
from assistant.types import Clause, PolicyDocument
from assistant.web import clause_link, highlight_html, lines_html

ALL_DOCUMENTS = ""
SEARCH_RESULTS = 30
"""Clauses listed at most for a library search."""
OUTLINE_SUMMARY_CHARS = 28
"""How much of an article's text the outline shows beside its number when it has no heading."""
INCOMPLETE = "来源不完整"
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
        own = f'<div class="clause-text">{lines_html(clause.text)}</div>' if clause.text.strip() else ""
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
            f"<div>{lines_html(clause.full_text())}</div></div>"
        )
    open_ids = {a.id for a in doc.ancestors(selected)} | ({selected} if clause else set())
    preamble = (
        f'<details class="preamble"><summary>前言</summary>{lines_html(doc.preamble)}</details>'
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
        f'<div class="snippet">{highlight_html(_snippet(c.text, terms), terms)}</div></li>'
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
