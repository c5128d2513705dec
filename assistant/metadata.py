"""The metadata answerer: what a document is (number, issuer, kind, status, dates), from its parsed
header and, for when it takes effect and what it repeals, from the document's own closing clause."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import replace

from assistant import messages
from assistant.citations import clause_citation, section_citation, source_line
from assistant.library import Library
from assistant.questions import LIBRARY_STATUS, METADATA_QUESTIONS, OUTLINE_WORDS, SUMMARY, kind_asked
from assistant.references import int_to_cn
from assistant.types import Answer, AnswerRequest, Citation, Clause, PolicyDocument


class MetadataAnswerer:
    """Answers what a document is: number, issuer, kind, status, dates, from its parsed header."""

    def __init__(self, library: Library, guess_document) -> None:
        self.library = library
        self.guess_document = guess_document  # (topic words) -> PolicyDocument | None

    def __call__(self, request: AnswerRequest, fields: list[str], topic: list[str] = ()) -> Answer:
        if fields == ["library"]:
            return self._holdings(request)
        docs = [self.library.by_id[d] for d in request.named_docs if d in self.library.by_id]
        guessed = ""
        if not docs and len(self.library.documents) == 1:
            docs = self.library.documents
        if not docs and topic and (doc := self.guess_document(topic)):
            docs, guessed = [doc], messages.GUESSED_DOCUMENT.format(title=doc.title)
        if not docs:
            return self._which(request)
        blocks, citations = [], []
        asked = fields
        for doc in docs[:3]:
            fields = asked + _instead(doc, asked)
            own = _own_clause(doc, fields)
            lines = [f"《{doc.title}》"] + [
                f"{messages.METADATA_LABELS[f]}：{_value(doc, f, own)}" for f in fields if f != "outline"
            ]
            if "outline" in fields:  # 有哪几章, 主要有哪几项计划: the headings, each cited
                headings = outline(doc, request.question)
                lines.append(f"{messages.METADATA_LABELS['outline']}：")
                lines += [
                    f"· {c.title}" if c.level == 1 or c.label.endswith(("编", "章", "节")) else f"· {c.id} {c.heading}"
                    for c in headings
                ]
                citations += [
                    replace(clause_citation(doc, c, quote=c.title, narrow=False), text=c.text) for c in headings
                ]
                if SUMMARY.search(unicodedata.normalize("NFKC", request.question).lower()) and (
                    purpose := _purpose(doc)
                ):  # 总结一下慈善法: what the text says it is for, before its headings
                    citations.insert(len(citations) - len(headings), purpose)
                    lines.insert(1, f"原文：“{purpose.quote}”\n{source_line(purpose)}")
            quote = _header_lines(doc, fields)
            citation = section_citation(doc, "文件信息", quote=quote)
            lines += [f"原文：“{quote}”" if quote else "", source_line(citation)]
            citations.append(citation)
            if own:  # 本法自…起施行 / 同时废止: the text's own word on it
                clause, sentences = own
                cited = clause_citation(doc, clause, quote=sentences)
                # asked since when it applies, or whether it (or what it repealed) is in force: the article
                # saying so is the first authority
                # …or since when, when no header line says so (浙江省志愿服务条例: 本条例自2018年9月1日起施行)
                first = set(fields) <= {"effective", "status"} or ("effective" in fields and "施行" not in quote)
                citations.insert(len(citations) - 1 if first else len(citations), cited)
                lines += [f"原文：“{sentences}”", source_line(cited)]
            # 共三十七条: the last article's number shows it (an outline lists every chapter instead)
            if "extent" in fields and "outline" not in fields and (last := _last_article(doc)):
                sentence = _first_sentence(last.text)
                cited = clause_citation(doc, last, quote=sentence)
                # asked only how long it is: no header line says so, the last article does
                citations.insert(len(citations) - 1 if fields == ["extent"] else len(citations), cited)
                lines += [f"原文：“{sentence}”", source_line(cited)]
            blocks.append("\n".join(line for line in lines if line))
        text = "\n\n".join(blocks) + (f"\n{guessed}" if guessed else "")
        return Answer(request.question, text, True, citations, request.audience, kind="metadata")

    def _holdings(self, request: AnswerRequest) -> Answer:
        """What the library holds: each document's title, number, kind and status, cited from its header; only
        those no longer in force (哪些文件已经失效了), or only those of one kind with who issued each
        (哪几份文件属于地方性法规), when the question asks."""
        docs = self.library.documents
        # numbers in words: a figure in an answer is one its citations state (see evaluation.fabricated_numbers)
        count, in_force = int_to_cn(len(docs)), int_to_cn(sum(d.in_force for d in docs))
        lines = [messages.LIBRARY.format(count=count, in_force=in_force)]
        lowered = unicodedata.normalize("NFKC", request.question).lower()
        kind = kind_asked(lowered)
        if kind:
            docs = [d for d in docs if d.kind == kind]
            of_kind = "两" if len(docs) == 2 else int_to_cn(len(docs))
            lines = [messages.LIBRARY_OF_KIND.format(count=count, kind=kind, of_kind=of_kind)]
        elif LIBRARY_STATUS.search(lowered):  # 哪些文件已经失效了
            docs = [d for d in docs if not d.in_force]
            lines = [
                messages.LIBRARY_NOT_IN_FORCE.format(count=count, old=int_to_cn(len(docs)))
                if docs
                else messages.LIBRARY_ALL_IN_FORCE.format(count=count)
            ]
        fields = ["title", "issuer"] if kind else ["title"]
        citations = []
        for doc in docs:
            number = f"（{doc.doc_number}）" if doc.doc_number else ""
            replaced = f"，{messages.SUPERSEDED_BY.format(title=doc.superseded_by)}" if doc.superseded_by else ""
            said = f"{doc.status}〕{doc.issuer}" if kind else f"{doc.kind}·{doc.status}〕"
            lines.append(f"· 《{doc.title}》{number}〔{said}{replaced}")
            citations.append(section_citation(doc, "文件信息", quote=_header_lines(doc, fields)))
        return Answer(request.question, "\n".join(lines), True, citations, request.audience, kind="metadata")

    def _which(self, request: AnswerRequest) -> Answer:
        docs = self.library.documents
        examples = "、".join(f"《{d.short_title}》" for d in docs[:4])
        text = messages.WHICH_DOCUMENT.format(examples=examples, example=docs[0].short_title)
        return Answer(request.question, text, False, [], request.audience, kind="clarify")


def _purpose(doc: PolicyDocument) -> Citation | None:
    """What a document says it is for: a law's first article (为了…，制定本法), a policy text's preamble."""
    if first := next((c for _, c in doc.iter_clauses() if c.kind == "条"), None):
        return clause_citation(doc, first, quote=_first_sentence(first.text))
    preamble = doc.preamble.strip()
    return section_citation(doc, "前言", quote=_first_sentence(preamble)) if preamble else None


_SENTENCE = re.compile(r"[^。；\n]+[。；]?")
"""A sentence (or a clause of one ended by ；) as the texts write them."""


def _first_sentence(text: str) -> str:
    return _SENTENCE.match(text).group(0).strip()


def _instead(doc: PolicyDocument, fields: list[str]) -> list[str]:
    """What the document does state when the date it was issued is asked and it states none: since when it
    applies (公募办法: 自2024年9月5日起施行), or else its number, whose 〔2016〕 is the year it was issued."""
    if "date" not in fields or doc.date:
        return []
    if "effective" not in fields and (doc.effective or _own_clause(doc, ["effective"])):
        return ["effective"]
    if "doc_number" not in fields and re.search(r"[〔\[［(（]\d{4}[〕\]］)）]", doc.doc_number):
        return ["doc_number"]
    return []


def _value(doc: PolicyDocument, field: str, own: tuple[Clause, str] | None = None) -> str:
    label = messages.METADATA_LABELS[field]
    if field == "effective" and not doc.effective and own:  # the header is silent; the closing clause says
        date = re.search(r"\d{4}年\d{1,2}月\d{1,2}日|公布之日|发布之日|印发之日", own[1])
        if date:
            return f"{date.group()}（{own[0].id}）"
    if field == "status":
        value = doc.status + (f"（{doc.validity}）" if doc.validity else "")
        if doc.superseded_by:
            value += "；" + messages.SUPERSEDED_BY.format(title=doc.superseded_by)
        elif doc.amended:  # 现在执行的是哪一版: the text in force is the one last revised
            value += "；" + messages.IN_FORCE_AS.format(amended=doc.amended)
        return value + ("；来源文本不完整" if doc.incomplete else "")
    if field == "addressees":
        return "、".join(doc.addressees) or messages.NO_VALUE.format(label=label)
    if field == "extent":
        return _extent(doc)
    value = getattr(doc, field, "")
    return value or messages.NO_VALUE.format(label=label)


def _last_article(doc: PolicyDocument):
    """A legal text's last article (第三十七条), or None for a text without articles."""
    return next((c for _, c in reversed(list(doc.iter_clauses())) if c.kind == "条"), None)


def _extent(doc: PolicyDocument) -> str:
    """共七十三条，分十二章 / 分五个部分: counted from the clause tree."""
    kinds = [c.kind for _, c in doc.iter_clauses()]
    if "条" in kinds:
        chapters = kinds.count("章")
        return f"共{int_to_cn(kinds.count('条'))}条" + (f"，分{int_to_cn(chapters)}章" if chapters else "")
    parts = sum(1 for c in doc.clauses if c.level == 1)
    return f"分{'两' if parts == 2 else int_to_cn(parts)}个部分"


MAX_HEADINGS = 16
"""At most this many headings are listed for an outline."""


def outline(doc: PolicyDocument, question: str) -> list[Clause]:
    """The headings a question asks for: those named by the word it uses (计划: 实施…培育发展计划, …), the
    chapters for 章, else the document's top-level parts."""
    asked = METADATA_QUESTIONS["outline"].search(unicodedata.normalize("NFKC", question).lower())
    word = re.search(OUTLINE_WORDS, asked.group(0)).group(1) if asked else ""  # none: 总结一下慈善法
    headed = [c for _, c in doc.iter_clauses() if c.heading]
    if word in ("计划", "任务", "工程", "行动", "措施", "举措"):
        named = [c for c in headed if word in c.heading]
        parents = [c for c in named if any(child.heading for child in c.children)]
        if len(parents) == 1 and all(c is parents[0] or c in parents[0].children for c in named):
            # 三、主要任务 or 五、重点工程: what it holds (its (五) and (六) are named 计划, but are of its 工程)
            named = [c for c in parents[0].children if c.heading]
        if named:
            return named[:MAX_HEADINGS]
    chapters = [c for c in headed if c.kind == "章"]
    if chapters:
        return chapters[:MAX_HEADINGS]
    return [c for c in headed if c.level == min((h.level for h in headed), default=0)][:MAX_HEADINGS]


_FIELD_WORDS = {
    "doc_number": r"令|号",
    "issuer": r"发布机关|发文机关|印发",
    "date": r"\d{4}年",
    "effective": r"施行|执行|生效",
    "amended": r"修订|修正",
    "addressees": r"[:：]$",
    "status": r"有效|废止|取代|失效",
    "title": r"^",
    "kind": r"令|法规|人民代表大会",
    "extent": r"(?!)",  # no header line states it: the clause tree does
    "outline": r"(?!)",
}


_OWN_WORDS = {"effective": r"(?:自|从).{0,24}(?:起|之日)(?:施行|执行|生效)", "status": r"废止|同时失效"}
"""What a document's own closing clause says about the fields asked (laws end: 本法自…起施行。…同时废止)."""


def _own_clause(doc: PolicyDocument, fields: list[str]) -> tuple[Clause, str] | None:
    """The last clause of the document whose sentences state the date it takes effect or what it repeals."""
    patterns = [_OWN_WORDS[f] for f in fields if f in _OWN_WORDS]
    for _, clause in reversed(list(doc.iter_clauses()) if patterns else []):
        sentences = _SENTENCE.findall(clause.text)
        found = [s for s in sentences if any(re.search(p, s) for p in patterns)]
        if "status" in fields and any(re.search(_OWN_WORDS["status"], s) for s in found):
            # 本办法自2024年9月5日起施行。2016年…发布的《…》同时废止: which text applies, and since when
            found = [s for s in sentences if re.search(f"{_OWN_WORDS['status']}|{_OWN_WORDS['effective']}", s)]
        if found:
            return clause, "".join(found).strip()
    return None


def _header_lines(doc: PolicyDocument, fields: list[str]) -> str:
    """The header lines the answer rests on, verbatim."""
    lines = [line for line in doc.metadata_text.split("\n") if line.strip()]
    chosen = [line for line in lines if any(re.search(_FIELD_WORDS[f], line) for f in fields if f != "title")]
    if "title" in fields or not chosen:
        chosen = lines[:1] + chosen
    return " ".join(dict.fromkeys(chosen))
