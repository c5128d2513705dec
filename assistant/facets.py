"""Questions that ask for a detail (多少天, 多少人, 多少钱, 收费吗): clauses stating such a detail are looked
for deeper in the ranking and lifted ahead of those that only share the question's words.

A resident's "多少天内给答复" shares its words with many clauses of a regulation; the one that answers
is the one with a period in it, and it may rank below the first five by retrieval alone. Each kind of
question looks for its own kind of statement: "年检收费吗" asks whether a fee is due, so the clause saying
不得收取费用 answers it, and a clause that merely states a sum in 元 does not.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from assistant.evidence import ClauseEvidence
from assistant.messages import (
    ASKS_FREQUENCY,
    ASKS_HEADCOUNT,
    ASKS_PERIOD,
    FREQUENCY,
    NOT_A_FINE,
    asks_instead,
    stated_for,
)
from assistant.questions import Term
from assistant.text import normalize

DETAIL_DEPTH = 20
"""How deep the ranking is searched for clauses stating the asked-for number."""
DETAIL_RATIO = 0.8
"""A clause stating the number is lifted when it covers at least this share of what the best of the first
three retrieved clauses covers (so a clause that merely holds a number does not jump ahead)."""

ALL_DETAILS_RATIO = 0.6
"""The same share for a clause stating every kind of detail a question asks for (多少人 and 多少钱: 50个以上的
个人会员 … 10万元以上活动资金): stating both is itself evidence that it answers."""

_NUMERAL = r"(?:\d+(?:\.\d+)?|[一二两三四五六七八九十百千万]+)\s*"
_SPAN = r"(?<![\d年月])(?:\d{1,3}|[一二两三四五六七八九十百]+)\s*"  # a span, not a date: 三年, 60日; not 2016年9月1日
DETAILS = (
    (ASKS_FREQUENCY, FREQUENCY),  # how often: 多久公开一次 (每五日, 每季度), asked instead of a period
    (  # a period: 多少天内, 几个月, 多久
        ASKS_PERIOD,
        _SPAN + r"个?(?:工作日|月|日|天|年|周)|每(?:季度|月|年|周)",
    ),
    (  # a lead time: 提前几天 is answered by 十日前, not by 十日内
        r"提前(?:几|多少|多久|多长)|how (?:many days|long) (?:before|in advance)",
        _SPAN + r"个?(?:工作日|日|天|月)(?:以)?前|提前" + _SPAN + r"(?:日|天)",
    ),
    (  # a headcount: 多少人, 几个会员, 人数
        ASKS_HEADCOUNT,
        _NUMERAL
        + r"万?(?:个|名|位)?(?:以上|以下)?的?(?:个人|单位)?(?:会员|人|成员|户|委员)(?!次)|半数|分之",  # 人次: visits
    ),
    (  # an amount: 多少钱, 多少资金
        r"多少(?:钱|元|万)|多少\w{0,4}(?:资金|经费)|(?:钱|资金|经费|基金)\w{0,2}(?:最少|至少|最低|起码)?(?:要|需要|得)?多少|花多少|金额|额度"
        r"|how much|minimum (?:\w+ ){0,2}(?:fund|capital|amount|endowment|assets)",
        _NUMERAL + r"(?:万元|元)" + NOT_A_FINE,
    ),
    (  # a deadline: 最晚啥时候交, what's the deadline (the answer is 3月31日前 or 七日前, a date or a lead time)
        r"(?:最晚|最迟)[\u4e00-\u9fff]{0,4}?(?:什么时候|啥时候|哪天|几号|哪一天)|\bdeadline\b",
        r"\d{1,2}月\d{1,2}日(?:以|之)?前|" + _SPAN + r"个?(?:工作日|日|天|月)(?:以|之)?[前内]",
    ),
    (  # a target year: 到哪一年基本形成, by what year (the answer is 到2035年, not any date)
        r"哪一?年|何年|what year|which year|by when|到什么时候",
        r"(?:到|至)\d{4}年|\d{4}年(?:前|底|以前)",
    ),
    (  # how many kinds or grades: 分几个等级, 有几类 (the answer is 分为5个等级, 分为两类)
        r"(?:几|多少)(?:个|种|类)(?:等级|级别|类型|种类|档次)|分(?:几|多少)(?:级|类|种|档)|哪(?:些|几个?)(?:等级|级别|档次)"
        r"|(?:登记?|分|划|算|属于)成?为?(?:哪一?[类种]|什么(?:类型|种类|类|种))(?!情形|情况|方式|办法|途径|条件|原因|渠道|形式|手续)"  # 登记成哪一类: of the kinds set (分为…三种)
        r"|how many (?:levels|grades|types|kinds|categories|classes|tiers)"
        r"|what (?:\w+ ){0,2}(?:grades|levels|ratings|tiers)\b",
        _NUMERAL + r"个?(?:等级|级别|类型|档次|类|种)",
    ),
    (  # a grade: 评到几A, 最低什么等级, what rating (the answer is 3A以上, 4A)
        r"几\s*个?a\b|几a|(?:什么|哪个|哪一|哪种)\s*(?:评估)?(?:等级|级别)|(?:最低|至少|起码)\w{0,4}(?:等级|级别)"
        r"|what (?:\w+ ){0,2}(?:grade|rating)|which (?:\w+ ){0,2}(?:grade|rating)|(?:minimum|lowest) (?:\w+ ){0,2}(?:grade|rating)"
        r"|how many a'?s",
        r"(?<![a-zA-Z])[1-5一二三四五]\s*[aA](?:级)?(?:以上|以下)?(?![a-zA-Z])",
    ),
    (  # what one must see to: 要注意啥, 有什么要求 (the answer is a duty: 应当…, 不得…, 对…负责)
        r"注意(?:啥|什么|哪些|点啥)|注意事项|有(?:啥|什么|哪些)要求|what (?:should|must) (?:i|we|they) (?:watch|look out|pay attention|note)",
        r"应当|不得|必须|负责",
    ),
    (  # whether it costs anything: 收费吗, 要交钱吗 (the answer is a rule on charging, not a sum)
        r"(?:收|交|要|付|掏)\w{0,3}(?:钱|费)\w{0,2}(?:吗|不|么|？|\?|$)|(?:收|交|付|掏)\w{0,3}费[^。？?]{0,8}?(?:吗|么|不|？|\?|$)"
        r"|免费|收费|多少\w{0,4}费|\bfees?\b|\bcharge|for free",
        r"无偿|免费|不得\w{0,12}(?:收取|收费)|收取\w{0,6}费用|不收",
    ),
)
"""(what the question asks, how a clause states it) for each kind of number, and for whether a fee is due."""

STORY_DATE = (
    r"去年|前年|今年|上半年|下半年|年底|年初|(?<![\d年])\d{1,2}\s*月(?:份|底|初)?(?![\d日])"
    r"|last year|this year|(?:last|this|in) (?:january|february|march|april|may|june|july|august|september"
    r"|october|november|december)",
    r"\d{1,2}月\d{1,2}日|\d+个月|上年度|当年|(?:[一二两三]|\d)年内",
)
"""A date in the asker's story (去年11月才拿到登记证, registered last November) with no number asked: the rule
is one counted from a date (截至上年度12月31日，成立登记时间未超过6个月的…不参加当年的年检)."""


def asked_details(question: str) -> tuple[str, ...]:
    """How a clause would state the number the question asks for; empty when it asks for none."""
    lowered = question.lower()
    # 罚多少钱: a fine's sum is what is asked (``stated_for``)
    details = tuple(
        stated_for(stated, lowered)
        for asked, stated in DETAILS
        if re.search(asked, lowered) and not asks_instead(asked, lowered)
    )
    asked, stated = STORY_DATE
    return details or ((stated,) if re.search(asked, lowered) else ())


def holds_detail(text: str, details: tuple[str, ...]) -> bool:
    return any(re.search(d, text) for d in details)


VALUE_LINK = r"(?:为|是|均为|一般为|不得?超过|不得?少于|不得?低于)?"
"""What stands between a term and its value when a clause states it (有效期为5年, 每届任期五年, 理事为5人至25人)."""


def states_value(text: str, terms: Sequence[Term], details: tuple[str, ...]) -> bool:
    """Whether ``text`` gives one of the question's terms its number right after it (有效期为5年 states how long
    a grade lasts; 有效期满前2年 is a number about something else)."""
    return any(
        re.search(re.escape(form) + VALUE_LINK + f"(?:{detail})", text)
        for term in terms
        for form in term.forms
        if len(form) > 1
        for detail in details
    )


def lift_details(
    clauses: list[ClauseEvidence], deeper: list[ClauseEvidence], details: tuple[str, ...], terms: Sequence[Term] = ()
) -> list[ClauseEvidence]:
    """``clauses`` (retrieval order) with the clauses of both lists that state one of ``details`` and
    cover enough moved to the front (those stating more kinds first, then those giving a term of the question
    its value, then in retrieval order); none of ``clauses`` is dropped."""
    best = max((c.coverage for c in clauses[:3]), default=0.0)
    stated = {id(c): sum(bool(re.search(d, c.text)) for d in details) for c in clauses + deeper}
    valued = {id(c): states_value(normalize(c.text), terms, details) for c in clauses + deeper}

    def enough(c: ClauseEvidence) -> bool:
        ratio = ALL_DETAILS_RATIO if len(details) > 1 and stated[id(c)] == len(details) else DETAIL_RATIO
        return stated[id(c)] > 0 and c.coverage > 0 and c.coverage >= ratio * best

    lifted = [c for c in clauses + deeper if enough(c)]
    # A clause stating more of what is asked goes first: 十日前 (a period and a lead time) before 十日内.
    lifted.sort(key=lambda c: (-stated[id(c)], not valued[id(c)]))
    return lifted + [c for c in clauses if c not in lifted]
