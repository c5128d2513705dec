"""What a question asks: its content words (with the policy words they stand for), how much of it a
text covers, and the patterns that route it (instructions to drop the rules, tasks, document
metadata, facets the text may not set). Data and small functions; no retrieval here."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from assistant.text import normalize, policy_terms, synonyms, words

# Requests to drop the rules or reveal the set-up. Matched on the NFKC-lowercased question.
INSTRUCTION_ATTACKS = tuple(
    re.compile(p)
    for p in (
        r"(忽略|无视|忘记|忘掉|不要管|跳过|绕过).{0,12}(指令|指示|提示|规则|设定|限制|要求|以上|之前|前面|上面)",
        r"(系统|初始|隐藏).{0,3}(提示词|指令|prompt|设定)",
        r"提示词|越狱|jailbreak|system prompt|developer mode|开发者模式",
        r"ignore .{0,20}(instruction|prompt|rule|previous|above)",
        r"(指令|提示|规则|设定|限制).{0,8}(忽略|无视|忘记|忘掉|作废|不算|取消)",
        r"(你的|你用的|背后的?).{0,6}(配置|设置|模型|参数|密钥|api|源代码|prompt|指令|规则|提示|设定)",
        r"(repeat|print|reveal|show).{0,30}(above|instruction|prompt|config)",
        r"你是(什么|谁|哪个|哪家)|什么模型|what model|who (are|made) you|forget (everything|all|previous|your)",
        r"(环境变量|api ?key|密钥|token)",
        r"现在你是|你现在是|假装你是|(你|请你|由你).{0,3}扮演|角色扮演|you are now|pretend (to be|you)|act as (a|an|my) ",
    )
)

# Tasks that are not questions about the documents: writing, booking, translating for the user.
TASK_REQUESTS = re.compile(
    r"(帮我|给我|替我|请)?(写|起草|拟|撰写|生成|编)(一|个|份|篇|首|段)|翻译|订.{0,3}票|预约|挂号|点外卖|讲个笑话"
    r"|\b(write|translate|book|compose)\b"
)
# Questions that ask for a list ("哪些"): policy text enumerates with 、.
LIST_QUESTION = re.compile(r"哪些|哪几|哪类|什么(服务|项目|类型|内容)|包括|范围|what (services|kinds|types)|which")

# Words that say nothing about the topic of a question.
GENERIC_WORDS = frozenset(
    "台州 台州市 浙江 浙江省 我市 本市 市里 政策 文件 规定 相关 具体 情况 问题 内容 方面 介绍 说说 讲讲 解释 意思 "
    "原文 要求 哪儿 东西 事情 办法 一下子 条款 条文 哪条 哪一条 第几条 出处 规定 please document policy clause".split()
)
# What a question may ask for that policy text often does not set: (asked, what the caveat names,
# what in the quoted text would show it is set). The caveat is added when the quote lacks it.
_FIGURE = r"\d|[一二三四五六七八九十百千万]+(?:元|万|家|个|名|人|年|月|日|天|%)"
FACETS = (
    (
        r"多少钱|费用|收费|交.{0,2}钱|价格|花多少|多少元|金额|额度|补贴标准|补助标准|多少资金|多少经费|fee|cost",
        "具体金额或收费标准",
        _FIGURE,
    ),
    (r"多久|多长时间|几天|期限|时限|截止", "具体期限", _FIGURE),
    (r"材料|手续|证件|证明|表格|documents? (needed|required)", "需要提交的材料或手续", r"材料|手续|证件|证明|表格"),
    (
        r"哪里办|去哪.{0,2}办|在哪.{0,2}(办|申请|登记|备案)|窗口|地址|电话|网址",
        "办理地点或联系方式",
        r"电话|地址|窗口|网址",
    ),
)
FACET_WORDS = frozenset(
    "钱 费用 收费 价格 金额 额度 期限 时限 多久 截止 材料 手续 证件 证明 表格 窗口 地址 电话 网址 fee cost".split()
)
_QUANTIFIER = re.compile(r"^[一二两三几这那每][张首个份本条句件位次]$")

# Questions about the document itself: field → pattern (NFKC, lowercased).
METADATA_QUESTIONS = {
    "doc_number": re.compile(r"文号|发文字号|(文件|文|的)编号|编号是|document number|reference number"),
    "issuer": re.compile(
        r"发文机关|发文单位|印发单位|印发机关|发布机关|制发机关|(哪里|哪儿)(发|出)的|发布单位|制定单位|发文部门|(哪个|哪一?个|什么)(部门|单位|机关|机构).{0,3}(发|印发|发布|制定|出台)"
        r"|谁.{0,2}(发|印发|发布|制定|出台|出)的|(哪个|哪一?个|什么)(部门|单位|机关|机构)(出|发)的"
        r"|issued|issuer|who (published|wrote)"
    ),
    "addressees": re.compile(r"主送|抄送|发给(谁|哪)|下发(给|到)|送达|适用(于|范围|对象)|addressee|addressed to"),
    "validity": re.compile(
        r"有效性|有效期|(还|仍|仍然|是否|现在|目前|现行|依然|继续).{0,3}有效|失效|废止|作废|过期|还能用|还管用|still (valid|in force)|in force|valid"
    ),
    "title": re.compile(
        r"标题|全称|文件名|题目|(文件|政策|意见|这份|它).{0,3}叫什么|title|name of (the|this) document"
    ),
    "date": re.compile(
        r"(什么时候|何时|哪一?年|哪天|日期|时间).{0,4}(发|印发|发布|出台|制定|成文)|(发布|印发|成文|出台|发文)(时间|日期)"
        r"|哪一?年的(文件|政策|意见)|when was"
    ),
}


@dataclass
class Term:
    """A content word of the question, with the policy words it may appear as."""

    word: str
    forms: tuple[str, ...]
    weight: float

    @property
    def is_policy_term(self) -> bool:
        """Whether the word, or what it stands for, is in the corpus's policy vocabulary."""
        return any(form in policy_terms() for form in self.forms)

    def found_in(self, normalized_text: str) -> bool:
        return any(form in normalized_text for form in self.forms)


def question_terms(question: str) -> list[Term]:
    """Content words that carry the question's topic; everyday words carry their policy synonyms."""
    lowered = unicodedata.normalize("NFKC", question).lower()
    phrases = [(p, targets) for p, targets in synonyms() if p in lowered]
    terms: list[Term] = []
    for word in dict.fromkeys(words(question)):
        if word in GENERIC_WORDS or word in FACET_WORDS or _QUANTIFIER.match(word):
            continue
        forms = {normalize(word)}
        for phrase, targets in phrases:
            if _belongs(word, phrase):
                forms.update(normalize(t) for t in targets)
        weak = len(word) == 1 and not word.isascii() and len(forms) == 1  # a lone character, no policy synonym
        terms.append(Term(word, tuple(sorted(forms)), 0.5 if weak else 1.0))
    for phrase, targets in phrases:  # "钱从哪里来": the phrase itself is the topic
        if not any(_belongs(t.word, phrase) for t in terms):
            terms.append(Term(phrase, tuple(normalize(t) for t in targets), 1.0))
    return terms


def _belongs(word: str, phrase: str) -> bool:
    """Whether a synonym phrase speaks for a word: overlapping Chinese, or a whole English word or stem."""
    if word.isascii():
        return word in phrase.split() or word.startswith(phrase)
    return word in phrase or phrase in word


def coverage(terms: list[Term], text: str, weights: dict[str, float]) -> float:
    """Share of the question's content words that the text contains, each counted by its weight."""
    total = sum(weights[t.word] for t in terms)
    if not total:
        return 0.0
    normalized = normalize(text)
    return sum(weights[t.word] for t in terms if t.found_in(normalized)) / total
