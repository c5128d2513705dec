"""Questions that ask what a term means (民办非企业单位到底是什么, 什么是慈善募捐, what is a charitable trust),
read against the terms the library itself defines (本法所称慈善组织，是指…; see ``vocabulary.definitions``).
"""

from __future__ import annotations

import re

from assistant.text import normalize, synonyms

ASKS_MEANING = re.compile(
    r"(?:到底|究竟|具体)?(?:是指|指的是|是|指|包括|包含)(?:什么|啥|哪些|哪几)|的?(?:定义|含义|概念)|(?:到底|究竟|具体)?是?(?:怎么|如何|怎样)(?:定义|界定)"
)
"""What a question says right after a term to ask what the term means (慈善组织是什么, 社区工作者具体包括哪些人)."""

ASKS_NATURE = re.compile(
    r"(?:算不算|是不是|属不属于|属于|算是)(?:(?!必须|需要|可以|应该|应当)[^，,。？?有要能得找去交报先办向到在]){0,10}"
    r"(?:组织|机构|单位|机关|部门|下属|下级)"
    r"|(?:是|属于)?(?:什么|啥)性质|(?:和|跟|与|同)[^，,。？?]{1,12}?(?:是|有)?(?:什么|啥)关系"
)
"""What a question says right after a term to ask what kind of body it is (居委会算不算政府的下级单位, 居委会和街道办
是什么关系, 是什么性质的组织); 是不是必须挂靠一个组织, 是不是有一套单独的…组织登记, 是不是要先找业务主管单位 ask a duty,
a thing's existence or a step."""
ASKS_WHAT_IS = re.compile(r"(?:什么是|什么叫做?|何为|何谓)$")
"""What a question says right before a term to ask what it means (什么是慈善募捐)."""
_ASKS_MEANING_EN = re.compile(
    r"(?:^|[.?!;:,]\s)\W*(?:what(?:'s| is| are| does| (?:exactly|really|actually|precisely) (?:is|are))|define"
    r"|(?:the )?(?:definition|meaning) of)\s+(?:an? |the )?[\"“‘「]?([a-z][a-z' -]*?|[\u4e00-\u9fff]{2,12})[\"”’」]?"
    r"(?:\s+(?:mean|refer|under|in|according)\b|\s*[?？.(（]|\s*$)"
)
"""An English question asking what a term means: what is a volunteer?, what does social organization mean?, I'm new
here. What exactly is a 民办非企业单位 (private non-enterprise unit)?"""
_WHERE_SAID = re.compile(
    r"^(?:(?:在|按照?|依照?)[^，,。？?！!]{1,16}?(?:里|中|上|当中)(?:面|头)?|(?:这个|这一)?(?:概念|词|说法|术语|提法))"
)
"""Where the asker read a term, or what they call it, between it and the question (“社会工作专业人才”在国家的人才规划里
是怎么定义的, “社会工作专业人才”这个概念到底怎么界定)."""
_TERM_START = re.compile(
    r"(?:^|[^\u4e00-\u9fff]|所谓|请问|问一?下|想知道|了解一?下|的|这个|说|(?:意见|办法|条例|法|文件|规定)(?:里|中)面?)$"
)
"""What may come before a term asked about: 社区社会组织是什么 does not ask what 社会组织 means; a document it is
read in may (2024年那个意见里社区工作者指哪些人)."""


def meaning_asked(question: str, defined) -> str:
    """The defined term whose meaning the question asks (民办非企业单位到底是什么, 什么是慈善募捐, what is a
    volunteer), or what kind of body it is (居委会算不算政府的下级单位, 居委会和街道办是什么关系), written as the
    library writes it or in the everyday word for it (居委会, 民非), or ""."""
    text = normalize(question)
    if english := _ASKS_MEANING_EN.search(question.lower()):
        if english.group(1) in defined:  # the term written in Chinese
            return english.group(1)
        return next((t for t in _in_chinese(english.group(1).split()) if t in defined), "")
    everyday: dict[str, list[str]] = {}  # 居委会 for 居民委员会, 民非 for 民办非企业单位
    for phrase, targets in synonyms():
        for target in targets:
            everyday.setdefault(target, []).append(phrase)
    for term in sorted(defined, key=len, reverse=True):
        for form in [term, *everyday.get(term, [])]:
            for match in re.finditer(re.escape(form), text):
                before, after = text[: match.start()], text[match.end() :].lstrip("”\"'」』")  # “慈善活动”包括哪些
                after = _WHERE_SAID.sub("", after)
                if ASKS_WHAT_IS.search(before) and not re.match(r"[\u4e00-\u9fff]", after.lstrip("呢啊呀")):
                    return term
                if _TERM_START.search(before) and (ASKS_MEANING.match(after) or ASKS_NATURE.match(after)):
                    return term
    return ""


_QUOTED = re.compile(r"[“\"「『]([\u4e00-\u9fff]{2,12})[”\"」』]")


QUOTED_SENTENCE = 12
"""The fewest Chinese characters of a quoted sentence whose source the library is searched for (“探索在社区居民委员会
下设环境和物业管理委员会”这句出自哪): a shorter quote is a term (“三社联动”)."""
_SENTENCE = re.compile(rf"[“\"「『]([^”\"」』]{{{QUOTED_SENTENCE},}})[”\"」』]")


def quoted_sentence(question: str) -> str:
    """The longest span the question quotes holding at least ``QUOTED_SENTENCE`` Chinese characters, or ""."""
    spans = [m.group(1) for m in _SENTENCE.finditer(normalize(question))]
    spans = [s for s in spans if len(re.findall(r"[\u4e00-\u9fff]", s)) >= QUOTED_SENTENCE]
    return max(spans, key=len, default="")


def quoted_term_asked(question: str) -> str:
    """A term the question quotes and asks the meaning of (“管评分离”是什么意思, 什么叫“三社联动”), or ""."""
    text = normalize(question)
    for match in _QUOTED.finditer(text):
        before, after = text[: match.start()], _WHERE_SAID.sub("", text[match.end() :])
        if (
            ASKS_MEANING.match(after)
            or re.match(r"(?:是|讲的是|说的是)?(?:什么|啥)意思", after)
            or ASKS_WHAT_IS.search(before)
        ):
            return match.group(1)
    return ""


_PAIR = r"[“\"「『]?([\u4e00-\u9fff]{2,16}?)[”\"」』]?(?:和|与|跟|同)[“\"「『]?([\u4e00-\u9fff]{2,12}?)[”\"」』]?"
_BOTH = r"(?:[，,]?(?:这)?两[个者种类][^，,。？?]{0,6}?)?"
"""A filler naming the pair again before what is asked of it (，两者在定义上)."""
COMPARED = re.compile(
    _PAIR
    + _BOTH
    + r"(?:之间)?(?:到底|究竟)?(?:有|的)?(?:什么|啥|哪些|何)?(?:区别|不同|不一样|差别|差异|异同|差在哪|差在什么)"
)
"""A question comparing two things (社团和民非有什么区别, 基金会与社会团体的区别, …，两者在定义上差在哪)."""
EACH_MEANING = (
    re.compile(r"(?:[分搞弄]不[太大]?[清懂]|分清|区分)(?:楚)?" + _PAIR.replace("{2,12}?", "{2,12}")),
    re.compile(_PAIR + _BOTH + r"(?:各自|分别)[^，,。？?]{0,4}?(?:定义|含义|意思|是什么|指什么|界定)"),
)
"""A question asking what each of two things is (分不清“民办非企业单位”和“社会团体”, 分不太清社团和民非, 社团和基金会分别是什么)."""


def meanings_compared(question: str, defined) -> tuple[str, ...]:
    """The two defined terms a question compares or asks the meaning of each (社团和民非有什么区别 -> 社会团体,
    民办非企业单位; 分不清“民办非企业单位”和“社会团体”), each as written or as the policy word the everyday one
    stands for; the first side may end a longer run (我想知道慈善组织和…) and the second start one (…和基金会的区别);
    () when either is not a defined term."""
    text = normalize(question)
    for pattern in (COMPARED, *EACH_MEANING):
        if found := pattern.search(text):
            first, second = (side.removesuffix("的") for side in found.groups())
            terms = [
                next((term for i in range(len(first) - 1) if (term := _defined_as(first[i:], defined))), ""),
                next((term for i in range(len(second), 1, -1) if (term := _defined_as(second[:i], defined))), ""),
            ]
            return tuple(terms) if all(terms) and terms[0] != terms[1] else ()
    return ()


def _defined_as(side: str, defined) -> str:
    """The defined term a side names, as written or as the policy word the everyday one stands for, or ""."""
    forms = [side] + [t for phrase, targets in synonyms() if phrase == side for t in targets]
    return next((f for f in forms if f in defined), "")


def _in_chinese(words: list[str]) -> list[str]:
    """The Chinese a run of English words may stand for, composed from the glossary phrase by phrase
    (charitable trust -> 慈善信托, volunteer service organization -> 志愿服务组织)."""
    if not words:
        return [""]
    glossary = synonyms()
    for n in range(len(words), 0, -1):
        said = " ".join(words[:n])
        targets = [t for phrase, ts in glossary if phrase.isascii() and _says(said, phrase) for t in ts]
        if targets:
            rest = _in_chinese(words[n:])
            return [t + r.removeprefix(t[-2:]) if r.startswith(t[-2:]) else t + r for t in targets for r in rest]
    return _in_chinese(words[1:]) if words[0] in ("a", "an", "the", "of") else []


def _says(said: str, phrase: str) -> bool:
    """Whether English words are a glossary phrase: whole (association), a plural, or a stem's word (donat-ion)."""
    return said in (phrase, phrase + "s", phrase + "es", phrase.removesuffix("s")) or (
        " " not in said and len(phrase) >= 5 and said.startswith(phrase)
    )
