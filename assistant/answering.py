"""The retrieval chain and the answerers.

A question is routed, in this order: attempts to change the assistant's rules are refused; a clause
reference (``二(二)3``) is looked up deterministically; a question about the document itself (文号,
发文机关, 有效性 …) is answered from the parsed metadata; everything else goes through the hybrid
retriever and an answerer. The default answerer is extractive: it quotes sentences of the retrieved
clauses and says nothing they do not say. Any answerer fulfils one contract: ``{"question",
"audience", "documents"} -> Answer``, so an LLM answerer can replace it after the same retriever.
"""

from __future__ import annotations

import math
import re
import unicodedata
from operator import itemgetter
from typing import NamedTuple, Protocol

from langchain_core.documents import Document
from langchain_core.runnables import Runnable, RunnableLambda, RunnablePassthrough

from assistant.chunking import METADATA_CLAUSE, PREAMBLE_CLAUSE
from assistant.errors import AssistantError
from assistant.indexing import PolicyIndex
from assistant.questions import (
    FACETS,
    INSTRUCTION_ATTACKS,
    LIST_QUESTION,
    METADATA_QUESTIONS,
    TASK_REQUESTS,
    Term,
    coverage,
    question_terms,
)
from assistant.references import ClauseReference, find_reference, label_number
from assistant.retrieval import HybridRetriever
from assistant.settings import AUDIENCES, Settings
from assistant.text import is_mostly_latin, normalize, sentence_spans
from assistant.types import Answer, Citation, Clause, PolicyDocument

MAX_QUESTION_CHARS = 500
HOTLINE = "12345"
REFERRAL = f"建议咨询当地民政部门，或拨打 {HOTLINE} 政务服务便民热线。"
NOT_FOUND = "已收录的政策文件中没有找到与这个问题相关的规定，无法据此回答。" + REFERRAL
REFUSE_INSTRUCTIONS = (
    "我只依据已收录的政策文件原文回答政策问题，不执行改变这一规则的要求，也不提供系统设置。"
    "您可以直接问文件里的内容，例如“社区社会组织达不到登记条件怎么办？”"
)
INCOMPLETE_NOTICE = "注意：来源文本在此处不完整，条文在“{tail}”处中断，后续内容缺失。"

NOT_A_TASK = "我只依据已收录的政策文件原文回答问题，不代写文书，也不办理其他事务。" + REFERRAL

METADATA_LABELS = {
    "doc_number": "文号",
    "issuer": "发文机关",
    "addressees": "主送",
    "validity": "有效性",
    "title": "标题",
    "date": "成文日期",
}


class Quote(NamedTuple):
    """Sentences quoted from one clause: the text as quoted, its score, its best sentence."""

    text: str
    score: float
    best_sentence: str


class Answerer(Protocol):
    """The contract of the answer step: retrieved clauses in, one Answer out."""

    def __call__(self, inputs: dict) -> Answer: ...


def validate_question(question: str) -> str:
    question = (question or "").strip()
    if not question:
        raise AssistantError("请输入问题。")
    if len(question) > MAX_QUESTION_CHARS:
        raise AssistantError(f"问题太长了（{len(question)} 字），请控制在 {MAX_QUESTION_CHARS} 字以内。")
    return question


class ExtractiveAnswerer:
    """Answers by quoting the retrieved clauses' best sentences; never writes text of its own about policy."""

    min_coverage = 0.5
    min_coverage_agreeing = 0.4
    min_coverage_english = 0.4
    min_policy_terms = 2
    second_quote_ratio = 0.6
    max_quoted_clauses = 3

    def __init__(self, index: PolicyIndex) -> None:
        self.index = index
        self._chunk_texts = [normalize(c.text) for c in index.chunks]

    def __call__(self, inputs: dict) -> Answer:
        question, audience = inputs["question"], inputs.get("audience", "resident")
        documents: list[Document] = inputs["documents"]
        terms = question_terms(question)
        if not documents or not terms:
            return Answer(question, NOT_FOUND, False, [], audience)

        weights = self._weights(terms)
        texts = [self._clause_text(doc) for doc in documents]
        ranked = [(rank, doc, coverage(terms, text, weights)) for rank, (doc, text) in enumerate(zip(documents, texts))]
        if not self._in_scope(question, terms, documents, ranked, texts[:3]):
            return Answer(question, NOT_FOUND, False, [], audience)

        asks_for_list = bool(LIST_QUESTION.search(unicodedata.normalize("NFKC", question).lower()))
        # The best clause is quoted; another only when it covers the question as fully and its
        # sentences score as well: answers that span clauses (where the money comes from).
        quoted: list[tuple[Document, Quote]] = []
        top_cov = 0.0
        for _, doc, cov in sorted(ranked[: self.max_quoted_clauses], key=lambda r: (-r[2], r[0])):
            quote = self._best_sentences(doc, terms, weights, asks_for_list)
            if not quote:
                continue
            if not quoted:
                top_cov = cov
            elif cov < max(top_cov, self.min_coverage) or quote.score < self.second_quote_ratio * quoted[0][1].score:
                continue
            quoted.append((doc, quote))
        if not quoted:
            return Answer(question, NOT_FOUND, False, [], audience)

        citations = [self._citation(doc, quote.text) for doc, quote in quoted]
        quoted_ids = {c.clause for c in citations}
        citations += [self._citation(doc, "") for doc in documents if doc.metadata["clause"] not in quoted_ids]
        plain = _plain_sentence(quoted[0][1].best_sentence, terms)
        text = format_answer(citations[: len(quoted)], audience, plain=plain, question=question)
        return Answer(question, text, True, citations, audience)

    def _clause_of(self, doc: Document) -> tuple[PolicyDocument, Clause | None]:
        """The document and clause a retrieved chunk belongs to (no clause for metadata and preamble)."""
        meta = doc.metadata
        policy = self.index.document_by_id[meta["doc_id"]]
        return policy, policy.clause(meta["clause"]) if meta["kind"] == "clause" else None

    def _clause_text(self, doc: Document) -> str:
        """The whole clause a chunk belongs to, with its heading path: what coverage is measured on."""
        _, clause = self._clause_of(doc)
        return normalize(doc.metadata["heading_path"] + (clause.text if clause else doc.metadata["body"]))

    def _in_scope(
        self,
        question: str,
        terms: list[Term],
        documents: list[Document],
        ranked: list[tuple[int, Document, float]],
        texts: list[str],
    ) -> bool:
        """Whether the corpus answers the question: more evidence than one similarity score.

        Most of the question's content words (weighted by rarity) must occur in one of the top
        clauses. Failing that, it is in scope when it quotes the text, when one clause holds two of
        its policy terms (everyday questions wrap them in words the text never uses), or when the
        lexical and the dense ranking agree on a top clause that holds a good part of its words.
        English questions reach the text only through the synonym map, so their bar is lower.
        """
        best = max(cov for _, _, cov in ranked[:3])
        if best >= self.min_coverage:
            return True
        quoted = [normalize(q) for q in re.findall(r"[“\"「『]([^”\"」』]{2,})[”\"」』]", question)]
        if any(q in text for q in quoted for text in texts):
            return True  # the question quotes the text: “五步法”
        policy = [t for t in terms if t.is_policy_term]
        if max(sum(t.found_in(text) for t in policy) for text in texts) >= self.min_policy_terms:
            return True  # everyday words around two policy terms: 编织小组 … 成立 … 登记
        top, top_cov = documents[0].metadata, ranked[0][2]
        if is_mostly_latin(question):
            return top_cov >= self.min_coverage_english
        agree = top["bm25_rank"] == 1 and top["dense_rank"] == 1
        return agree and top_cov >= self.min_coverage_agreeing

    def _weights(self, terms: list[Term]) -> dict[str, float]:
        """Inverse document frequency of each term over the indexed chunks."""
        n = len(self._chunk_texts)
        return {t.word: t.weight * math.log(1 + n / (1 + sum(t.found_in(x) for x in self._chunk_texts))) for t in terms}

    def _best_sentences(
        self, doc: Document, terms: list[Term], weights: dict[str, float], asks_for_list: bool = False
    ) -> Quote | None:
        """The one or two sentences of the clause that carry most of the question's words, verbatim."""
        meta = doc.metadata
        policy, clause = self._clause_of(doc)
        start, end = (clause.start, clause.end) if clause else (meta["start"], meta["end"])
        scored, heading_scored = [], False
        for n, (s, e) in enumerate(sentence_spans(policy.text, start, end)):
            sentence = policy.text[s:e]
            normalized = normalize(sentence)
            score = sum(weights[t.word] for t in terms if t.found_in(normalized))
            if asks_for_list and sentence.count("、") >= 3:
                score += 1.25 * max(weights.values(), default=0.0)  # "哪些…": the sentence that lists them
            if n == 0 and meta["kind"] == "clause" and len(sentence) <= 45:
                score *= 0.5  # the clause's own heading: a title, not an answer
                heading_scored = True
            scored.append((score, n, sentence))
        best, _, best_sentence = max(scored, key=lambda item: (item[0], -item[1]), default=(0.0, 0, ""))
        if best <= 0:
            return None
        chosen = sorted((item for item in scored if item[0] >= 0.75 * best), key=lambda item: -item[0])[:2]
        chosen.sort(key=lambda item: item[1])
        if [n for _, n, _ in chosen] == [0] and len(scored) > 1 and heading_scored:
            # Only the clause's title matched ("总体目标"): the answer is what the clause says under it.
            chosen = scored[1:3]
            best_sentence = chosen[0][2]
        quote = chosen[0][2]
        for previous, current in zip(chosen, chosen[1:]):
            quote += ("" if current[1] == previous[1] + 1 else "……") + current[2]
        return Quote(quote, best, best_sentence)

    def _citation(self, doc: Document, quote: str) -> Citation:
        meta = doc.metadata
        _, clause = self._clause_of(doc)
        return Citation(
            doc_title=meta["title"],
            doc_number=meta["doc_number"],
            clause=meta["clause"],
            heading=clause.heading if clause else meta["heading"],
            text=clause.text if clause else meta["body"],
            score=round(float(meta.get("score", 1.0)), 4),
            quote=quote,
            heading_path=meta["heading_path"],
            doc_id=meta["doc_id"],
            incomplete=bool(clause.incomplete if clause else meta.get("incomplete")),
        )


def _plain_sentence(sentence: str, terms: list[Term], window: int = 3) -> str:
    """The best quoted sentence, verbatim, cut to the run of comma-separated parts that carries the
    question's words when it is long: ``扩大草根型…备案范围，对尚不具备登记条件的…可采取备案管理。``"""
    body = re.sub(r"^\s*(?:\d+[.．]|[（(][一二三四五六七八九十]+[)）])\s*", "", sentence).rstrip("。；;！!？?")
    parts = [p for p in re.split(r"[,，]", body) if p.strip()]
    if len(body) <= 80 or len(parts) <= window:
        return body + "。"
    hits = [sum(t.found_in(normalize(p)) for t in terms) for p in parts]
    start = max(range(len(parts) - window + 1), key=lambda i: (sum(hits[i : i + window]), -i))
    return "，".join(parts[start : start + window]) + "。"


def _source_line(citation: Citation) -> str:
    number = f"（{citation.doc_number}）" if citation.doc_number else ""
    unnumbered = citation.clause in (METADATA_CLAUSE, PREAMBLE_CLAUSE)
    where = citation.clause if unnumbered else f"第 {citation.clause} 条"
    heading = f"「{citation.heading}」" if citation.heading and citation.heading != citation.clause else ""
    return f"——《{citation.doc_title}》{number}{where}{heading}"


def _incomplete_tail(citation: Citation) -> str:
    return INCOMPLETE_NOTICE.format(tail=citation.text.strip()[-8:])


def format_answer(citations: list[Citation], audience: str, *, plain: str = "", question: str = "") -> str:
    """The answer text for each audience, built only from the cited text."""
    blocks: list[str] = []
    if audience == "resident" and plain:
        blocks.append(f"简单说：{plain}")
    for citation in citations:
        if audience == "staff":
            block = f"【{citation.clause}】{citation.text}\n{_source_line(citation)}"
            if citation.quote and citation.quote.strip() != citation.text.strip():
                block += f"\n相关语句：“{citation.quote}”"
        elif audience == "onboarding":
            part = citation.heading_path.split(" > ")[0]
            block = (
                f"这一内容在文件的「{part}」部分，位置：{citation.heading_path}。\n"
                f"原文：“{citation.quote}”\n{_source_line(citation)}"
            )
        else:
            block = f"原文：“{citation.quote}”\n{_source_line(citation)}"
        if citation.incomplete:
            block += "\n" + _incomplete_tail(citation)
        blocks.append(block)
    asked = unicodedata.normalize("NFKC", question).lower()
    quoted = " ".join(c.quote or c.text for c in citations)
    for pattern, missing, evidence in FACETS:
        if re.search(pattern, asked) and not re.search(evidence, quoted):
            blocks.append(f"以上条文没有规定{missing}。" + REFERRAL)
    return "\n\n".join(blocks)


class AnswerChain:
    """Routes a question and answers it; ``runnable`` is the langchain chain behind ``ask``."""

    def __init__(self, index: PolicyIndex, *, settings: Settings, answerer: Answerer | None = None) -> None:
        self.index = index
        self.retriever = HybridRetriever(index=index, k=settings.top_k, rrf_k=settings.rrf_k)
        self.answerer = answerer or ExtractiveAnswerer(index)
        self.retrieval_chain: Runnable = RunnablePassthrough.assign(
            documents=itemgetter("question") | self.retriever
        ) | RunnableLambda(self.answerer)
        self.runnable: Runnable = RunnableLambda(self._route)
        self.default_audience = settings.audience

    def ask(self, question: str, audience: str | None = None) -> Answer:
        audience = audience or self.default_audience
        if audience not in AUDIENCES:
            raise AssistantError(f"读者类型应为 {'/'.join(AUDIENCES)} 之一。")
        return self.runnable.invoke({"question": validate_question(question), "audience": audience})

    def _route(self, inputs: dict) -> Answer:
        question, audience = inputs["question"], inputs["audience"]
        lowered = unicodedata.normalize("NFKC", question).lower()
        if any(p.search(lowered) for p in INSTRUCTION_ATTACKS):
            return Answer(question, REFUSE_INSTRUCTIONS, False, [], audience, kind="refused")
        if TASK_REQUESTS.search(lowered):
            return Answer(question, NOT_A_TASK, False, [], audience, kind="refused")
        if reference := find_reference(question):
            return self.lookup(reference, question, audience)
        fields = [name for name, pattern in METADATA_QUESTIONS.items() if pattern.search(lowered)]
        if fields:
            return self.metadata_answer(fields, question, audience)
        return self.retrieval_chain.invoke(inputs)

    # Clause look-up -------------------------------------------------------------------------

    def resolve(self, reference: ClauseReference, question: str) -> list[tuple[PolicyDocument, Clause]]:
        """Clauses the reference can mean, most likely first; levels left open match any number."""
        wanted = reference.levels()
        deepest = max(wanted)
        matches = []
        for policy in self.index.documents:
            for ancestors, clause in policy.iter_clauses():
                if clause.level != deepest:
                    continue
                numbers = {c.level: label_number(c.label) for c in [*ancestors, clause]}
                if all(numbers.get(level) == number for level, number in wanted.items()):
                    matches.append((policy, _descend_by_heading(clause, question)))
        # What the question says beside the number ("第二部分关于备案的规定") picks among candidates
        # and, inside a section, the clause it is about.
        topic = unicodedata.normalize("NFKC", question).replace(reference.text, " ")
        if not question_terms(topic) or not matches:
            return matches
        ranking = self.retriever.search(topic)
        order = {(d.metadata["doc_id"], d.metadata["clause"]): n for n, d in enumerate(ranking)}

        def rank(policy: PolicyDocument, clause: Clause) -> int:
            ids = [c.id for _, c in policy.iter_clauses() if c.id.startswith(clause.id)]
            return min((order.get((policy.doc_id, i), len(order)) for i in ids), default=len(order))

        matches.sort(key=lambda match: rank(*match))
        policy, clause = matches[0]
        inside = [(order[(policy.doc_id, c.id)], c) for _, c in policy.iter_clauses() if (policy.doc_id, c.id) in order]
        inside = [(n, c) for n, c in inside if c.id.startswith(clause.id) and c.id != clause.id]
        if clause.children and inside:
            matches[0] = (policy, min(inside, key=lambda item: item[0])[1])
        return matches

    def lookup(self, reference: ClauseReference, question: str, audience: str) -> Answer:
        matches = self.resolve(reference, question)
        if not matches:
            return Answer(question, self._no_such_clause(reference), False, [], audience, kind="clause")
        policy, clause = matches[0]
        path = " > ".join(policy.heading_path(clause.id))
        citation = Citation(
            doc_title=policy.title,
            doc_number=policy.doc_number,
            clause=clause.id,
            heading=clause.heading,
            text=clause.full_text(),
            score=1.0,
            quote=clause.full_text(),
            heading_path=path,
            doc_id=policy.doc_id,
            incomplete=clause.incomplete,
        )
        header = f"条款 {clause.id}（{path}）原文如下："
        if len(self.index.documents) > 1:
            header = f"《{policy.title}》" + header
        text = f"{header}\n{clause.full_text()}\n{_source_line(citation)}"
        if clause.incomplete:
            text += "\n" + _incomplete_tail(citation)
        if len(matches) > 1:
            others = "、".join(f"{c.id}" + (f"（{p.title}）" if p is not policy else "") for p, c in matches[1:4])
            text += f"\n（“{reference.text}”也可能指：{others}。）"
        return Answer(question, text, True, [citation], audience, kind="clause")

    def _no_such_clause(self, reference: ClauseReference) -> str:
        """Names the clauses nearest to the one asked for: the children of its longest existing
        prefix, or, when that prefix has none, the prefix and its siblings."""
        wanted = reference.clause_id() or reference.text
        nearest: list[str] = []
        for policy in self.index.documents:
            parents = {c.id: ancestors[-1] if ancestors else None for ancestors, c in policy.iter_clauses()}
            prefix = max((i for i in parents if wanted.startswith(i)), key=len, default="")
            clause = policy.clause(prefix) if prefix else None
            if clause is not None and not clause.children:
                clause = parents[prefix]
            siblings = clause.children if clause else policy.clauses
            nearest.extend(f"{c.id} {c.heading}" for c in siblings)
        return f"没有找到条款“{reference.text}”（{wanted}）。最接近的现有条款：{'；'.join(nearest[:8])}。"

    # Document metadata ----------------------------------------------------------------------

    def metadata_answer(self, fields: list[str], question: str, audience: str) -> Answer:
        policy = self._document_for(question)
        lines, quotes = [], []
        for name in fields:
            value = _metadata_value(policy, name)
            lines.append(f"{METADATA_LABELS[name]}：{value}")
            quotes.extend(_metadata_quote(policy, name))
        citation = Citation(
            doc_title=policy.title,
            doc_number=policy.doc_number,
            clause=METADATA_CLAUSE,
            heading=METADATA_CLAUSE,
            text=policy.metadata_text,
            score=1.0,
            quote=" ".join(dict.fromkeys(quotes)),
            heading_path=METADATA_CLAUSE,
            doc_id=policy.doc_id,
        )
        text = f"《{policy.title}》\n" + "\n".join(lines) + f"\n原文：“{citation.quote}”\n{_source_line(citation)}"
        return Answer(question, text, True, [citation], audience, kind="metadata")

    def _document_for(self, question: str) -> PolicyDocument:
        if len(self.index.documents) == 1:
            return self.index.documents[0]
        top = self.retriever.search(question)
        return self.index.document_by_id[top[0].metadata["doc_id"]] if top else self.index.documents[0]


def _descend_by_heading(clause: Clause, question: str) -> Clause:
    """``第一部分总体目标``: the descendant whose heading the question names."""
    normalized = normalize(question)
    for child in clause.children:
        if child.heading and normalize(child.heading) in normalized:
            return _descend_by_heading(child, question)
    return clause


def _metadata_value(policy: PolicyDocument, name: str) -> str:
    if name == "validity":
        if not policy.validity:
            return "文件中没有有效性说明"
        source = f"（依据《{policy.validity_source}》）" if policy.validity_source else ""
        return f"{policy.validity}{source}"
    if name == "addressees":
        return "、".join(policy.addressees) or "文件中没有主送单位"
    if name == "date":
        if policy.date:
            return policy.date
        year = re.search(r"\d{4}", policy.doc_number)
        note = f"文号中的年份为 {year.group(0)} 年" if year else "文号中也没有年份"
        cut = "（来源文本在末尾不完整）" if policy.incomplete else ""
        return f"来源文本没有载明成文日期{cut}；{note}"
    if name == "issuer" and policy.issuer:
        return f"{policy.issuer}（据文件标题）"
    value = getattr(policy, name)
    return value or f"文件中没有{METADATA_LABELS[name]}"


def _metadata_quote(policy: PolicyDocument, name: str) -> list[str]:
    """The metadata lines a field rests on."""
    needle = {
        "doc_number": policy.doc_number,
        "issuer": policy.title,
        "title": policy.title,
        "validity": policy.validity,
        "addressees": policy.addressees[0] if policy.addressees else "",
        "date": policy.doc_number,
    }[name]
    return [line for line in policy.metadata_text.split("\n") if needle and needle in line][:1]


def build_chain(index: PolicyIndex, *, settings: Settings, answerer: Answerer | None = None) -> AnswerChain:
    return AnswerChain(index, settings=settings, answerer=answerer)
