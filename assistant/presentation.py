"""Presentation: an answer's text for each audience, the CLI rendering, and plain text for copying.

Built only from the cited text and the sentences of ``messages``; nothing here decides what to answer.
"""

from __future__ import annotations

import re
import unicodedata

from assistant import messages
from assistant.citations import source_line
from assistant.types import Answer, Citation

AUDIENCE_LABELS = {"居民": "resident", "新社工": "onboarding", "工作人员": "staff"}


def incomplete_notice(citation: Citation) -> str:
    return messages.INCOMPLETE_NOTICE.format(tail=citation.text.strip()[-8:])


def version_notice(citation: Citation) -> str:
    if citation.superseded_by:
        return messages.SUPERSEDED_BY.format(title=citation.superseded_by)
    return messages.SUPERSEDED if citation.status != "现行有效" else ""


def citation_block(citation: Citation, audience: str) -> str:
    """One quoted clause as the audience reads it, with its source line and any notices."""
    if audience == "staff":
        block = messages.STAFF_BLOCK.format(reference=citation.reference or citation.clause, text=citation.text)
        block += "\n" + source_line(citation)
        if citation.quote and citation.quote.strip() != citation.text.strip():
            block += "\n" + messages.RELATED_SENTENCE.format(quote=citation.quote)
    elif audience == "onboarding":
        part = citation.heading_path.split(" > ")[0]
        where = messages.WHERE_IN_DOCUMENT.format(title=citation.doc_title, part=part, path=citation.heading_path)
        block = f"{where}\n{messages.QUOTE.format(quote=citation.quote)}\n{source_line(citation)}"
    else:
        block = f"{messages.QUOTE.format(quote=citation.quote)}\n{source_line(citation)}"
    for notice in (version_notice(citation), incomplete_notice(citation) if citation.incomplete else ""):
        if notice:
            block += "\n" + notice
    return block


def unset_details(question: str, citations: list[Citation]) -> list[str]:
    """What the question asks for that the cited clauses do not set (具体金额或收费标准, 具体期限 …).

    The whole of each cited clause is read, not only the quoted sentences: the caveat speaks of the clauses."""
    asked = unicodedata.normalize("NFKC", question).lower()
    quoted = " ".join(f"{c.quote or ''} {c.text}" for c in citations)
    return [
        missing
        for pattern, missing, evidence in messages.FACETS
        if missing and re.search(pattern, asked) and not re.search(messages.stated_for(evidence, asked), quoted)
    ]


def facet_caveats(question: str, citations: list[Citation]) -> list[str]:
    """A sentence for each detail asked that the cited clauses do not set, with where to ask."""
    return [
        messages.NOT_SET.format(missing=m) + messages.referral(question) for m in unset_details(question, citations)
    ]


def format_answer(
    citations: list[Citation], audience: str, *, plain: str = "", question: str = "", notes: list[str] = ()
) -> str:
    """The answer text for each audience, built only from the cited text."""
    blocks: list[str] = []
    if audience == "resident" and plain:
        blocks.append(messages.PLAIN.format(plain=plain))
    blocks += [citation_block(c, audience) for c in citations]
    blocks += list(notes)
    blocks += facet_caveats(question, citations)
    return "\n\n".join(blocks)


def related_block(related: list[Citation]) -> str:
    """The nearest clauses shown beside a "not found": they may help a person judge."""
    lines = [messages.RELATED_HEADER]
    for c in related:
        excerpt = c.text.strip().replace("\n", " ")
        lines.append(
            f"· 《{c.short_title or c.doc_title}》{c.reference or c.clause}：{excerpt[:60]}{'…' if len(excerpt) > 60 else ''}"
        )
    return "\n".join(lines)


def render(answer: Answer) -> str:
    """The CLI's text: the answer, then related clauses and suggestions."""
    lines = [answer.answer]
    if answer.related:
        lines.append("\n" + related_block(answer.related))
    uncited = [c for c in answer.citations if not c.quote]
    if answer.found and uncited and answer.kind == "retrieval":
        lines.append(
            "\n相关条款：" + "；".join(f"《{c.short_title or c.doc_title}》{c.reference or c.clause}" for c in uncited)
        )
    return "\n".join(lines)


def plain_text(answer: Answer) -> str:
    """What "copy" puts on the clipboard: the answer and its citations, no markup."""
    sources = [source_line(c) for c in answer.citations if c.quote] or [source_line(c) for c in answer.citations[:3]]
    body = answer.answer
    missing = [s for s in sources if s not in body]
    return body + ("\n\n" + "\n".join(missing) if missing else "")
