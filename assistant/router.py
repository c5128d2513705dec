"""The answer chain: a question is prepared (validated, read against the conversation, its named
documents found), routed, and answered. The routes, in order, all listed in ``ROUTES``:

- ``refused``: an attempt to change the assistant's rules, to forge or evade unseen, or a task;
- ``absent``: a document the question names that the library does not hold (quoting, where there are
  any, the clauses that cite it: 财税〔2008〕160号 …同时废止);
- ``clause``: a clause reference (慈善法第二十二条, 二(二)3, “应急慈善”一章), looked up deterministically;
- ``metadata``: a question about a document itself (令号, 施行日期, 是否有效);
- ``retrieval``: everything else: hybrid retrieval, the scope decision, then the answerer
  (extractive by default; any ``Answerer``, e.g. an LLM, plugs in here).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from dataclasses import replace

from langchain_core.runnables import Runnable, RunnableBranch, RunnableLambda

from assistant import messages
from assistant.citations import chunk_citation, clause_citation
from assistant.conversation import Context, contextualise, from_messages
from assistant.evidence import TermStats
from assistant.extractive import ExtractiveAnswerer
from assistant.gathering import Gatherer
from assistant.index import PolicyIndex
from assistant.library import Library
from assistant.lookup import ClauseAnswerer, named_parts, policy_reference
from assistant.metadata import MetadataAnswerer
from assistant.presentation import AUDIENCE_LABELS, citation_block
from assistant.questions import (
    AND_ASKS,
    COMPARES,
    NATIONAL,
    PART_BREAK,
    metadata_fields,
    question_terms,
    refusal,
    topic_beside_metadata,
)
from assistant.references import find_article, find_reference
from assistant.retrieval import HybridRetriever
from assistant.scope import decide, exact_features
from assistant.settings import AUDIENCES, Settings
from assistant.spelling import Speller
from assistant.text import normalize, use_vocabulary, vocabulary
from assistant.types import Answer, Answerer, AnswerRequest, ChunkMeta, Turn

MAX_LOCAL = 3
"""A metadata question naming only a place (台州的文件还有效吗) answers for that place's documents when there are
at most this many (what one answer shows)."""
MAX_CITING = 3
"""How many clauses citing a document the library does not hold are quoted."""
RELATED_SHOWN = 3
"""How many nearest clauses a "not found" shows as 可能相关的规定."""
_INVISIBLE = re.compile(r"[\u0000-\u0008\u000b-\u001f\u007f\u200b-\u200f\u2028-\u202e\u2060-\u2064\ufeff]")
_HAS_WORD = re.compile(r"[A-Za-z\u4e00-\u9fff0-9]")


CARD = ("title", "doc_number", "kind", "issuer", "date", "effective", "amended", "status")
"""What a question that only names a document is told about it."""

ROUTES: tuple[tuple[str, Callable[[dict], bool]], ...] = (
    ("refused", lambda p: bool(refusal(p["lowered"]))),
    ("absent", lambda p: bool(p["absent"] or p["elsewhere"]) and not p["named"]),
    ("clause", lambda p: bool(find_article(p["question"]) or policy_reference(p["question"]) or p.get("parts"))),
    ("metadata", lambda p: bool(p["fields"])),
)
"""Routes tried in order; a question that none takes goes to ``retrieval``."""


DESCRIBED = re.compile(r"([\u4e00-\u9fff]{2,16}?)(?:的)?(?:实施)?(?:意见|条例|办法|通知|公告|规定|方案|规划|决定|法)")
"""A document described by the words of its title before its kind (三社联动的实施意见)."""
PARTS = re.compile(
    PART_BREAK.pattern + r"|(?<=[的吗呢么条款项])[，,]|" + AND_ASKS.pattern,
    re.IGNORECASE,
)
"""Where a question passes from one thing asked to the next (…发布的？到哪一年… / …, and by what year …)."""


TERM_OF_VALIDITY = re.compile(r"有效期[^，,。？?]{0,3}(?:几|多长|多久|多少)")
"""A question for how long something stays valid (登记证书有效期是几年), which names no document."""


def route_of(prepared: dict) -> str:
    return next((name for name, test in ROUTES if test(prepared)), "retrieval")


class AnswerChain:
    """Routes a question and answers it; ``runnable`` is the langchain chain behind ``ask``."""

    def __init__(self, index: PolicyIndex, *, settings: Settings, answerer: Answerer | None = None) -> None:
        self.index = index
        self.settings = settings
        self.stats = TermStats([c.text for c in index.chunks], keyword=index.keyword)
        self.library = Library(index.documents, speller=self._index_speller)
        self.retriever = HybridRetriever(index=index, k=settings.top_k, rrf_k=settings.rrf_k)
        self.answerer: Answerer = answerer or ExtractiveAnswerer(self.library.by_id, self.stats)
        self.gatherer = Gatherer(self.retriever, self.library, self.stats, settings.top_k)
        self.clauses = ClauseAnswerer(self.library, self._metas)
        self.metadata = MetadataAnswerer(self.library, self._guess_document)
        by_route = {"refused": self._refuse, "absent": self._absent, "clause": self._clause, "metadata": self._metadata}
        self.runnable: Runnable = RunnableLambda(self._prepare, name="prepare") | RunnableBranch(
            *[
                (lambda p, name=name: p["route"] == name, RunnableLambda(by_route[name], name=name))
                for name, _ in ROUTES
            ],
            RunnableLambda(self._retrieval, name="retrieval"),
        )

    def _index_speller(self) -> Speller:
        """The typo corrector from the keyword index (not from reading every text again)."""
        return Speller.from_index(self.index.keyword.words(), self.stats.chunks_with)

    def ask(self, question: str, audience: str | None = None, *, history=None, doc: str | None = None) -> Answer:
        """Answer one question. Bad input gives an ``Answer`` of kind ``error``, never an exception.

        Args:
            question: the question as typed.
            audience: resident / onboarding / staff, or 居民 / 新社工 / 工作人员 (default from settings).
            history: earlier turns, as ``Turn``s or langchain chat messages.
            doc: scope the question to one document (id, title, short name or number).
        """
        text = _INVISIBLE.sub("", question if isinstance(question, str) else "").strip()
        audience = AUDIENCE_LABELS.get(audience or "", audience or self.settings.audience)
        error = self._invalid(text, audience, doc)
        if error:
            shown = audience if audience in AUDIENCES else "resident"
            return Answer(text[:50], error, False, [], shown, kind="error", error=error)
        use_vocabulary(getattr(self.index, "vocabulary", None) or vocabulary())  # questions cut as the chunks were
        turns = history or []
        if turns and not isinstance(turns[0], Turn):
            turns = from_messages(turns)
        return self.runnable.invoke({"question": text, "audience": audience, "history": turns, "doc": doc})

    def turn(self, answer: Answer) -> Turn:
        """The record of an answered question that the next follow-up reads."""
        doc_id = answer.citations[0].doc_id if answer.citations else ""
        return Turn(answer.question, answer.answer, doc_id, answer.context or answer.question)

    def _invalid(self, text: str, audience: str, doc: str | None) -> str:
        if not text:
            return messages.EMPTY_QUESTION
        if len(text) > self.settings.max_question_chars:
            return messages.TOO_LONG.format(length=len(text), limit=self.settings.max_question_chars)
        if not _HAS_WORD.search(text):
            return messages.NO_LETTERS
        if audience not in AUDIENCES:
            return messages.BAD_AUDIENCE.format(value=str(audience)[:20])
        if doc and not self.library.resolve(doc):
            known = "、".join(d.short_title for d in self.library.documents)
            return messages.UNKNOWN_DOCUMENT.format(name=doc[:40], known=known)
        return ""

    def _prepare(self, inputs: dict) -> dict:
        typed = inputs["question"]
        question = self.library.speller.correct(typed).text  # 慈善发/登计 → 慈善法/登记: what everything reads
        named = [d.doc_id for d in self.library.mentioned(question)]
        if inputs.get("doc"):
            named = [self.library.resolve(inputs["doc"]).doc_id]
        unnamed = self.library.set_aside(question, named) if named else ""
        history = inputs["history"]
        title = (
            self.library.by_id[history[-1].doc_id].title if history and history[-1].doc_id in self.library.by_id else ""
        )
        context: Context = contextualise(
            question, history, named, self.library.share, unnamed, title, self.library.writer
        )
        if context.follows and not named and self.library.wants_old(question):  # 旧版本是怎么规定的
            context.doc_ids = [o.doc_id for d in context.doc_ids for o in self.library.older(d)] or context.doc_ids
        if context.follows and not named and self.library.local(question):  # 浙江有什么特别规定吗: the place's own too
            context.doc_ids = []
        lowered = unicodedata.normalize("NFKC", question).lower()
        fields, topic_words = self._fields_asked(question, named)
        if fields and fields != ["library"] and not context.doc_ids and history:
            # 基金会管理条例什么时候施行的？ … 现在还有效吗: a document's metadata asked of none is the last one's
            if previous := history[-1].doc_id:
                context = Context(question, [previous], history[-1].question)
        if not context.doc_ids:  # 社区治理包括哪些方面 asks about a topic: an outline is of a named document
            fields = [f for f in fields if f != "outline"]
        if named and not (
            fields or topic_words or context.follows or find_article(question) or find_reference(question)
        ):
            fields = list(CARD)  # 慈善法, 中发〔2017〕13号: a name alone asks what the document is
        absent = self.library.unknown_titles(question)
        prepared = {**inputs, "lowered": lowered, "named": context.doc_ids, "context": context, "fields": fields}
        pool = context.doc_ids or [d.doc_id for d in self.library.documents if d.in_force]
        prepared["parts"] = named_parts(self.library, pool, question)
        elsewhere = self.library.cited_elsewhere(question)
        prepared |= {"absent": absent, "elsewhere": elsewhere, "topic": topic_beside_metadata(lowered, topic_words)}
        # 第二款呢 reads as 第二十二条第二款呢: a paragraph of the previous article is no reference of its own
        own_reference = (find_article(question) or policy_reference(question)) and not context.part
        prepared["question"] = (
            context.question if context.follows and not own_reference and find_article(context.question) else typed
        )
        return prepared | {"route": route_of(prepared)}

    def _request(self, p: dict, documents=()) -> AnswerRequest:
        return AnswerRequest(p["question"], p["audience"], p["history"], list(documents), p["named"])

    def _finish(self, answer: Answer, p: dict) -> Answer:
        context: Context = p["context"]
        if context.follows:
            answer.answer += "\n" + messages.FOLLOW_UP.format(question=context.follows)
            answer.context = context.question
        return answer

    def _refuse(self, p: dict) -> Answer:
        refused = {"evasion": messages.REFUSE_EVASION, "attack": messages.REFUSE_INSTRUCTIONS}
        text = refused.get(refusal(p["lowered"])) or messages.NOT_A_TASK + messages.referral(p["question"])
        return Answer(p["question"], text, False, [], p["audience"], kind="refused")

    def _clause(self, p: dict) -> Answer:
        answer = self.clauses(self._request(p))
        if answer.found and (mixed := self._metadata_beside_content(p, clause=True)):  # 何时施行？第二十二条…
            answer = self._with_header(answer, p, mixed[1])
        elif answer.found and (content := self._content_beside_clause(p)):
            answer = self._with_content(answer, p, content)
        return self._finish(answer, p)

    def _content_beside_clause(self, p: dict) -> str:
        """The parts of a question about a named document's article that ask something else of the document, with
        no reference of their own (第十一条要求多少个工作日内记录完？志愿服务记录证明至少要载明哪些内容？)."""
        if not p["named"] or p["fields"] or p["context"].follows or p.get("parts"):
            return ""
        rest = [
            part.strip()
            for part in PARTS.split(p["context"].question)
            if part.strip() and not (find_article(part) or find_reference(part) or policy_reference(part))
        ]
        rest = [part for part in rest if len([t for t in question_terms(part) if t.is_policy_term]) >= 2]
        return "，".join(rest)

    def _with_content(self, answer: Answer, p: dict, content: str) -> Answer:
        """``answer`` followed by the clauses retrieval quotes, in the documents named, for ``content``."""
        part = {**p, "context": replace(p["context"], question=content, follows=""), "question": content}
        found = self._retrieval(part)
        cited = {(c.doc_id, c.clause) for c in answer.citations}
        extra = [c for c in found.citations if c.quote and (c.doc_id, c.clause) not in cited][:1] if found.found else []
        if extra:
            blocks = [citation_block(c, p["audience"]) for c in extra]
            shown = re.sub(r"^(?:另外|还有|以及|同时|此外|那么?|and)\s*", "", content, flags=re.IGNORECASE)
            answer.answer = "\n\n".join([answer.answer.rstrip(), messages.ALSO_ASKED.format(part=shown), *blocks])
            answer.citations = [*answer.citations, *extra]
        return answer

    def _with_header(self, answer: Answer, p: dict, fields: list[str]) -> Answer:
        """``answer`` followed by the named documents' header fields asked beside it, with their citations."""
        header = self.metadata(self._request(p), fields, [])
        answer.question, answer.found = p["question"], answer.found or header.found
        answer.answer = answer.answer.rstrip() + "\n\n" + header.answer
        answer.citations = [*answer.citations, *header.citations]
        return answer

    def _metadata(self, p: dict) -> Answer:
        if not p["named"] and 0 < len(local := self.library.local(p["question"])) <= MAX_LOCAL:  # 台州的文件还有效吗
            p = {**p, "named": [d.doc_id for d in local]}
        return self._finish(self.metadata(self._request(p), p["fields"], p["topic"]), p)

    def _absent(self, p: dict) -> Answer:
        if p["elsewhere"] and not p["absent"]:  # not held, but cited: the clauses that cite it say what it is
            written, clauses = p["elsewhere"][0]
            citations = [clause_citation(doc, clause, quote=clause.text) for doc, clause in clauses[:MAX_CITING]]
            blocks = [citation_block(c, p["audience"]) for c in citations]
            text = "\n\n".join([messages.CITED_ELSEWHERE.format(number=written), *blocks])
            return self._finish(Answer(p["question"], text, True, citations, p["audience"], kind="metadata"), p)
        text = messages.ABSENT_DOCUMENT.format(title=p["absent"][0]) + messages.referral(p["question"])
        return Answer(p["question"], text, False, [], p["audience"], kind="not_found")

    def _fields_asked(self, text: str, named: list[str]) -> tuple[list[str], list[str]]:
        """(the metadata ``text`` asks for, its content words once the named documents' names are set aside)."""
        topic = self.library.without_english_names(self.library.set_aside(text, named), named)
        # 台政办发〔2016〕123号那个三社联动的实施意见: words of a named document's title that run into a kind of
        # document (…的实施意见) describe it, they ask nothing (…公告规定，扣除资格的有效期 asks about 资格)
        docs = [self.library.by_id[doc_id] for doc_id in named]
        titles = [normalize(d.title) for d in docs]
        described = "".join(m.group(1) for m in DESCRIBED.finditer(normalize(topic)))
        # read in the question as written too: 第三方评估的指导意见 describes it even once 指导意见 is set aside, when
        # the word stands nowhere else (…办法》规定，公开募捐资格证书的有效期 asks about 公开募捐)
        written = normalize(text)
        spans = [m.span(1) for m in DESCRIBED.finditer(written)]

        def describes(word: str) -> bool:
            if word in described:
                return True
            hits = [m.span() for m in re.finditer(re.escape(word), written)]
            return bool(hits) and all(any(s <= a and b <= e for s, e in spans) for a, b in hits)

        # 台州市政府办公室…, 2022年清理后是否继续有效: words of who issued it and of its validity note describe it
        header = normalize("".join(d.issuer + d.doc_number + d.validity + d.validity_source for d in docs))
        topic_words = [
            t.word
            for t in question_terms(topic)
            if not (describes(t.word) and any(t.word in title for title in titles)) and t.word not in header
        ]
        lowered = unicodedata.normalize("NFKC", text).lower()
        fields = metadata_fields(lowered, topic_words)
        if not named and fields == ["status"] and TERM_OF_VALIDITY.search(lowered):
            fields = []  # 评估等级有效期是几年: how long a grade lasts, not whether a document is in force
        return fields, topic_words

    def _metadata_beside_content(self, p: dict, *, clause: bool = False) -> tuple[str, list[str]] | None:
        """(the content part, the metadata asked) of a question about named documents that asks in one part
        who issued one or since when it applies, and in another what it says (or, ``clause``, what one of its
        articles says); None for any other question."""
        if not p["named"] or (p["fields"] and not clause) or p["context"].follows:
            return None
        content, fields = [], []
        for part in (s.strip() for s in PARTS.split(p["context"].question)):
            asked = [f for f in self._fields_asked(part, p["named"])[0] if f not in ("outline", "library")]
            fields += asked
            if not asked and part:
                content.append(part)
        if not fields or not content:
            return None
        return "，".join(content), list(dict.fromkeys(fields))

    def _gather(self, p: dict):
        """Retrieval over the named documents (or every document in force), and what it found."""
        question, named = p["context"].question, p["named"]
        if not named:
            p["local"] = [d.doc_id for d in self.library.local(question)]
            if p["local"] and COMPARES.search(question) and NATIONAL.search(question):
                # 国家的条例跟浙江的条例有啥区别: the place's document that answers, and the national one it
                # carries out, are compared as if both were named
                best = self.gatherer.search(question, p["local"], 1)
                local = [ChunkMeta.of(best[0]).doc_id] if best else []
                national = [c.doc_id for d in local for c in self.library.counterparts(d)]
                if national:
                    p["named"] = named = local + national
                    p["local"] = []
        else:  # 国务院《志愿服务条例》…？浙江省在哪些情形下…: a place the named documents are not of
            local = self.library.local(self.library.set_aside(question, named))
            p["local"] = (
                []
                if any(self.library.places_of(d) for d in named)
                else [d.doc_id for d in local if d.doc_id not in named]
            )
        return self.gatherer(question, named, p["local"])

    def route(self, question: str, audience: str = "resident") -> str:
        """The route a first question takes (for calibration and tests)."""
        return self._prepare({"question": question, "audience": audience, "history": [], "doc": None})["route"]

    def scope_features(
        self, question: str, audience: str = "resident", *, exclude: str = ""
    ) -> dict[str, float] | None:
        """The scope decision's inputs for a question that takes the retrieval route (for calibration).

        ``exclude``: a labelled example question kept out of the ``neighbours`` signal (its own label)."""
        p = self._prepare({"question": question, "audience": audience, "history": [], "doc": None})
        if p["route"] != "retrieval":
            return None
        _, _, evidence = self._gather(p)
        if not evidence.terms or not evidence.clauses:
            return None
        return exact_features(evidence, self.index.embedder, named=bool(p["named"]), exclude=exclude)

    def _retrieval(self, p: dict) -> Answer:
        if mixed := self._metadata_beside_content(p):  # 哪些部门发布的，到哪一年基本形成: each part its own way
            content, fields = mixed
            # the content part is searched in the documents named, but judged as if it named none: 慈善法是谁
            # 发布的？低保怎么申请 asks nothing the Charity Law answers
            part = {**p, "context": replace(p["context"], question=content), "question": content, "own_name": False}
            answer = self._retrieval(part)
            if not answer.found:  # the header answers; this part is not in the library
                answer.answer, answer.kind, answer.related = messages.part_not_found(content), "metadata", []
            return self._with_header(answer, p, fields)
        question, retrieved, evidence = self._gather(p)
        in_scope, score = decide(evidence, self.index.embedder, named=bool(p["named"]) and p.get("own_name", True))
        in_scope = in_scope or evidence.lead > 0  # how named documents relate, found in their own text
        if not in_scope:
            related = [chunk_citation(c.doc, c.meta, score=c.scores.score) for c in evidence.clauses[:RELATED_SHOWN]]
            answer = Answer(
                p["question"], messages.not_found(p["question"]), False, [], p["audience"], kind="not_found"
            )
            answer.related, answer.scope_score = (related if evidence.terms else []), score
            return self._finish(answer, p)
        request = self._request(p, retrieved)
        request.named_docs = [*request.named_docs, *p["local"]]
        # the evidence was gathered for the question as corrected (有效其 → 有效期) or completed by the
        # conversation, with its parts: the answer quotes from it
        request.question, request.evidence = question, evidence
        answer = self.answerer(request)
        answer.question, answer.scope_score = p["question"], score
        return self._finish(answer, p)

    def _metas(self, question: str, doc_ids: list[str], k: int) -> list[ChunkMeta]:
        return [ChunkMeta.of(d) for d in self.retriever.invoke(question, doc_ids=doc_ids, k=k)]

    def _guess_document(self, topic: list[str]):
        """The document a metadata question is about when it names none but names a topic (公开募捐的办法)."""
        top = self._metas(" ".join(topic), [d.doc_id for d in self.library.documents if d.in_force], 1)
        return self.library.by_id[top[0].doc_id] if top else None


def build_chain(index: PolicyIndex, *, settings: Settings, answerer: Answerer | None = None) -> AnswerChain:
    return AnswerChain(index, settings=settings, answerer=answerer)
