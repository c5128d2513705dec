"""What the library says about one question on the retrieval route: the searches a question needs (its
named documents or every document in force, each of its parts, the documents of a place it names, the
clauses where one named document cites another, clauses stating the number it asks for), and the
``Evidence`` of what they found. The router decides the route; this step only gathers.
"""

from __future__ import annotations

import math
import re
from difflib import SequenceMatcher

from assistant.evidence import Evidence, Quote, TermStats, gather
from assistant.facets import DETAIL_DEPTH, asked_details, holds_detail, lift_details
from assistant.library import Library, name_key
from assistant.meanings import meaning_asked, meanings_compared, quoted_sentence, quoted_term_asked
from assistant.ordering import PENALTY_CHAPTER
from assistant.questions import AND_ASKS, ASKS_CONSEQUENCE, PART_BREAK, question_parts, question_terms
from assistant.retrieval import HybridRetriever
from assistant.text import is_english, normalize
from assistant.types import DOC_KINDS, ChunkMeta
from assistant.vocabulary import definitions

PART_WINDOW = 5
"""How many of a part's first clauses it chooses its quote from (``extractive``: MAX_QUOTED + 2)."""
PART_CLAUSES = 2
"""How many clauses each sub-question of a several-part question (or each named document, or the documents
of a named place) adds to the retrieved ones."""
BASIS = r"上位法|[依根]据(?:的)?是?(?:哪|什么)"
"""A question asking what a document rests on (是依据哪个上位法定的, 哪个是根据哪个制定的)."""
RELATION = re.compile(rf"关系|区别|异同|衔接|哪个优先|以哪个为准|{BASIS}")
"""A question about how documents relate, answered first from the clauses where one cites the other."""
OTHER_DOCUMENT = re.compile(r"意见|办法|条例|法律|法规|规定|规章|通知|公告|方案|规划|决定|(?<![方合办])法(?![人定])")
LINKED = re.compile(rf"关系|衔接|哪个优先|以哪个为准|{BASIS}")
"""With one document named, a question about how it relates names the other in its own words (第三方评估的指导
意见) or asks how it is linked to something (第三方评估…跟评估管理办法是什么关系); 慈善法里的公开募捐和定向募捐
有什么区别 does neither: it asks how two things differ."""
LOOKED_IN = re.compile(r"(?:^|\s)(?:里面?|当中|中)(?![华央国共])")
"""Where a named document's name stood, the document is where to look, not one thing related
(《城市居民委员会组织法》里居委会和街道办是什么关系; …是上下级吗？《…》里是怎么说的)."""
DEFINES = re.compile(r"(?:本法|本条例|本办法|本规定|本意见)所称|适用本(?:法|条例|办法|规定)")
"""How a document says what it governs: where two named documents cite neither, these clauses tell them apart."""
HOLDING_MOST = 3
"""A quoted term asked about (“管评分离”是什么意思) is answered from the clauses using it when at most this many do."""
CITING_DEPTH = 20
"""How many clauses of the citing documents are searched for the cited document's name."""
PARALLEL = 0.8
"""A place's clause and one of the national document it carries out say the same thing when their best
sentences match at least this much (difflib ratio): 浙江省志愿服务条例第二十三条 and 志愿服务条例第十七条."""
NATIONAL_COVERS = 1.0
"""…or when it covers at least this share of what the place's clause covers of the question (tune halves: 1.0
gave hit@1, hit@5, facts +1 −0 each; 0.8 hit@1 +2 −1)."""
PENALTY_PAIRS = 2
"""A penalty clause names the misdeed of a rule when it shares at least this many character pairs with the rule's
best sentence (设立, 分支, 支机, 机构)."""
SOURCE_SHARE = 0.8
"""A clause is where a sentence the question quotes comes from when it holds at least this share of the sentence's
character pairs: 探索在居委会下设环境和物业管理委员会 is in 探索在社区居民委员会下设环境和物业管理委员会."""
PARALLEL_DEPTH = 8
"""How deep in the ranking the national clause saying the same thing is looked for."""


class Gatherer:
    """Retrieval for one question, as ``Evidence`` (the clauses found, their coverage and quotes)."""

    def __init__(self, retriever: HybridRetriever, library: Library, stats: TermStats, top_k: int) -> None:
        self.retriever = retriever
        self.library = library
        self.stats = stats
        self.top_k = top_k
        self.defining: dict[str, set[tuple[str, str]]] = {}  # 慈善组织 -> clauses saying what it means
        self.penalties: dict[str, list] = {}
        """Each document's chunks in its penalty chapter (法律责任, 罚则), for documents that have one."""
        for chunk in retriever.index.chunks:
            if PENALTY_CHAPTER.search(chunk.meta.heading_path):
                self.penalties.setdefault(chunk.meta.doc_id, []).append(chunk)
        for chunk in retriever.index.chunks:
            for term in definitions(chunk.text):
                self.defining.setdefault(term, set()).add((chunk.meta.doc_id, chunk.meta.key))

    def __call__(self, question: str, named: list[str], local: list[str]) -> tuple[str, list, Evidence]:
        """(question, retrieved langchain Documents, evidence). ``named``: the documents the question names
        (the search stays inside them); ``local``: the documents of a place it names (台州, 浙江)."""
        old_too = self.library.wants_old(question)  # 2016年原文: superseded texts join the search
        scope = named or self.library.of_kind(
            question, [d.doc_id for d in self.library.documents if d.in_force or old_too]
        )
        # the documents' names say where to look, not what is asked
        query = self.library.set_aside(question, named)
        retrieved = self.search(query, scope, self.top_k)
        parts = question_parts(query)
        english = _english_parts(query) if len(parts) == 1 and is_english(query) else []
        joined = len(english) > 1  # How many people sit on it, and how long is their term?
        if joined:
            parts = english
        # 慈善法和浙江省实施办法是什么关系: the clauses where one cites the other come first
        cited, term, compared = [], "", ()
        details = asked_details(question)  # 多少天 / 多少人: how a clause would state the number asked
        if (sentence := quoted_sentence(question)) and (sources := self._sources(sentence, old_too)):
            # “…”这句出自哪个文件？我记得是浙江条例: the clauses holding the sentence, wherever they are
            cited = sources
        elif (
            named
            and RELATION.search(question)
            # the part asking how they relate, when another part asks something else (…是啥关系？它管哪些组织的认定？)
            and not (
                len(named) > 1 and _topical(RELATION.sub(" ", next((p for p in parts if RELATION.search(p)), query)))
            )
            and (len(named) > 1 or OTHER_DOCUMENT.search(normalize(query)) or LINKED.search(question))
            and not (len(named) == 1 and LOOKED_IN.search(query))
            and not _compared_after(question)
        ):
            cited = [d for doc_id in named for d in self._citing(doc_id, named)]
            if len(named) == 1:  # 浙江省志愿服务条例是依据哪个上位法定的: its own basis (根据国务院《志愿服务条例》)
                # first; asked only what it rests on, not the documents resting on it
                keys = {ChunkMeta.of(d).key for d in cited}
                only = re.search(BASIS, question) and not RELATION.search(re.sub(BASIS, " ", question))
                cited = [d for d in self._basis(named[0]) if ChunkMeta.of(d).key not in keys] + ([] if only else cited)
            if not cited and len(named) > 1:  # 社团条例和民非条例有什么区别: what each says it governs
                cited = [d for doc_id in named for d in self._defining(doc_id)]
        elif compared := meanings_compared(question, self.defining):  # 社团和民非有什么区别: what each means
            cited = [d for t in compared for d in self._meaning(t, scope, local)[:1]]
        elif term := next(
            (t for part in (parts if len(parts) > 1 else [question]) if (t := meaning_asked(part, self.defining))), ""
        ):  # 民非到底是什么; I'm new to social work. What exactly is a 民办非企业单位?
            cited = self._meaning(term, scope, local)[: 1 if len(parts) > 1 else None]
        elif (quoted := quoted_term_asked(parts[0] if len(parts) > 1 else question)) and (
            holding := self._holding(quoted, scope)
        ):  # “管评分离”是什么意思: a term the library does not define, in the clauses that use it
            cited = holding[: 1 if len(parts) > 1 else PART_CLAUSES]
        elif (
            retrieved
            and len(parts) == 1
            and not named
            and not is_english(question)
            and not details
            and (first := self._principal(query, retrieved))
        ):  # 捐钱能抵税吗: asks what the document the question's words all name provides as a whole
            cited = first
        if cited:
            keys = {ChunkMeta.of(c).key for c in cited}
            retrieved = cited + [d for d in retrieved if ChunkMeta.of(d).key not in keys]
        # A question that asks several things, or names several documents, gets the best clauses of each,
        # and one naming a place (台州, 浙江) the best clauses of that place's own documents.
        # a part may ask of a place's documents beside the named ones (…？浙江省在哪些情形下要求…)
        extra = [(part, scope + self._places_asked(part, local, scope)) for part in parts] if len(parts) > 1 else []
        extra += [(query, [doc_id]) for doc_id in named] if len(named) > 1 else []
        extra += [(query, [doc_id]) for doc_id in local]
        own: dict[str, list[str]] = {}  # a part asking of a place: its own best clauses, which it looks at too
        for text, doc_ids in extra:
            keys = {ChunkMeta.of(d).key for d in retrieved}
            found = self.search(text, doc_ids, PART_CLAUSES)
            if text in parts and doc_ids != scope:
                own[text] = [ChunkMeta.of(d).key for d in found]
            retrieved += [d for d in found if ChunkMeta.of(d).key not in keys]
        evidence = gather(question, retrieved, self.library.by_id, self.stats, details)
        evidence.lead = len(cited)
        evidence.defines = (compared or ((term,) if term else ())) if cited else ()
        if details:  # 多少天 / 多少人: clauses stating one, from deeper in the ranking
            evidence.clauses = self._lifted(query, question, evidence, details, scope)
            retrieved = [c.retrieved for c in evidence.clauses]
        nowhere = not named and not local and not self.library.in_province(question)
        if nowhere:
            # the question is of no place (我在杭州 is of 浙江省): the national rule first, the place's beside it
            evidence.clauses, evidence.echoes = self._national_first(evidence.clauses, evidence.lead, details)
            retrieved = [c.retrieved for c in evidence.clauses]
        if len(parts) == 1 and ASKS_CONSEQUENCE.search(question.lower()):  # 这样行不行？被查到会怎么样
            evidence.clauses, evidence.penalty = self._rule_penalty(evidence)
            retrieved = [c.retrieved for c in evidence.clauses]
        if len(parts) > 1:
            evidence.parts = [
                gather(part, _with_own(retrieved, own.get(part, []), self.top_k), self.library.by_id, self.stats)
                for part in parts
            ]
            for part in evidence.parts:  # what rating levels …, and how long …: each part's number, from its own
                part_details = asked_details(part.question)  # search deeper in the ranking (5个等级), unless a
                # clause it would quote states every kind it asks (理事会最少几个人: 第二十条 理事为5人至25人)
                first = [c for c in part.clauses[:PART_WINDOW] if c.quote]
                if part_details and not any(all(re.search(d, c.text) for d in part_details) for c in first):
                    part.clauses = self._lifted(part.question, part.question, part, part_details, scope)
                if ASKS_CONSEQUENCE.search(part.question.lower()):  # …？设了会咋样: the penalty, from deeper
                    part.clauses, part.penalty = self._rule_penalty(part)
                    if part.penalty is None:  # no rule to look the penalty up by: the first penalty found
                        part.clauses = self._with_penalty(part, scope)
                if nowhere:  # 募捐方案要提前几天备案？来不及备案咋办: each part's national rule before the place's
                    part.clauses, part.echoes = self._national_first(part.clauses, 0, part_details)
            evidence.joined = joined
            if cited and not evidence.defines:  # the clauses citing each other answer the part asking how they relate
                evidence.parts = [p for p in evidence.parts if not RELATION.search(p.question)]
        return question, retrieved, evidence

    def _national_first(self, clauses: list, lead: int = 0, details: tuple[str, ...] = ()) -> tuple[list, list]:
        """``clauses`` with a national clause moved before a place's clause that says the same thing or covers no
        more of the question, where the place's document carries out the national one: a question of no place
        is answered by the rule that holds everywhere, and the place's own stays beside it (孩子得了大病…想在网上
        发个求助筹点钱: 慈善法第一百二十四条 before 浙江办法第三十六条第二款). A question asking for a number
        (提前几天备案) also gets, once, a clause of any national document stating one moved before the place's
        (公募办法's 十日前 before 浙江办法's 七日前): that the two differ is then said. Also the (place's, national)
        pairs moved. The first ``lead`` clauses were chosen for what they are (the definitions of 志愿者, national and
        Zhejiang's): only a clause saying the same thing moves before them."""
        ordered, echoes = list(clauses), []
        # asked for a number (提前几天备案), any national rule stating one holds everywhere: 公募办法's 十日前
        # before 浙江办法's 七日前, when the text the place's carries out (慈善法) states none
        everywhere = {d.doc_id for d in self.library.national()} if details else set()
        for i in range(min(len(ordered), PARALLEL_DEPTH)):
            item = ordered[i]
            if not item.quote or not self.library.places_of(item.doc.doc_id):
                continue
            national = {d.doc_id for d in self.library.counterparts(item.doc.doc_id)}
            once = any(e[0] is item and e[1].doc.doc_id not in national for e in echoes)  # moved for its number
            for pool, need in ((national, False), (set() if once else everywhere, True)):
                found = next(
                    (
                        j
                        for j in range(i + 1, min(len(ordered), PARALLEL_DEPTH))
                        if (other := ordered[j]).doc.doc_id in pool
                        and other.quote
                        and (not need or holds_detail(other.text, details))
                        and (
                            _same(other.quote, item.quote)
                            or (i >= lead and other.coverage >= NATIONAL_COVERS * item.coverage)
                        )
                    ),
                    None,
                )
                if found is not None:
                    echoes.append((item, ordered[found]))
                    ordered.insert(i, ordered.pop(found))
                    break
        return ordered, echoes

    def _places_asked(self, part: str, local: list[str], scope: list[str]) -> list[str]:
        """The documents of a place that a part names, beside the documents searched (…？浙江省在哪些情形下…)."""
        of_part = {d.doc_id for d in self.library.local(part)}
        return [doc_id for doc_id in local if doc_id in of_part and doc_id not in scope]

    def search(self, query: str, doc_ids: list[str], k: int) -> list:
        """Clauses for a query, without the documents' header chunks (metadata has its own route)."""
        found = self.retriever.invoke(query, doc_ids=doc_ids, k=k + 2)
        return [d for d in found if ChunkMeta.of(d).section != "metadata"][:k]

    def _principal(self, query: str, retrieved: list) -> list:
        """捐钱能抵税吗: every word the question shares with the library is a word of the first document's title.
        It asks what the document as a whole provides: its first clause that is not a preamble."""
        terms = [t for t in question_terms(query) if self.stats.frequency(t) > 0]
        doc = self.library.by_id[ChunkMeta.of(retrieved[0]).doc_id]
        title = normalize(doc.title)
        if len(terms) < 2 or not all(t.found_in(title) for t in terms):
            return []
        chunks = sorted(
            (c for c in self.retriever.index.chunks if c.meta.doc_id == doc.doc_id and c.meta.section == "clause"),
            key=lambda c: c.meta.start,
        )
        for chunk in chunks:
            body = normalize(chunk.body)
            if not re.search(r"^(?:第[一二三四五六七八九十]+条)?为(?:了|贯彻|进一步|加强|规范|促进)", body):
                found = self.search(body[:60], [doc.doc_id], 3)
                return [d for d in found if ChunkMeta.of(d).key == chunk.meta.key][:1]
        return []

    def _sources(self, sentence: str, old_too: bool) -> list:
        """The clauses (at most ``PART_CLAUSES``) holding the most of a quoted sentence's character pairs, at least
        ``SOURCE_SHARE`` of them, in the documents in force (and the superseded ones when ``old_too``)."""
        pairs = _pairs(sentence)
        scored = []
        for chunk in self.retriever.index.chunks if pairs else []:  # “一、二、三…”: no pair to look for
            doc = self.library.by_id.get(chunk.meta.doc_id)
            if chunk.meta.section != "clause" or not doc or not (doc.in_force or old_too):
                continue
            body = normalize(chunk.body)
            if (share := sum(p in body for p in pairs) / len(pairs)) >= SOURCE_SHARE:
                scored.append((share, chunk))
        found = []
        for _, chunk in sorted(scored, key=lambda s: -s[0])[:PART_CLAUSES]:
            hits = self.search(sentence, [chunk.meta.doc_id], CITING_DEPTH)
            found += [d for d in hits if ChunkMeta.of(d).key == chunk.meta.key][:1]
        return found

    def _defining(self, doc_id: str) -> list:
        """The first clause of a document that says what it governs (本条例所称…是指…, 适用本办法)."""
        found = [d for d in self.search("所称 是指 适用", [doc_id], CITING_DEPTH) if DEFINES.search(d.page_content)]
        return sorted(found, key=lambda d: ChunkMeta.of(d).start)[:1]

    def _meaning(self, term: str, scope: list[str], local: list[str]) -> list:
        """The clauses of the documents in scope that say what ``term`` means (本法所称慈善组织，是指…): a
        place's own documents first when the question names the place, else the higher rank of norm first."""
        places = {p for p in self.defining[term] if p[0] in scope}
        by_id = self.library.by_id
        docs = sorted(
            {doc_id for doc_id, _ in places},
            key=lambda d: (d not in local, DOC_KINDS.index(by_id[d].kind), scope.index(d)),
        )
        found = [d for doc_id in docs for d in self.search(term, [doc_id], CITING_DEPTH)]
        return [d for d in found if (ChunkMeta.of(d).doc_id, ChunkMeta.of(d).key) in places][:PART_CLAUSES]

    def _holding(self, term: str, scope: list[str]) -> list:
        """The clauses in scope whose text holds ``term`` verbatim, when at most ``HOLDING_MOST`` do (a term
        written all over a document, 三社联动, says nothing of where its meaning is)."""
        found = [d for d in self.search(term, scope, CITING_DEPTH) if term in normalize(d.page_content)]
        return found if len(found) <= HOLDING_MOST else []

    def _citing(self, doc_id: str, named: list[str]) -> list:
        """Clauses of the other named documents (or any in force, when one is named) that cite ``doc_id``,
        the earliest of each document first: its basis and scope (根据…制定, 在本省行政区域内…) come first."""
        names, docs = self.library.citing(doc_id, [d for d in named if d != doc_id])
        found = self.search(names[0], docs, CITING_DEPTH) if names and docs else []
        found = [d for d in found if any(n in name_key(d.page_content) for n in names)]
        return sorted(found, key=lambda d: (docs.index(ChunkMeta.of(d).doc_id), ChunkMeta.of(d).start))[:PART_CLAUSES]

    def _lifted(
        self, searched: str, asked: str, evidence: Evidence, details: tuple[str, ...], scope: list[str]
    ) -> list:
        """``evidence``'s clauses with those stating the number asked moved to the front, from them and from a search
        for ``searched`` ``DETAIL_DEPTH`` deep (``asked``: the question their coverage is read against)."""
        more = gather(asked, self._deeper(searched, evidence, scope), self.library.by_id, self.stats, details).clauses
        return lift_details(evidence.clauses, more, details, evidence.terms)

    def _deeper(self, searched: str, evidence: Evidence, scope: list[str]) -> list:
        """What a search for ``searched`` ``DETAIL_DEPTH`` deep finds beyond ``evidence``'s clauses."""
        keys = {c.meta.key for c in evidence.clauses}
        return [d for d in self.search(searched, scope, DETAIL_DEPTH) if ChunkMeta.of(d).key not in keys]

    def _rule_penalty(self, evidence: Evidence) -> tuple[list, tuple[str, str] | None]:
        """``evidence``'s clauses with the penalty for breaking the rule they hold (the quoted clause outside a penalty
        chapter, in a document with one, covering the question most), and that penalty's key. The penalty is the
        clause of the rule's penalty chapter sharing the rarest character pairs with the rule's best sentence: 社会团体
        不得设立地域性的分支机构 finds 违反规定设立分支机构…的，由登记管理机关给予警告."""
        window = evidence.clauses[:PART_WINDOW]
        rules = [
            c
            for c in window
            if c.quote and c.doc.doc_id in self.penalties and not PENALTY_CHAPTER.search(c.meta.heading_path)
        ]
        rule = max(rules, key=lambda c: c.coverage, default=None)
        if rule is None:
            return evidence.clauses, None
        said = _pairs(re.sub(r"^第[一二三四五六七八九十百]+条", "", normalize(rule.quote.best_sentence)))
        size = len(self.retriever.index.chunks)
        scored = []
        for chunk in self.penalties[rule.doc.doc_id]:
            shared = said & _pairs(normalize(chunk.body))
            weight = sum(math.log(size / (1 + self.stats.chunks_with(p))) for p in shared)
            scored.append((len(shared) >= PENALTY_PAIRS, weight, chunk))
        best = max(scored, key=lambda s: s[:2])
        if not best[0]:
            return evidence.clauses, None
        key = best[2].meta.key
        if any(c.meta.key == key for c in window):
            return evidence.clauses, key
        # the penalty as the question's own search of the document ranks it: its scores are what it earned
        depth = int(self.retriever.index.chunk_mask([key[0]]).sum())  # the whole document
        found = [d for d in self.search(evidence.question, [key[0]], depth) if ChunkMeta.of(d).key == key]
        penalty = gather(evidence.question, found[:1], self.library.by_id, self.stats).clauses
        if not penalty or not penalty[0].quote:
            return evidence.clauses, None
        rest = [c for c in evidence.clauses[PART_WINDOW - 1 :] if c.meta.key != key]
        return evidence.clauses[: PART_WINDOW - 1] + penalty + rest, key

    def _with_penalty(self, part: Evidence, scope: list[str]) -> list:
        """A part asking what befalls one who breaks a rule (…？设了会咋样), with the first clause of a penalty
        chapter from a search ``DETAIL_DEPTH`` deep added to its first ``PART_WINDOW`` when none is there."""
        if any(PENALTY_CHAPTER.search(c.meta.heading_path) for c in part.clauses[:PART_WINDOW]):
            return part.clauses
        found = [
            d for d in self._deeper(part.question, part, scope) if PENALTY_CHAPTER.search(ChunkMeta.of(d).heading_path)
        ]
        penalty = gather(part.question, found[:1], self.library.by_id, self.stats).clauses
        window = PART_WINDOW - 1
        return part.clauses[:window] + penalty + part.clauses[window:]

    def _basis(self, doc_id: str) -> list:
        """A document's own earliest clause citing another document in force: what it rests on (根据国务院《志愿服务
        条例》，结合本省实际，制定本条例)."""
        found = []
        for other in (d for d in self.library.documents if d.in_force and d.doc_id != doc_id):
            names, docs = self.library.citing(other.doc_id, [doc_id])
            if docs:
                hits = self.search(names[0], [doc_id], CITING_DEPTH)
                found += [d for d in hits if any(n in name_key(d.page_content) for n in names)]
        return sorted(found, key=lambda d: ChunkMeta.of(d).start)[:1]


def _english_parts(question: str) -> list[str]:
    """An English question asking two kinds of number joined by "and" (how many people …, and how long …), cut
    in two; one part otherwise. Joined questions asking one kind, or no number, stay whole: cutting them lost
    more than it gained on the tune halves (see the CHANGELOG)."""
    pieces = [p.strip() for p in AND_ASKS.split(question) if p.strip()]
    kinds = [set(asked_details(p)) for p in pieces]
    if len(pieces) == 2 and all(kinds) and not kinds[0] & kinds[1]:
        return pieces
    return [question]


def _with_own(retrieved: list, keys: list[str], window: int) -> list:
    """``retrieved`` with the clauses of ``keys`` (a part's own search) moved to the end of its first ``window``,
    where a part looks for its best clause: the whole question's best clauses stay first."""
    by_key = {ChunkMeta.of(d).key: d for d in retrieved}
    own = [by_key[k] for k in dict.fromkeys(keys) if k in by_key]
    rest = [d for d in retrieved if d not in own]
    head = rest[: max(window - len(own), 0)]
    return head + own + [d for d in rest if d not in head]


def _same(a: Quote, b: Quote) -> bool:
    """Two quotes whose best sentences say the same thing (提供 / 购买相应的人身意外伤害保险)."""
    return SequenceMatcher(None, normalize(a.best_sentence), normalize(b.best_sentence)).ratio() >= PARALLEL


def _compared_after(question: str) -> bool:
    """Whether a question first asks a thing and then how documents differ on it (…应该向哪一级民政部门备案？
    和慈善法的一般规定有什么区别): it asks what each says on that thing. (…是什么意思？跟…是什么关系 does ask how
    the documents are linked.)"""
    asked = [p for p in PART_BREAK.split(question) if p.strip()]
    return len(asked) > 1 and not RELATION.search(asked[0]) and not LINKED.search(question)


def _topical(text: str) -> bool:
    """Whether a question naming two documents also names a policy topic (…关于募捐方案备案有什么区别): then
    it compares what they say on that topic, and is answered like any content question. (With one document
    named, the other side is usually a document the question names in its own words: 第三方评估指导意见.)"""
    return any(t.is_policy_term for t in question_terms(text))


def _pairs(text: str) -> set[str]:
    """The Chinese character pairs of a text (as the keyword index's ``#`` tokens are made)."""
    return {run[i : i + 2] for run in re.findall(r"[\u4e00-\u9fff]+", text) for i in range(len(run) - 1)}
