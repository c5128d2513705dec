"""The deterministic answerers: a clause looked up by its number (慈善法第二十二条, 二(二)3), and a
document's own metadata (令号, 施行日期, 发布机关, 是否有效). No similarity decides what they say;
retrieval only picks among candidates when the question also names a topic."""

from __future__ import annotations

import re
import unicodedata

from assistant import messages
from assistant.citations import clause_citation, source_line
from assistant.library import Library
from assistant.presentation import incomplete_notice, version_notice
from assistant.questions import question_terms
from assistant.references import (
    LAST,
    ArticleReference,
    ClauseReference,
    cn_to_int,
    find_article,
    find_articles,
    find_reference,
    int_to_cn,
    label_number,
)
from assistant.structure import POLICY_KINDS
from assistant.text import normalize
from assistant.types import Answer, AnswerRequest, Citation, Clause, PolicyDocument

MAX_CANDIDATES = 5
"""At most this many documents are listed when a clause number is ambiguous."""


def policy_reference(question: str) -> ClauseReference | None:
    """A reference in policy numbering (二(二)3, 第二部分第(一)条第2点), not a bare 第X条."""
    reference = find_reference(question)
    if reference is None or (reference.part is None and find_article(question)):
        return None
    return reference


_PART_WORD = r"[”\"」』]?(?:这一|那一|这|那|一|的)?(?:编|章|节|部分)"


_CHAPTER_ARTICLE = re.compile(r"第([一二三四五六七八九十\d]{1,3})章的?第([一二三四五六七八九十百零\d]{1,6})条")
"""An article named with its chapter (第十二章第一百一十条, 第三章第二条)."""


def _in_chapter(doc: PolicyDocument, chapter: re.Match) -> Clause | None:
    """The article a chapter and a number name: the article of that number when the chapter holds it (laws number
    their articles through the whole text: 第十二章第一百一十条), or else the chapter's article at that place
    (第三章第二条, the chapter's second)."""
    found = doc.clause(f"第{int_to_cn(cn_to_int(chapter.group(1)) or 0)}章")
    number = cn_to_int(chapter.group(2)) or 0

    def articles(clauses: list[Clause]) -> list[Clause]:  # through its 节, if it has them
        return [a for c in clauses for a in ([c] if c.kind == "条" else articles(c.children))]

    held = articles(found.children) if found else []
    wanted = f"第{int_to_cn(number)}条"
    return next((c for c in held if c.id == wanted), None) or (held[number - 1] if 0 < number <= len(held) else None)


def named_parts(library: Library, doc_ids: list[str], question: str) -> list[tuple[PolicyDocument, Clause]]:
    """Chapters, sections and parts of ``doc_ids`` the question names by heading: “应急慈善”一章, 监督管理这一章."""
    text = normalize(question)
    if not re.search(r"编|章|节|部分", text):
        return []
    wanted = set(doc_ids)
    return [
        (doc, clause)
        for heading, doc, clause in library.parts
        if doc.doc_id in wanted
        and heading in text  # cheap test first: a question holding 部分 meets every part
        and any(m.group(0) != heading + "节" for m in re.finditer(re.escape(heading) + _PART_WORD, text))
    ]  # a heading with a bare 节 is a holiday (志愿者节), not a section: 志愿者这一节 is one


def _at_levels(
    pool: list[PolicyDocument], wanted: dict[int, int], question: str
) -> list[tuple[PolicyDocument, Clause]]:
    """The clauses numbered ``wanted`` (level → number), the deepest level given being the clause's own."""
    deepest = max(wanted)
    matches = []
    for doc in pool:
        for ancestors, clause in doc.iter_clauses():
            if clause.level != deepest:
                continue
            numbers = {c.level: label_number(c.label) for c in [*ancestors, clause]}
            if all(numbers.get(level) == number for level, number in wanted.items()):
                matches.append((doc, _descend_by_heading(clause, question)))
    return matches


def _descend_by_heading(clause: Clause, question: str) -> Clause:
    """``第一部分总体目标``: the descendant whose heading the question names."""
    normalized = normalize(question)
    for child in clause.children:
        if child.heading and normalize(child.heading) in normalized:
            return _descend_by_heading(child, question)
    return clause


def _opening(clause: Clause, chars: int = 12) -> str:
    """A clause without a heading shown by its first words: 一 企业或个人通过公益性社会组织…"""
    text = re.sub(r"^\s*[一二三四五六七八九十]+、\s*", "", clause.text).strip()
    return text[:chars] + ("…" if len(text) > chars else "")


def _running_items(doc: PolicyDocument) -> list[Clause]:
    """The items below the parts when their numbers run on through the whole text (1.–8. under 一 to 三, 9. under
    四 …), so a number alone names one item; empty when each part numbers its own from one."""
    for level in sorted({c.level for a, c in doc.iter_clauses() if a}):
        items = [(a[0].id, c) for a, c in doc.iter_clauses() if a and c.level == level]
        numbers = [label_number(c.label) for _, c in items]
        if len({part for part, _ in items}) > 1 and None not in numbers and len(set(numbers)) == len(numbers):
            return [c for _, c in items]
    return []


class ClauseAnswerer:
    """Looks a clause up by its number, in the documents the question (or conversation) names."""

    def __init__(self, library: Library, retrieve) -> None:
        self.library = library
        self.retrieve = retrieve  # (question, doc_ids, k) -> retrieved Documents

    def __call__(self, request: AnswerRequest) -> Answer:
        named = [self.library.by_id[d] for d in request.named_docs if d in self.library.by_id]
        chapter = _CHAPTER_ARTICLE.search(normalize(request.question))
        article = None if chapter or policy_reference(request.question) else find_article(request.question)
        if article and len(pairs := self._each_named(request.question, named)) > 1:
            return self._each(request, pairs)  # 募捐办法第十一条和浙江办法第十三条: each in its own document
        if chapter:  # 第十二章第一百一十条, 第三章第二条
            pool = named or [d for d in self.library.documents if d.structure == "legal" and d.in_force]
            matches = [(d, self._deeper(d, c, request.question)) for d in pool if (c := _in_chapter(d, chapter))]
            text = chapter.group(0)
        elif article:
            pool = named or [d for d in self.library.documents if d.structure == "legal" and d.in_force]
            if not named and self.library.wants_old(request.question):
                pool = [d for d in self.library.documents if d.structure == "legal" and not d.in_force] + pool
            matches = [(d, c) for d in pool if (c := self._article(d, article))]
            text = article.text
        elif reference := policy_reference(request.question):
            pool = named or [d for d in self.library.documents if d.structure == "policy" and d.in_force]
            matches = self._policy(pool, reference, request.question)
            text = reference.text
        else:  # a part named by its heading
            pool = named or [d for d in self.library.documents if d.in_force]
            matches = named_parts(self.library, [d.doc_id for d in pool], request.question)
            text = matches[0][1].heading if matches else request.question[:20]
        if not matches:
            return self._missing(request, text, named, article)
        if len(matches) > 1 and not named:  # 基金会有第42条所列违规行为的: the kind's own regulation
            if kind := self.library.kind_asked(request.question):
                own = [m for m in matches if kind in self.library.kinds[m[0].doc_id]]
                matches = own if len(own) == 1 else matches
        if len(matches) > 1 and not named:
            return self._ambiguous(request, text, matches)
        doc, clause = matches[0]
        citation, body = self._block(doc, clause, article)
        citations = [citation]
        if article and len(named) == 1:  # 第二十二条和第二十三条: each article asked for, in the order asked
            for further in find_articles(request.question)[1:MAX_CANDIDATES]:
                extra = self._article(doc, further)
                if extra is None:
                    body += "\n\n" + messages.NOT_IN_DOCUMENT.format(title=doc.short_title, text=further.text)
                elif extra.id not in {c.clause for c in citations}:
                    cited, block = self._block(doc, extra, further)
                    citations.append(cited)
                    body += "\n\n" + block
        # 现在的第二十二条和原来的有什么区别: another version of the same document is quoted too
        versions = [(d, c) for d, c in matches[1:] if doc.title == d.superseded_by or d.title == doc.superseded_by]
        for other, same in versions[:1]:
            cited, block = self._block(other, same, article)
            citations.append(cited)
            body += "\n\n" + block
        if others := [m for m in matches[1:] if m not in versions]:
            listed = "、".join(f"《{d.short_title}》{clause_citation(d, c).reference}" for d, c in others[:3])
            body += "\n" + messages.ALSO_MEANS.format(text=text, others=listed)
        return Answer(request.question, body, True, citations, request.audience, kind="clause")

    def _each_named(self, question: str, named: list[PolicyDocument]) -> list[tuple[PolicyDocument, ArticleReference]]:
        """Each article a question cites with the document named before it (募捐办法第十一条和浙江办法第十三条),
        when it names two or more documents; [] when they all fall in one document."""
        if len(named) < 2:
            return []
        pairs, start, doc = [], 0, None
        for reference in find_articles(question)[:MAX_CANDIDATES]:
            at = question.find(reference.text, start)
            before = [d for d in self.library.mentioned(question[start:at]) if d in named] if at > start else []
            doc = before[-1] if before else doc
            if doc is not None:
                pairs.append((doc, reference))
            start = at + len(reference.text) if at >= 0 else start  # an article inside a range is not written
        return pairs if len({d.doc_id for d, _ in pairs}) > 1 else []

    def _each(self, request: AnswerRequest, pairs: list[tuple[PolicyDocument, ArticleReference]]) -> Answer:
        """Each named document's article, in the order asked; a missing one is said to be missing."""
        citations, blocks = [], []
        for doc, reference in pairs:
            clause = self._article(doc, reference)
            if clause is None:
                blocks.append(messages.NOT_IN_DOCUMENT.format(title=doc.short_title, text=reference.text))
            elif (doc.doc_id, clause.id) not in {(c.doc_id, c.clause) for c in citations}:
                citation, block = self._block(doc, clause, reference)
                citations.append(citation)
                blocks.append(block)
        return Answer(
            request.question, "\n\n".join(blocks), bool(citations), citations, request.audience, kind="clause"
        )

    @staticmethod
    def _block(doc: PolicyDocument, clause: Clause, article: ArticleReference | None) -> tuple[Citation, str]:
        """One clause's citation and its text as shown: a 款 or 项 is cited within its article (前款 needs it)."""
        citation = clause_citation(doc, clause, quote=clause.full_text(), narrow=False)
        whole = doc.clause(article.article_id()) if article and doc.structure == "legal" else None
        if whole is not None and whole.id != clause.id:
            within = clause_citation(doc, whole, quote=clause.full_text())
            citation = within if within.clause == clause.id else citation
        header = messages.CLAUSE_HEADER.format(
            title=doc.title, reference=citation.reference, path=citation.heading_path
        )
        body = f"{header}\n{clause.full_text()}\n{source_line(citation)}"
        for notice in (version_notice(citation), incomplete_notice(citation) if citation.incomplete else ""):
            body += f"\n{notice}" if notice else ""
        return citation, body

    def _deeper(self, doc: PolicyDocument, article: Clause, question: str) -> Clause:
        """The paragraph or item of ``article`` the question names too (第十二章第一百零九条第（二）项)."""
        written = find_article(question)
        if written and (written.paragraph or written.item or written.subitem):
            number = cn_to_int(article.id[1:-1]) or 0
            deeper = ArticleReference(number, written.paragraph, written.item, written.subitem, written.text)
            return self._article(doc, deeper) or article
        return article

    @staticmethod
    def _article(doc: PolicyDocument, reference: ArticleReference) -> Clause | None:
        if reference.article == LAST:  # 最后一条: the closing article, or a policy text's last part
            articles = [c for _, c in doc.iter_clauses() if c.kind == "条"] or doc.clauses
            return articles[-1] if articles else None
        if doc.structure == "policy":  # 公告第八条: policy text numbers its parts 八、; 第四条第三项 is 四(三)
            running = _running_items(doc)  # 意见第8条 of a text numbering 1.–17. on through its parts: item 8.
            part = next((c for c in running or doc.clauses if label_number(c.label) == reference.article), None)
            if part is None or not (reference.item or reference.paragraph):
                return part
            number = reference.item or reference.paragraph
            return next((c for c in part.children if label_number(c.label) == number), None)
        for clause_id in reference.candidate_ids():
            if clause := doc.clause(clause_id):
                return clause
        if reference.paragraph is None and reference.item:  # 第10条(六): the one paragraph that has item (六)
            article, item = reference.article_id(), f"第({int_to_cn(reference.item)})项"
            held = [c for k in range(2, 10) if (c := doc.clause(f"{article}第{int_to_cn(k)}款{item}"))]
            if len(held) == 1:
                return held[0]
        if reference.paragraph in (None, 1):
            return doc.clause(reference.article_id()) if not (reference.item or reference.subitem) else None
        return None

    def _policy(
        self, pool: list[PolicyDocument], reference: ClauseReference, question: str
    ) -> list[tuple[PolicyDocument, Clause]]:
        """Clauses the reference can mean, most likely first; levels left open match any number. A document
        numbering one level fewer or more than the words say is read as it numbers: 第二部分第3条 of a text
        whose parts hold 1. 2. 3. directly, 第七部分第四点 of one whose parts hold (一)(二)."""
        wanted = reference.levels()
        *above, deepest = sorted(wanted)
        matches = _at_levels(pool, wanted, question)
        for level in (deepest + 1, deepest - 1) if above and not matches else ():
            if above[-1] < level <= max(POLICY_KINDS):
                matches = _at_levels(pool, {**{k: wanted[k] for k in above}, level: wanted[deepest]}, question)
                if matches:
                    break
        topic = unicodedata.normalize("NFKC", question).replace(reference.text, " ")
        if len(matches) <= 1 or not question_terms(topic):
            return matches
        # What the question says beside the number ("第二部分关于备案的规定") picks among candidates.
        ranking = self.retrieve(topic, sorted({d.doc_id for d, _ in matches}), 20)
        order = {(m.doc_id, m.clause): n for n, m in enumerate(ranking)}

        def rank(match: tuple[PolicyDocument, Clause]) -> int:
            doc, clause = match
            ids = [c.id for _, c in doc.iter_clauses() if c.id.startswith(clause.id)]
            return min((order.get((doc.doc_id, i), len(order)) for i in ids), default=len(order))

        return sorted(matches, key=rank)

    def _missing(
        self, request: AnswerRequest, text: str, named: list[PolicyDocument], article: ArticleReference | None = None
    ) -> Answer:
        where = f"《{named[0].title}》中的" if len(named) == 1 else ""
        nearest = ""
        whole = article and len(named) == 1 and named[0].structure == "legal" and named[0].clause(article.article_id())
        if whole:  # 第十三条第二款 of an article with one paragraph: say so, and show the article
            nearest = messages.ONLY_ARTICLE.format(article=whole.id, text=whole.full_text())
            answer = messages.NO_SUCH_CLAUSE.format(where=where, text=text, nearest=nearest)
            citation = clause_citation(named[0], whole, quote=whole.full_text(), narrow=False)
            return Answer(request.question, answer, False, [citation], request.audience, kind="clause")
        if len(named) == 1:
            top = named[0].clauses[:8]
            articles = [c for _, c in named[0].iter_clauses() if c.kind == "条"]
            if articles:
                nearest = f"该文件的条文为{articles[0].id}至{articles[-1].id}。"
            elif top:
                nearest = messages.NEAREST_CLAUSES.format(
                    clauses="；".join(f"{c.id} {c.heading or _opening(c)}" for c in top)
                )
        answer = messages.NO_SUCH_CLAUSE.format(where=where, text=text, nearest=nearest)
        return Answer(request.question, answer, False, [], request.audience, kind="clause")

    def _ambiguous(self, request: AnswerRequest, text: str, matches: list[tuple[PolicyDocument, Clause]]) -> Answer:
        citations = [clause_citation(d, c, quote=c.full_text(), narrow=False) for d, c in matches[:MAX_CANDIDATES]]
        lines = [messages.AMBIGUOUS_CLAUSE.format(text=text)]
        for citation in citations:
            excerpt = citation.text.replace("\n", " ")
            lines.append(
                f"· 《{citation.doc_title}》{citation.reference}：{excerpt[:50]}{'…' if len(excerpt) > 50 else ''}"
            )
        if len(matches) > MAX_CANDIDATES:
            lines.append("（还有其他文件也有这一条，请在问题里写上文件名称。）")
        return Answer(request.question, "\n".join(lines), True, citations, request.audience, kind="clarify")
