"""What the retrieved clauses say about a question: each clause's coverage of the question's words
(weighted by rarity) and its best sentences, verbatim. Computed once per question; the scope
decision and the extractive answerer both read it."""

from __future__ import annotations

import math
import re
import unicodedata
from dataclasses import dataclass, field, replace
from functools import lru_cache

import numpy as np

from assistant.questions import LIST_QUESTION, Term, asked_facets, coverage, proximity, question_terms
from assistant.text import normalize, sentence_spans
from assistant.types import ChunkMeta, Clause, PolicyDocument, RetrievalScores

HEADING_DISCOUNT = 0.5
"""A clause's first sentence when it is only the clause's title counts this much."""
KEPT_COVERS = 1.0
"""A clause only BM25's first hit brings is quoted when it covers at least this many times what any other retrieved
clause covers (社团条例第二十六条 …不得在会员中分配 for 年底有结余，能不能按人头分给会员): the dense rankings missed
the one clause holding the question's words. Tune halves of 47 sets against 2.0: 1.5, 1.25, 1.0 gave hit@1 +3 −1,
+6 −1, +7 −2 and facts +3, +5, +9 −1; 0.8 the same as 1.0."""
SECOND_SENTENCE_RATIO = 0.75
"""Another sentence is quoted beside the best when it scores at least this share of it."""
QUOTED_SENTENCES = 2
"""At most this many sentences of one clause are quoted (a short clause is quoted whole)."""
OPENING_CHARS = 25
"""An article's opening sentence this short states its subject (第三十条 村民委员会实行村务公开制度。), not a detail."""
SHORT_CLAUSE_CHARS = 250
"""A clause this short is quoted whole: its sentences usually answer together."""
_ITEM = re.compile(r"\s*(?:[（(][一二三四五六七八九十]+[)）]|\d{1,2}[.．、])")
LEAD_IN_ITEMS = 8
"""A quoted sentence ending in "：" brings up to this many following sentences (the items it introduces)."""
LIST_BONUS = 1.25
"""For "哪些…" questions, a sentence enumerating with 、 gains this many times the top term weight."""
FACET_BONUS = 1.0
"""A sentence holding what the question asks for (a figure for 多少钱, a period for 多久 …) gains this
many times the top term weight, so the quote shows it rather than the clause's opening."""
GAP_FILLED = 1
"""Quoted sentences this few apart are quoted with the sentences between them, not cut by "……"."""
_CJK_WORD = re.compile(r"[\u4e00-\u9fff]{2,}")
_LEAD_IN_ONLY = re.compile(r"如下[：:]\s*$")
"""A passage that only introduces what follows (…公告如下：, …提出如下意见：)."""
# Two Chinese characters with only whitespace between: adjacent once normalised, apart in the keyword index.
_JUNCTION = re.compile(r"([\u4e00-\u9fff])\s+(?=([\u4e00-\u9fff]))")


class TermStats:
    """Rarity of words over the library's chunks, counted once per word and cached (thread-safe).

    Given the keyword index, a Chinese word is looked for only in the chunks that hold all of its
    character pairs (the index's ``#`` bigram postings), so counting follows the word's frequency
    rather than the library's size.
    """

    def __init__(self, chunk_texts: list[str], *, keyword=None) -> None:
        self._keyword = keyword
        self._texts: list[str] = []
        self._junctions: dict[str, list[int]] = {}
        """Character pairs that meet only across whitespace, and the rows where they do."""
        for row, text in enumerate(chunk_texts):
            text = unicodedata.normalize("NFKC", text)
            self._texts.append(normalize(text))
            if keyword is not None:
                for match in _JUNCTION.finditer(text):
                    self._junctions.setdefault(match.group(1) + match.group(2), []).append(row)
        self._frequency = lru_cache(maxsize=100_000)(self._count)  # thread-safe: answers run in parallel

    def _count(self, form: str) -> int:
        texts = self._texts
        candidates = self._candidates(form)
        if candidates is None:
            return sum(1 for text in texts if form in text)
        return sum(1 for row in candidates.tolist() if form in texts[row])

    def _candidates(self, form: str) -> np.ndarray | None:
        """Every row that may hold ``form``, or None when only a full scan can tell."""
        if self._keyword is None or not _CJK_WORD.fullmatch(form):
            return None
        rows = None
        for pair in sorted({form[i : i + 2] for i in range(len(form) - 1)}):
            posting = self._keyword.rows_with("#" + pair)
            if pair in self._junctions:
                posting = np.union1d(posting, self._junctions[pair])
            rows = posting if rows is None else np.intersect1d(rows, posting, assume_unique=True)
            if not len(rows):
                break
        return rows

    def chunks_with(self, form: str) -> int:
        """In how many chunks the (normalised) text ``form`` occurs."""
        return self._frequency(form)

    def frequency(self, term: Term) -> int:
        """In how many chunks the word (or the policy word it stands for) occurs."""
        return max(self._frequency(form) for form in term.forms)

    def weight(self, term: Term) -> float:
        """Rarer words weigh more. A word counts as often as its most frequent form: 村里 stands for 村民,
        which is everywhere, so it weighs as little as 村民 (by its rarest form, the everyday word absent
        from the text, it outweighed every word the text holds)."""
        return term.weight * math.log(1 + len(self._texts) / (1 + self.frequency(term)))

    def weights(self, terms: list[Term]) -> dict[str, float]:
        return {t.word: self.weight(t) for t in terms}


@dataclass
class Quote:
    """Sentences quoted from one clause: the text as quoted, its score, its best sentence."""

    text: str
    score: float
    best_sentence: str


@dataclass
class ClauseEvidence:
    """One retrieved clause: where it is, its retrieval scores, its coverage of the question, its quote."""

    doc: PolicyDocument
    meta: ChunkMeta
    scores: RetrievalScores
    clause: Clause | None
    text: str
    coverage: float
    quote: Quote | None
    retrieved: object
    proximity: float = 0.0
    beside: bool = False
    """Quoted beside the clause that answers, not for the point asked (it takes no part in the 规定不同 check)."""


@dataclass
class Evidence:
    """Everything the retrieved clauses say about one question; ``parts`` holds the same per sub-question."""

    question: str
    terms: list[Term]
    weights: dict[str, float]
    clauses: list[ClauseEvidence]
    absent: list[str] = field(default_factory=list)
    """Question words that occur nowhere in the library (nor does any policy word they stand for)."""
    parts: list[Evidence] = field(default_factory=list)
    joined: bool = False
    """Whether ``parts`` are the two numbers an English question joins by "and" (how many people …, and how
    long …): such parts cover clauses little and alike, so a clause is left to the part that needs it."""
    echoes: list[tuple[ClauseEvidence, ClauseEvidence]] = field(default_factory=list)
    """(a place's clause, the national clause it repeats) for a question of no place: the national one goes first."""
    lead: int = 0
    """How many of the first clauses are quoted first whatever their coverage (where one document cites another,
    or says what a term means)."""
    defines: tuple[str, ...] = ()
    """The terms whose meaning the lead clauses state (本法所称慈善组织，是指…), when the question asks it (or
    compares two: 社团和民非有什么区别)."""

    penalty: tuple[str, str] | None = None
    """The key of the penalty for breaking the rule a question asks about (会怎么处理), looked up by the rule's words."""

    @property
    def best_coverage(self) -> float:
        return max((c.coverage for c in self.clauses[:3]), default=0.0)


def clause_span(doc: PolicyDocument, meta: ChunkMeta, clause: Clause | None) -> tuple[int, int]:
    """The text a retrieved chunk stands for: its whole clause (children included), or its section."""
    if clause is None:
        return meta.start, meta.end
    end = clause.end
    stack = list(clause.children)
    while stack:
        child = stack.pop()
        end = max(end, child.end)
        stack.extend(child.children)
    return clause.start, end


def gather(
    question: str,
    retrieved: list,
    documents: dict[str, PolicyDocument],
    stats: TermStats,
    details: tuple[str, ...] = (),
) -> Evidence:
    """Coverage and best sentences of every retrieved clause (langchain Documents, best first).

    ``details``: how a clause would state the number the question asks for (``facets.asked_details``); a
    clause only BM25's first hit brings is quoted, too, when it states one."""
    terms = question_terms(question)
    weights = stats.weights(terms)
    asks_for_list = bool(LIST_QUESTION.search(normalize(question).lower()))
    facets = asked_facets(question)
    clauses, spans = [], []
    for item in retrieved:
        meta = ChunkMeta.of(item)
        doc = documents[meta.doc_id]
        clause = doc.clause(meta.clause) if meta.section == "clause" else None
        start, end = clause_span(doc, meta, clause)
        text = normalize(meta.heading_path + doc.text[start:end])
        heading = clause.title if clause and clause.heading else ""
        context = normalize(meta.heading_path)
        scores, covered, together = RetrievalScores.of(item), coverage(terms, text, weights), proximity(terms, text)
        if _LEAD_IN_ONLY.search(text):  # "…现就有关事项公告如下：": it introduces what follows, answering nothing
            covered *= HEADING_DISCOUNT
        spans.append((start, end, heading, context))
        clauses.append(ClauseEvidence(doc, meta, scores, clause, text, covered, None, item, together))
    for i, c in enumerate(clauses):
        others = max((o.coverage for o in clauses if o is not c), default=math.inf)
        if (
            c.retrieved.metadata.get("kept")
            and not any(re.search(d, c.text) for d in details)
            and c.coverage < KEPT_COVERS * others
        ):
            continue  # a clause only BM25's first hit brings: offered as related, not quoted
        start, end, heading, context = spans[i]
        quote = best_sentences(
            c.doc, start, end, terms, weights, asks_for_list, heading=heading, facets=facets, context=context
        )
        clauses[i] = replace(c, quote=quote)
    absent = [t.word for t in terms if stats.frequency(t) == 0]
    return Evidence(question, terms, weights, clauses, absent)


def best_sentences(
    doc: PolicyDocument,
    start: int,
    end: int,
    terms: list[Term],
    weights: dict[str, float],
    asks_for_list: bool = False,
    *,
    heading: str = "",
    facets: tuple[str, ...] = (),
    context: str = "",
) -> Quote | None:
    """The one or two sentences of ``doc.text[start:end]`` that carry most of the question's words, verbatim."""
    scored, heading_scored, introduces = [], False, set()
    top_weight = max(weights.values(), default=0.0)
    spans = sentence_spans(doc.text, start, end)
    for n, (s, e) in enumerate(spans):
        sentence = doc.text[s:e]
        normalized = normalize(sentence)
        score = sum(weights[t.word] for t in terms if t.found_in(normalized))
        # a list: written inline (内容、方式、时间、地点), or items a lead-in introduces (有下列情形之一的…：(一)…)
        if asks_for_list and sentence.count("、") >= 3:
            score += LIST_BONUS * top_weight
        elif (
            asks_for_list
            and sentence.rstrip().endswith(("：", ":"))
            and n + 1 < len(spans)
            and _ITEM.match(doc.text[spans[n + 1][0] : spans[n + 1][1]])
        ):
            # which of its sentences to quote, not how well the clause answers: the score stays without it
            introduces.add(n)
            score += LIST_BONUS * top_weight
        # a title that states the detail asked (六、…有效，有效期为三年。) answers it
        stated = score > 0 and any(re.search(facet, normalized) for facet in facets)
        if stated:
            score += FACET_BONUS * top_weight
        if n == 0 and heading and len(normalized) <= len(normalize(heading)) + 2 and not stated:
            score *= HEADING_DISCOUNT  # only the clause's title ("2. 创新社会组织培育扶持机制。"): not an answer
            heading_scored = True
        scored.append((score, n, sentence))
    best, first, best_sentence = max(scored, key=lambda item: (item[0], -item[1]), default=(0.0, 0, ""))
    own = best - LIST_BONUS * top_weight if first in introduces else best  # the quote's score
    if best <= 0:
        # Only the clause's headings hold the question's words (应急慈善 → 第八章 应急慈善): quote its opening.
        credit = sum(weights[t.word] for t in terms if context and t.found_in(context))
        if credit <= 0 or not scored:
            return None
        scored = [(credit if n == 0 else 0.0, n, sentence) for _, n, sentence in scored]
        best, best_sentence = credit, scored[0][2]
        own = best
    chosen = sorted((item for item in scored if item[0] >= SECOND_SENTENCE_RATIO * best), key=lambda item: -item[0])[
        :QUOTED_SENTENCES
    ]
    chosen.sort(key=lambda item: item[1])
    if [n for _, n, _ in chosen] == [0] and len(scored) > 1 and heading_scored:
        chosen = scored[1:3]  # only the title matched ("总体目标"): the answer is what the clause says under it
        best_sentence = chosen[0][2]
    if sum(len(sentence) for _, _, sentence in scored) <= SHORT_CLAUSE_CHARS:  # short: quote it whole
        chosen = [item for item in scored if not (item[1] == 0 and heading_scored)] or scored
    numbers = {n for _, n, _ in chosen}
    if facets and numbers == {0} and len(normalize(scored[0][2])) <= OPENING_CHARS:
        # 第三十条 村民委员会实行村务公开制度。 opens the article and shows nothing asked: the sentence that
        # shows it (一般事项至少每季度公布一次) is quoted with it
        showing = [item for item in scored[1:] if any(re.search(f, normalize(item[2])) for f in facets)]
        numbers.update(n for _, n, _ in sorted(showing, key=lambda item: -item[0])[:1])
    if len(facets) > 1:  # 要几个人？要多少钱: each detail asked, from the sentence of the clause that shows it
        for facet in facets:
            if not any(re.search(facet, normalize(scored[n][2])) for n in numbers):
                showing = [item for item in scored if re.search(facet, normalize(item[2]))]
                numbers.update(n for _, n, _ in sorted(showing, key=lambda item: -item[0])[:1])
    for n in sorted(numbers):  # a lead-in ("应当具备下列条件：") is no answer without the items it introduces
        if scored[n][2].rstrip().endswith(("：", ":")):
            for item in range(n + 1, min(n + 1 + LEAD_IN_ITEMS, len(scored))):
                if not _ITEM.match(scored[item][2]):
                    break
                numbers.add(item)
    for n in sorted(numbers):  # an item is no answer without its lead-in ("…经村民会议讨论决定方可办理：")
        lead = n
        while lead > 0 and _ITEM.match(scored[lead][2]):
            lead -= 1
        if lead < n and scored[lead][2].rstrip().endswith(("：", ":")):
            numbers.add(lead)
    for n in sorted(numbers):  # a sentence cut at "；" is quoted from where its subject stands (力争用5年…；…)
        while n > 0 and not _ITEM.match(scored[n][2]) and scored[n - 1][2].rstrip().endswith(("；", ";")):
            n -= 1
            if _ITEM.match(scored[n][2]):
                break
            numbers.add(n)
    last = max(numbers)  # …街道办事处实施管理；规模较小的…: a statement cut at "；" is quoted to its "。"
    while (
        last + 1 < len(scored)
        and scored[last][2].rstrip().endswith(("；", ";"))
        and last - min(numbers) < LEAD_IN_ITEMS
    ):
        if _ITEM.match(scored[last + 1][2]):
            break
        last += 1
        numbers.add(last)
    for a, b in zip(sorted(numbers), sorted(numbers)[1:]):  # one sentence skipped: quote it too, not "……"
        if b - a <= GAP_FILLED + 1:
            numbers.update(range(a, b))
    ordered = sorted(numbers)
    quote = scored[ordered[0]][2]
    for previous, current in zip(ordered, ordered[1:]):
        quote += ("" if current == previous + 1 else "……") + scored[current][2]
    return Quote(quote, own, best_sentence)


def plain_sentence(sentence: str, terms: list[Term], window: int = 3) -> str:
    """The best quoted sentence, verbatim, cut to the run of comma-separated parts that carries the
    question's words when it is long. Empty when the sentence is not a whole one (a broken-off source)."""
    body = re.sub(
        r"^\s*(?:第[一二三四五六七八九十百]+条\s*|\d+[.．]|[（(][一二三四五六七八九十]+[)）])\s*", "", sentence
    )
    if not re.search(r"[。；;！!？?]\s*$", body) or len(body) < 8:
        return ""
    body = body.rstrip("。；;！!？? ")
    parts = [p for p in re.split(r"[,，]", body) if p.strip()]
    if len(body) <= 80 or len(parts) <= window:
        return body + "。"
    hits = [sum(t.found_in(normalize(p)) for t in terms) for p in parts]
    start = max(range(len(parts) - window + 1), key=lambda i: (sum(hits[i : i + window]), -i))
    return "，".join(parts[start : start + window]) + "。"
