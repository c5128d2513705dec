"""Follow-up questions: a question that lacks its own topic is read against the previous turns.

"那要准备什么材料？" after a registration question inherits its topic; "这个是哪一年的文件？" its
document; "第二款呢？" its article. The history travels as langchain chat messages (HumanMessage /
AIMessage with the turn's document and topic in ``additional_kwargs``), so the CLI and the page share it.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass

from langchain_core.messages import AIMessage, BaseMessage, HumanMessage

from assistant.questions import GENERIC_WORDS, METADATA_QUESTIONS, question_terms
from assistant.references import find_article, int_to_cn
from assistant.text import normalize
from assistant.types import Turn

MAX_TOPIC_WORDS = 1
"""A question with at most this many content words of its own, none a policy term, is a follow-up."""
MAX_DETAIL_WORDS = 3
"""A question of at most this many content words, each written by the previous answer's document, asks a detail
of the same subject (要登记满几年 after 慈善组织怎么申请公开募捐资格)."""
ELSEWHERE = 0.2
"""A follow-up's own policy word is a new subject when the previous answer's document writes it less than this
share as often as the document writing it most (村民委员会 in the 居委会 law; 全国性 in the 社团 regulation is not)."""
_FOLLOW_UP = re.compile(
    r"^(那|那么|那要|那如果|那个|还有|另外|然后|这个|这份|这|它|其|该|再问|what about|and )|呢[？?。！!]*$"
)
_VERSION_WORDS = re.compile(r"(?:19|20)\d\d\s*年?|(?:老|旧|原|新|现行|那|这|哪)?版本?|原来的?|以前的?|之前的?|现在的?")
"""Words that say which version of a named document is meant (2016年老版, 现行版本), and ask nothing else."""
_PART_ONLY = re.compile(
    r"^\s*(?:那么?|还有|再看)?\s*(?:第\s*[一二三四五六七八九十\d]+\s*(款|项|目)|[(（]\s*[一二三四五六七八九十]+\s*[)）])"
)


_NEXT = re.compile(
    r"(下一条|后一条|下条|上一条|前一条|上条|next article|following article|previous article|preceding article)"
)
_FORWARD = {"下一条", "后一条", "下条", "next article", "following article"}
"""下一条呢, 上一条呢: the article after or before the previous turn's, in the same document."""


@dataclass
class Context:
    """How a question is read: the text retrieval sees, the documents it inherits, the turn it follows."""

    question: str
    doc_ids: list[str]
    follows: str = ""
    part: bool = False
    """Whether the question asks only for a paragraph or item of the previous turn's article (第二款呢)."""


def to_messages(turns: list[Turn]) -> list[BaseMessage]:
    messages: list[BaseMessage] = []
    for turn in turns:
        messages.append(HumanMessage(turn.question))
        messages.append(AIMessage(turn.answer, additional_kwargs={"doc_id": turn.doc_id, "topic": turn.topic}))
    return messages


def from_messages(messages: list[BaseMessage]) -> list[Turn]:
    turns: list[Turn] = []
    for message in messages:
        if isinstance(message, HumanMessage):
            turns.append(Turn(question=str(message.content)))
        elif isinstance(message, AIMessage) and turns:
            turns[-1].answer = str(message.content)
            turns[-1].doc_id = message.additional_kwargs.get("doc_id", "")
            turns[-1].topic = message.additional_kwargs.get("topic", "")
    return turns


def contextualise(
    question: str,
    history: list[Turn],
    named: list[str],
    share: Callable[[str, tuple[str, ...]], float] | None = None,
    unnamed: str = "",
    title: str = "",
    writer: Callable[[tuple[str, ...]], str] | None = None,
) -> Context:
    """The question as retrieval should read it, given the conversation so far. ``share(doc_id, forms)``: how much
    a document writes a word against the one writing it most, which tells a new subject (那基金会呢) from a
    detail of the old one (全国性的呢). ``unnamed``: the question with the names of ``named`` set aside; ``title``:
    the title of the document the last answer quoted first."""
    if not history:
        return Context(question, named)
    previous = history[-1]
    text = unicodedata.normalize("NFKC", question).strip().lower()
    part_only = bool(_PART_ONLY.match(text)) and not find_article(text)
    own = [t for t in question_terms(question) if t.word not in GENERIC_WORDS]
    lacks_topic = len(own) <= MAX_TOPIC_WORDS and not any(t.is_policy_term for t in own)
    # 要多久能批下来, 由谁选出来, 要登记满几年 after a question on one subject: a few words, each one the previous
    # answer's document writes (a new subject, 那基金会呢, is one it writes little of)
    detail = (
        len(own) <= MAX_DETAIL_WORDS
        and bool(share and previous.doc_id)
        and all(share(previous.doc_id, t.forms) >= ELSEWHERE for t in own)
    )
    follow_up = part_only or bool(_FOLLOW_UP.search(text)) or ((lacks_topic or detail) and not named)
    topic = previous.topic or previous.question
    if named and not part_only and follow_up:
        # 那2016年老版慈善法是怎么规定的: a document named and nothing asked of it but what the last question asked
        bare = _VERSION_WORDS.sub(" ", unnamed)
        if unnamed and not [t for t in question_terms(bare) if t.word not in GENERIC_WORDS]:
            return Context(f"{topic} {question}", named, previous.question)
        return Context(question, named)
    if not follow_up:
        return Context(question, named)
    doc_ids = named or ([previous.doc_id] if previous.doc_id else [])
    if part_only and (article := find_article(topic)):
        asked = re.sub(r"^\s*(?:那么?|还有|再看)\s*", "", question)  # 那第二款呢
        return Context(f"{article.article_id()}{asked}", doc_ids, previous.question, part=True)
    if (step := _NEXT.search(text)) and (article := find_article(topic)) and article.article > 0:
        # 下一条呢 after 慈善法第二十二条: 第二十三条 of the same document
        number = article.article + (1 if step.group(1) in _FORWARD else -1)
        return (
            Context(f"第{int_to_cn(number)}条", doc_ids, previous.question) if number > 0 else Context(question, named)
        )
    if (
        find_article(topic)
        and not [t for t in question_terms(_VERSION_WORDS.sub(" ", question)) if t.word not in GENERIC_WORDS]
        and not any(p.search(text) for p in METADATA_QUESTIONS.values())  # 这版现在还能用吗 asks of the document
    ):
        # 2016年版的呢 after 慈善法第二十二条: the same article, in the version asked
        return Context(f"{topic} {question}", doc_ids, previous.question)
    # 成立社会团体要多少会员？ 那基金会呢？: a policy word of its own that the previous answer's document writes
    # little of is a new subject asked the same way: looked for anywhere, with the previous question's other words
    subject = [t for t in own if t.is_policy_term and not t.found_in(normalize(topic))]
    if share and previous.doc_id and subject and all(share(previous.doc_id, t.forms) < ELSEWHERE for t in subject):
        # the old subject's words go, what was asked of it stays: 社会团体可以设分支机构吗？ 民办非企业单位呢 keeps
        # 分支机构, which the new subject's own document writes too, and drops 社会团体, which it writes little of
        home = writer(subject[0].forms) if writer else ""
        policy = sorted(
            (
                t.word
                for t in question_terms(topic)
                if t.is_policy_term and not (home and share(home, t.forms) >= ELSEWHERE)
            ),
            key=len,
            reverse=True,
        )
        asked = re.sub("|".join(map(re.escape, policy)), " ", topic) if policy else topic
        return Context(f"{question} {asked}", named, previous.question)
    # 居委会一般多少户设一个？ 那居委会成员一共几个人: a follow-up asking a thing of its own carries the subject of
    # the last question (its words in the title of the document answering it), not the thing that question asked
    if (
        title
        and own
        and (kept := [t.word for t in question_terms(topic) if t.is_policy_term and t.found_in(normalize(title))])
    ):
        return Context(f"{' '.join(kept)} {question}", doc_ids, previous.question)
    return Context(f"{topic} {question}", doc_ids, previous.question)
