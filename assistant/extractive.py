"""The extractive answerer, the default: quotes the retrieved clauses' best sentences and says nothing
they do not say. When the question names several documents, or the best clauses come from
different documents, each is quoted; when documents in force set different figures for the same
point (七日前 / 十日前), the answer says they differ instead of picking one."""

from __future__ import annotations

import os
import re
from dataclasses import replace

from assistant import messages, ordering
from assistant.citations import chunk_citation, clause_citation
from assistant.evidence import (
    SHORT_CLAUSE_CHARS,
    ClauseEvidence,
    Evidence,
    Quote,
    TermStats,
    clause_span,
    gather,
    plain_sentence,
)
from assistant.facets import asked_details, holds_detail
from assistant.ordering import PENALTY_CHAPTER
from assistant.presentation import format_answer, unset_details
from assistant.questions import ASKS_CONSEQUENCE, asked_facets
from assistant.text import normalize, sentence_spans
from assistant.types import Answer, AnswerRequest, Citation, PolicyDocument
from assistant.vocabulary import definitions

MAX_QUOTED = 3
"""At most this many clauses are quoted in one answer."""
RULE_RATIO = 0.8
"""A rule leads the penalty for breaking it when it covers at least this share of what the penalty covers."""
NAMED_LEAD_RATIO = 0.75
"""A clause of a document the question names (or whose place it names) is quoted first when its coverage
is at least this share of the best clause's."""
SECOND_QUOTE_RATIO = 0.6
"""Another clause is quoted when its best sentences score at least this share of the first's."""
COMPLEMENT_SHARE = 0.15
"""Another clause is quoted, too, when it holds question words of at least this share of the question's weight
that no clause quoted so far holds (社区工作者的薪酬和培训分别有什么规定: 五12 on pay, and 三8 on training beside it).
Tune halves of twenty sets: .25 → .2, .15, .1 gave facts +2, +6, +7 and nothing lost; answers 3% longer at .15."""
ASKS_NOW = re.compile(
    r"现在|现行|目前|如今|眼下|新版|最新|改了|改没改|变了|仍然|依然|还(?:是)?这样|\bnow\b|current|\bstill\b|\banymore\b"
)
"""A question asking what holds now, beside an earlier version it names."""
STATED_DEPTH = 5
"""How deep in the retrieved clauses a clause stating a detail asked is looked for when none quoted states it."""
STATED_RATIO = 0.8
"""Such a clause is quoted when it covers at least this share of what the best quoted clause covers."""
AHEAD_RATIO = 0.5
"""…or this share, when retrieval (with the clauses stating the number lifted) ranks it ahead of the first quoted
clause: a part chose past it (人数够不够？不够的话…: 二(二)2 on 备案 for both parts, 第十条 ranked first)."""
BESIDE_MARGIN = 2.0
"""A lone quoted clause gets the next retrieved clause with a quote beside it when that one's ``ordering`` score
is at most this much lower (odds e² lower). Tune halves, against none beside: facts +10 −0 at 2 (answers 2%
longer, 39 more answers quoting two clauses); +11 −0 beside every lone clause, answers 15% longer; margins 1
and 3: +5, +10."""
SETS_STANDARD = re.compile(r"[^。；]*?标准[^。；]{0,30}?由[^。；]{1,40}?制定")
"""A sentence leaving a standard to a named body (社会组织评估标准和内容……由民政部统一制定)."""
SETTER_TERMS = 2
"""Question words the standard's subject must hold (社会组织, 评估: 社会组织评估标准; 志愿者 alone is not the
insurance asked about in 志愿者的认定标准)."""
STANDARD_DETAILS = frozenset({"具体金额或收费标准", "具体比例", "具体时长", "具体分数"})
"""The details asked that such a standard sets (an amount, a share, hours, a score), not a date or a place."""
# A figure with its unit: 七日, 十日前, 三个月, 30%, 5000元.
# What follows says what the figure bounds: 七日前 and 十日前 differ on one point, 有效期为4年 and 1年内 are two.
_FIGURE = re.compile(
    r"([0-9０-９一二三四五六七八九十百千万两]+)\s*(个工作日|个月|日|天|年|周|%|％|元|万元|人|名|个)(以前|以内|以上|以下|前|内|后)?"
)


class ExtractiveAnswerer:
    """Answers by quoting; the one contract: ``AnswerRequest -> Answer``."""

    def __init__(self, documents: dict[str, PolicyDocument], stats: TermStats) -> None:
        self.documents = documents
        self.stats = stats

    def __call__(self, request: AnswerRequest) -> Answer:
        evidence = request.evidence or gather(request.question, request.documents, self.documents, self.stats)
        quoted = _with_current_text(_with_stated_detail(self._choose(evidence, request.named_docs), evidence), evidence)
        if not quoted:
            return Answer(
                request.question, messages.not_found(request.question), False, [], request.audience, kind="not_found"
            )
        citations = [chunk_citation(c.doc, c.meta, quote=c.quote.text, score=c.scores.score) for c in quoted]
        seen = {(c.doc_id, c.clause) for c in citations}
        for item in evidence.clauses:
            citation = chunk_citation(item.doc, item.meta, score=item.scores.score)
            if (citation.doc_id, citation.clause) not in seen and item.meta.key not in {q.meta.key for q in quoted}:
                citations.append(citation)
        shown = len(quoted)
        setter = self._standard_setter(request.question, citations[:shown], evidence) if shown < MAX_QUOTED else None
        if setter is not None:  # 多少分能评3A: no clause sets it; 评估标准……由民政部统一制定 says who does
            rest = [c for c in citations[shown:] if (c.doc_id, c.clause) != (setter.doc_id, setter.clause)]
            citations = [*citations[:shown], setter, *rest]
            shown += 1
        asked = asked_details(request.question) + asked_facets(request.question)
        # only the clauses chosen for the point asked can differ on it, not one quoted beside them
        chosen = [citation for citation, c in zip(citations, quoted) if not c.beside]
        notes = [conflict] if (conflict := conflict_notice(chosen, asked)) else []
        plain = plain_sentence(quoted[0].quote.best_sentence, evidence.terms)
        if (
            normalize(plain).rstrip("。") in normalize(quoted[0].quote.text)
            and len(quoted[0].quote.text) <= len(plain) + 10
        ):
            plain = ""  # the quote is already as short as the plain sentence: say it once
        text = format_answer(citations[:shown], request.audience, plain=plain, question=request.question, notes=notes)
        return Answer(request.question, text, True, citations, request.audience, kind="retrieval")

    def _standard_setter(self, question: str, quoted: list[Citation], evidence: Evidence) -> Citation | None:
        """When the question asks for a figure (分数, 金额, 比例, 时长) that no quoted clause states, the clause of a
        quoted document that leaves the standard for it to a named body (社会组织评估标准和内容……由民政部统一制定):
        where the figure is set. Its sentence must name ``SETTER_TERMS`` question words before 由."""
        if not set(unset_details(question, quoted)) & STANDARD_DETAILS:
            return None
        held = {(c.doc_id, c.clause) for c in quoted}
        for doc_id in dict.fromkeys(c.doc_id for c in quoted):
            doc = self.documents[doc_id]
            for _, clause in doc.iter_clauses():
                for sentence in SETS_STANDARD.findall(clause.text):
                    leaves = normalize(sentence.split("由")[0])
                    if sum(t.found_in(leaves) for t in evidence.terms) >= SETTER_TERMS:
                        citation = clause_citation(doc, clause, quote=sentence.strip() + "。")
                        return None if (citation.doc_id, citation.clause) in held else citation
        return None

    def _choose(self, evidence: Evidence, named: list[str]) -> list[ClauseEvidence]:
        """The clause of all retrieved that ``ordering`` scores best first (a named document's leading when it
        covers nearly as much), then others that cover as much, or the best of each named document.

        A question in several parts quotes the best clause of each part.
        """
        if evidence.lead:  # how named documents relate: where one cites another, or what each governs
            lead = evidence.clauses[: min(evidence.lead, MAX_QUOTED)]
            if not evidence.defines:
                lead = [c if c.quote else replace(c, quote=opening_quote(c)) for c in lead]
                # …是啥关系？它管哪些组织的认定？: how they relate first, then the best clause of each other part
                return _by_part(evidence.parts, lead)[:MAX_QUOTED] if evidence.parts else lead
            lead = [replace(c, quote=defining_quote(c, evidence.defines)) for c in lead]
            # 志愿服务记录证明是什么？志愿者要开证明找谁: the meaning answers the first part, the rest as below
            return _by_part(evidence.parts[1:], lead[:1])[:MAX_QUOTED] if evidence.parts else lead
        if evidence.parts:
            return _by_part(evidence.parts, [], share=evidence.joined)[:MAX_QUOTED]
        candidates = [c for c in evidence.clauses if c.quote]
        top = max((c.coverage for c in candidates), default=0.0)
        scores = ordering.scores(evidence, candidates, named)
        score = {id(c): s for c, s in zip(candidates, scores)}

        # A named document's clause leads when it covers nearly as much as the best (台州的… asks for 台州's rule).
        def leads(c: ClauseEvidence) -> bool:
            return c.doc.doc_id in named and c.coverage >= NAMED_LEAD_RATIO * top

        ranked = sorted(
            candidates,
            key=lambda c: (
                not leads(c),
                named.index(c.doc.doc_id) if leads(c) else 0,  # the documents compared, in the order named
                -score[id(c)],
                evidence.clauses.index(c),
            ),
        )
        ranked = _rule_before_penalty(_national_before_echo(ranked, evidence.echoes), evidence.question)
        chosen: list[ClauseEvidence] = []
        for item in ranked:
            if _repeats(item, chosen):  # 四 quoting its item (八), already quoted as 四(八)
                continue
            if not chosen:
                chosen.append(item)
                continue
            first, quoted_docs = chosen[0], {c.doc.doc_id for c in chosen}
            named_other = item.doc.doc_id in named and item.doc.doc_id not in quoted_docs
            # Named documents not quoted yet keep a place each: a comparison quotes every side.
            waiting = {c.doc.doc_id for c in candidates if c.doc.doc_id in named} - quoted_docs - {item.doc.doc_id}
            strong = item.coverage >= first.coverage and item.quote.score >= SECOND_QUOTE_RATIO * first.quote.score
            if (named_other and len(chosen) < MAX_QUOTED) or (strong and len(chosen) + len(waiting) < MAX_QUOTED):
                chosen.append(item)
        for item in ranked:
            if (
                len(chosen) < MAX_QUOTED
                and item not in chosen
                and not _repeats(item, chosen)
                and _adds(evidence, chosen, item) >= COMPLEMENT_SHARE
            ):
                chosen.append(item)
        if len(chosen) < MAX_QUOTED and not any(PENALTY_CHAPTER.search(c.meta.heading_path) for c in chosen):
            # 这样行不行？被查到会怎么样: the penalty for breaking the rule quoted, beside it
            docs = {c.doc.doc_id for c in chosen}
            chosen += [
                c for c in ranked if c.meta.key == evidence.penalty and c.doc.doc_id in docs and not _repeats(c, chosen)
            ][:1]
        if len(chosen) == 1:  # the next retrieved clause, quoted beside it when it scores nearly as well
            runner = next(
                (c for c in evidence.clauses if c.quote and c is not chosen[0] and not _repeats(c, chosen)), None
            )
            if runner is not None and score[id(runner)] >= score[id(chosen[0])] - BESIDE_MARGIN:
                chosen.append(replace(runner, beside=True))
        return chosen


def _with_stated_detail(quoted: list[ClauseEvidence], evidence: Evidence) -> list[ClauseEvidence]:
    """The quoted clauses, and a retrieved one among the first ``STATED_DEPTH`` that states a detail asked (人数,
    期限, 金额) which none of them states: the answer must not say the library sets no such detail when a
    clause it found does (人数够不够？不够的话还有别的办法吗: 备案 answers the second part, 第十条 the first)."""
    if not quoted:
        return quoted
    top = max(c.coverage for c in quoted)
    keys = [c.meta.key for c in evidence.clauses]
    first = keys.index(quoted[0].meta.key) if quoted[0].meta.key in keys else len(keys)

    def enough(n: int, c: ClauseEvidence) -> bool:  # ranked ahead of the first quoted clause, it may cover less
        return c.coverage >= (AHEAD_RATIO if n < first else STATED_RATIO) * top

    for stated in asked_facets(evidence.question):
        if any(re.search(stated, c.text) for c in quoted):
            continue
        holder = next(
            (
                c
                for n, c in enumerate(evidence.clauses[:STATED_DEPTH])
                if c.quote and c not in quoted and enough(n, c) and re.search(stated, c.text)
            ),
            None,
        )
        if holder is not None:
            quoted = [*quoted, holder] if len(quoted) < MAX_QUOTED else [*quoted[:-1], holder]
    return quoted


def _with_current_text(quoted: list[ClauseEvidence], evidence: Evidence) -> list[ClauseEvidence]:
    """A superseded text's clause quoted (the 2016 原文's 第二十二条, 登记满二年) with the same article of the text that
    replaced it (满一年), from what retrieval holds: before it when the question asks what holds now (现在规定…？以前
    老版本写的是两年，是改了吗), else after it. Asked what holds now, the replacing text's clauses lead every old one."""
    quoted = list(quoted)
    now = bool(ASKS_NOW.search(evidence.question.lower()))
    for old in [c for c in quoted if not c.doc.in_force]:
        held = next((c for c in quoted if _twin(c, old)), None)
        if held is not None:
            if now and quoted.index(held) > quoted.index(old):
                quoted.remove(held)
                quoted.insert(quoted.index(old), held)
            continue
        if any(c.doc.title == old.doc.superseded_by for c in quoted):
            continue  # another article of the text in force answers
        found = next((c for c in evidence.clauses if _twin(c, old)), None)
        if found is None:
            continue
        found = found if found.quote else replace(found, quote=opening_quote(found))
        quoted.insert(quoted.index(old) + (0 if now else 1), found)
        if len(quoted) > MAX_QUOTED:
            quoted.remove(next(c for c in reversed(quoted) if c is not old and c is not found))
    old_at = next((i for i, c in enumerate(quoted) if not c.doc.in_force), None)
    if now and old_at is not None:  # …说要满两年，现在还是这样吗: the text that replaced it leads every old article
        replacing = {c.doc.superseded_by for c in quoted if not c.doc.in_force}
        moved = [c for c in quoted[old_at:] if c.doc.in_force and c.doc.title in replacing]
        quoted = quoted[:old_at] + moved + [c for c in quoted[old_at:] if c not in moved]
    return quoted


def _twin(clause: ClauseEvidence, old: ClauseEvidence) -> bool:
    """Whether ``clause`` is ``old``'s article in the text in force that replaced ``old``'s document."""
    return clause.doc.in_force and clause.doc.title == old.doc.superseded_by and clause.meta.clause == old.meta.clause


def _national_before_echo(
    ranked: list[ClauseEvidence], echoes: list[tuple[ClauseEvidence, ClauseEvidence]]
) -> list[ClauseEvidence]:
    """``ranked`` with each national clause just before the place's clause that repeats it, where it stood
    after it: 志愿者参加有危险的活动，组织方要买意外险吗 is answered by 志愿服务条例第十七条, and 浙江省志愿服务条例
    第二十三条, which repeats it, follows (``gathering``'s order, kept whatever the first-clause score says)."""
    ordered = list(ranked)
    for place, national in echoes:
        if place in ordered and national in ordered and ordered.index(national) > ordered.index(place):
            ordered.remove(national)
            ordered.insert(ordered.index(place), national)
    return ordered


def _rule_before_penalty(ranked: list[ClauseEvidence], question: str) -> list[ClauseEvidence]:
    """``ranked`` with the rule itself first when a penalty for breaking it leads and the rule, in the same
    document, covers nearly as much: 志愿者能收成本费吗 is answered by 不得向志愿服务对象收取…报酬 (第二十一条), and
    the warning for doing so (第三十七条, 法律责任) follows. Not when the question asks what happens to one who does."""
    if (
        not ranked
        or ASKS_CONSEQUENCE.search(question.lower())
        or not PENALTY_CHAPTER.search(ranked[0].meta.heading_path)
    ):
        return ranked
    first = ranked[0]
    rule = next(
        (
            c
            for c in ranked[1:]
            if c.doc.doc_id == first.doc.doc_id
            and not PENALTY_CHAPTER.search(c.meta.heading_path)
            and c.coverage >= RULE_RATIO * first.coverage
        ),
        None,
    )
    return ranked if rule is None else [rule] + [c for c in ranked if c is not rule]


def _repeats(item: ClauseEvidence, chosen: list[ClauseEvidence]) -> bool:
    """Whether ``item``'s best sentence is quoted already: a clause and its parent (四 and 四(八)) quote the same."""
    sentence = normalize(item.quote.best_sentence)
    return bool(sentence) and any(sentence in normalize(c.quote.text) for c in chosen)


def _adds(evidence: Evidence, chosen: list[ClauseEvidence], item: ClauseEvidence) -> float:
    """The share of the question's word weight that ``item`` holds and no clause in ``chosen`` does."""
    total = sum(evidence.weights[t.word] for t in evidence.terms if t.word not in evidence.absent)
    held = [t for t in evidence.terms if t.found_in(item.text) and not any(t.found_in(c.text) for c in chosen)]
    return sum(evidence.weights[t.word] for t in held) / total if total else 0.0


def _by_part(parts: list[Evidence], chosen: list[ClauseEvidence], share: bool = False) -> list[ClauseEvidence]:
    """``chosen`` and the best clause of each part after it, each quoted with what answers its part. With
    nothing chosen yet, the first part's clause is the one ``ordering`` scores best (tune halves: hit@1 +15 −3,
    facts +2 −2, against the best covering; for every part, facts fell: +4 −6).

    ``share``: the parts are the two numbers an English question joins by "and" (how many people sit on a
    residents' committee, and how long is their term?). A clause that the last part is best answered by (第八条,
    每届任期五年) is left to it when another clause covers this part as much, states its number too and quotes
    better for it (第七条, 五至九人组成)."""
    chosen = list(chosen)
    last = [c for c in parts[-1].clauses[: MAX_QUOTED + 2] if c.quote] if share else []
    needed = max(last, key=lambda c: c.coverage).meta.key if last else None  # what the last part needs most
    for n, part in enumerate(parts):
        quoted = {c.meta.key for c in chosen}
        details = asked_details(part.question)

        # The answer's first clause as ``ordering`` scores it; a later part's: the best covering, at equal
        # coverage a quote showing what is asked (过半数), then a clause not quoted yet.
        candidates = [c for c in part.clauses[: MAX_QUOTED + 2] if c.quote]
        if (
            not chosen and len(details) > 1
        ):  # what grade levels are there: 5个等级, 5A级 (both kinds asked) before 3A以上
            every = [c for c in candidates if all(re.search(d, c.text) for d in details)]
            candidates = every or candidates
        covers = {id(c): (c.coverage, holds_detail(c.quote.text, details)) for c in candidates}
        if chosen or not candidates:  # 志愿服务可以收钱么？被查到会咋样: at equal coverage, the penalty
            penal = bool(ASKS_CONSEQUENCE.search(part.question.lower()))
            ranks = {
                id(c): (
                    *covers[id(c)],
                    c.meta.key == part.penalty,  # …？设了会咋样: the penalty for breaking the rule
                    penal and bool(PENALTY_CHAPTER.search(c.meta.heading_path)),
                    c.meta.key not in quoted,
                    c.quote.score,  # 年检收费吗: the sentence saying 年度检查不得收取费用, not one saying 不得收取费用
                )
                for c in candidates
            }
        else:
            scores = ordering.scores(part, candidates, [])
            ranks = {id(c): (s,) for c, s in zip(candidates, scores)}
        best = max(candidates, key=lambda c: ranks[id(c)], default=None)
        if best and n < len(parts) - 1 and best.meta.key == needed:
            alike = [c for c in candidates if c is not best and covers[id(c)] == covers[id(best)]]
            other = max(alike, key=lambda c: c.quote.score, default=None)
            best = other if other and other.quote.score > best.quote.score else best
        elif best and not share and best.meta.key in _best_covering(parts[n + 1 :]):
            # 整改期限是多长？连续两年不参加年检会有什么后果: the clause a later part needs most (第十条) does not
            # answer this part alone when another covers this part more and states what it asks (第九条, 整改期限为3个月)
            other = max(
                (
                    c
                    for c in candidates
                    if c.meta.key not in quoted
                    and c.coverage > best.coverage
                    and (not details or holds_detail(c.quote.text, details))
                ),
                key=lambda c: c.coverage,
                default=None,
            )
            if other and best.meta.key not in quoted:
                chosen.append(best)
                quoted.add(best.meta.key)
            best = other or best
        pair = next(((place, national) for place, national in part.echoes if best is place or best is national), ())
        for c in reversed(pair):  # a part of no place: the national rule first, the place's that echoes it beside
            if c.meta.key not in quoted:
                chosen.append(c)
                quoted.add(c.meta.key)
        if best and best.meta.key not in quoted:
            chosen.append(best)  # quoted with the sentences that answer this part
        elif best:  # one clause answers two parts: quote what answers each
            i = next(i for i, c in enumerate(chosen) if c.meta.key == best.meta.key)
            chosen[i] = _with_more(chosen[i], best.quote)
    return chosen


def _best_covering(parts: list[Evidence]) -> set[tuple[str, str]]:
    """The clause each of ``parts`` covers best among its first quoted candidates."""
    keys = set()
    for part in parts:
        candidates = [c for c in part.clauses[: MAX_QUOTED + 2] if c.quote]
        if candidates:
            keys.add(max(candidates, key=lambda c: c.coverage).meta.key)
    return keys


def opening_quote(item: ClauseEvidence, sentences: int = 2) -> Quote:
    """A clause's first sentences, verbatim: the quote of a clause chosen for what it is, not for the
    question's words (a document's 本条例所称… when two documents are compared)."""
    start, end = clause_span(item.doc, item.meta, item.clause)
    spans = sentence_spans(item.doc.text, start, end)[:sentences]
    text = "".join(item.doc.text[s:e] for s, e in spans)
    return Quote(text, 0.0, item.doc.text[spans[0][0] : spans[0][1]] if spans else "")


def defining_quote(item: ClauseEvidence, terms: tuple[str, ...]) -> Quote:
    """The sentences of a clause that say what one of ``terms`` means (本法所称慈善组织，是指…), verbatim, with
    those that follow to the end of the clause when the definition ends in a list (…下列公益活动：); a short clause
    defining no other term whole (``SHORT_CLAUSE_CHARS``)."""
    start, end = clause_span(item.doc, item.meta, item.clause)
    spans = sentence_spans(item.doc.text, start, end)
    says = [i for i, (s, e) in enumerate(spans) if set(terms) & set(definitions(item.doc.text[s:e]))]
    if not says:
        return item.quote or opening_quote(item)
    first = item.doc.text[spans[says[0]][0] : spans[says[0]][1]]
    defined = {term for s, e in spans for term in definitions(item.doc.text[s:e])}
    if end - start <= SHORT_CLAUSE_CHARS and defined <= set(terms):  # short, defining only what is asked: whole
        # (居民委员会是…自治组织。…给予指导、支持和帮助), not 志愿服务组织's definition beside 志愿者's
        return Quote(item.doc.text[spans[0][0] : spans[-1][1]], 0.0, first)
    if first.rstrip().endswith(("：", ":")):  # 本法所称慈善活动，是指…下列公益活动：(一)…
        return Quote(item.doc.text[spans[says[0]][0] : spans[-1][1]], 0.0, first)
    return Quote("……".join(item.doc.text[s:e] for s, e in (spans[i] for i in says)), 0.0, first)


def _with_more(item: ClauseEvidence, more) -> ClauseEvidence:
    """``item`` quoting also the sentences of ``more`` (another part's quote of the same clause)."""
    pieces = {normalize(p): p for p in reversed(item.quote.text.split("……") + more.text.split("……"))}
    # a piece inside another (the first sentences of a quote that the other part quotes whole) is left out
    kept = [p for key, p in reversed(pieces.items()) if not any(key != other and key in other for other in pieces)]
    text = "……".join(kept)
    return item if text == item.quote.text else replace(item, quote=replace(item.quote, text=text))


def _figures(text: str) -> dict[str, set[str]]:
    found: dict[str, set[str]] = {}
    for number, unit, bound in _FIGURE.findall(text):
        found.setdefault(unit + bound, set()).add(number)
    return found


LEAD = 4
"""Two figures are on the same point when the words before them end in at least this many same characters."""


def _leads(text: str, unit: str) -> list[str]:
    """The six characters before each figure of ``unit`` in ``text``, numbers written as #."""
    text = normalize(text)
    return [
        re.sub(r"[0-9一二三四五六七八九十百千万两]+", "#", text[max(0, m.start() - 6) : m.start()])
        for m in _FIGURE.finditer(text)
        if m.group(2) + (m.group(3) or "") == unit
    ]


def _same_lead(a: str, b: str) -> bool:
    return len(os.path.commonprefix([a[::-1], b[::-1]])) >= LEAD


def conflict_notice(citations: list[Citation], asked: tuple[str, ...] = ()) -> str:
    """Documents in force that quote different figures of the same unit on the point asked.

    ``asked``: how a sentence shows the detail the question asks for (``facets.asked_details``, ``questions.asked_facets``): a unit
    whose figures show it is compared first (提前几天: 十日前 and 七日前, not the 十日内 beside them)."""
    current = [c for c in citations if c.status == "现行有效"]
    by_doc: dict[str, Citation] = {}
    for c in current:
        by_doc.setdefault(c.doc_id, c)
    if len(by_doc) < 2:
        return ""
    figures = {doc_id: _figures(c.quote) for doc_id, c in by_doc.items()}
    # the units asked for first, then in the order the quotes state them: the same notice on every run
    units = list(dict.fromkeys(u for f in figures.values() for u in f))
    shows = {
        u: any(re.search(a, number + u) for f in figures.values() for number in f.get(u, ()) for a in asked)
        for u in units
    }
    # when two quotes state the unit asked (a share: 70%), that is the point compared, not the years beside it
    asked_units = [u for u in units if shows[u] and sum(u in f for f in figures.values()) >= 2]
    for unit in asked_units or sorted(units, key=lambda u: not shows[u]):
        values = {doc_id: f[unit] for doc_id, f in figures.items() if unit in f}
        # the same point: a figure of each follows the same words (募捐活动七日前 / 募捐活动十日前, not 审查同意之日起
        # 30日内 / 出具…文件之日起90日内)
        leads = {doc_id: _leads(by_doc[doc_id].quote, unit) for doc_id in values}
        values = {
            d: v
            for d, v in values.items()
            if any(_same_lead(a, b) for other in values if other != d for a in leads[d] for b in leads[other])
        }
        # different figures, none shared: 七日前 and 十日前 differ; 五日内、十日内 and 十日内 state two points
        if len(values) >= 2 and not set.intersection(*values.values()):
            details = "；".join(
                f"《{by_doc[d].short_title or by_doc[d].doc_title}》{by_doc[d].reference}："
                + "、".join(sorted(v))
                + unit
                for d, v in values.items()
            )
            return messages.CONFLICT.format(details=details)
    return ""
