"""The library as a whole: which documents a question names (by title, short name or number), which
version is in force, and the listing ``assistant docs`` prints. Names come from the documents."""

from __future__ import annotations

import re
import threading
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from difflib import SequenceMatcher
from functools import lru_cache
from importlib import resources

from assistant.references import cn_to_int
from assistant.spelling import Speller, pinyin_key
from assistant.text import POSSESSIVE, expand_query, normalize, synonyms, words
from assistant.types import DOC_KINDS, Clause, PolicyDocument
from assistant.vocabulary import definitions, gazetteer, place_names

# Words that ask for an earlier version of a document (修正前, 2016年原文, 旧版).
OLD_VERSION = re.compile(
    r"旧版|老版|原文本|原来的|以前的|修正前|修订前|修改前|(?:修正|修订|修改)(?:以|之)?后.{0,24}?(?:改了|变了|原来|以前)|旧(?:的)?《?[\u4e00-\u9fff]{1,12}(?:法|条例|办法)|\d{4}年(?:的)?(?:原文|原版|版本|版)|original|old version"
)
_BRACKETS = re.compile(r"[（(][^）)]*[）)]")
# How a policy title starts before what it is about: 关于(进一步)加强/加快推进/深化…
_LEADING_VERBS = re.compile(
    r"^(?:进一步)?(?:加强和完善|加强和改进|加快推进|加强|加快|推进|推动|完善|深化|健全|建立|做好)"
)
_MARKS = re.compile(r"[《》〈〉<>“”\"'‘’「」]")


_TITLE = re.compile(r"《([^《》]{2,40})》")
# A document named without book-title marks: four or more characters before a regulation word.
_BARE_TITLE = re.compile(
    r"(?<![《\u4e00-\u9fff])((?:[\u4e00-\u9fff]{2,10})?(?:暂行|管理|实施|登记|保障)(?:办法|条例|规定|细则))"
)
# A document named without 《》 by a part of its title: 社区工作者意见, 基层治理意见, 公开募捐办法 (only ever
# read as a shortened title of a document in the library, never reported as missing: 群众有什么意见 and
# 有什么办法 name no document).
_KINDS = "意见|方案|规划|办法|条例|规定|细则|公告|通知|决定"
"""The words a document's name ends in."""
_BARE_PARTIAL_TITLE = re.compile(rf"([\u4e00-\u9fff]{{2,14}}(?:{_KINDS}))")
# A kind word alone before a clause number (公告第五条, 这份规划第四部分): it names the one document of that kind.
_BARE_KIND = re.compile(
    r"(?:^|(?<![\u4e00-\u9fff])|这个|那个|这份|那份|该)(公告|通知|决定|规划|方案|意见|办法|条例)\s*第"
)
# 民办非企业单位年度检查（以下简称年检）: the document's subject shortened by the document itself.
_ABBREVIATED = re.compile(r"([\u4e00-\u9fff]{2,16})[（(]以下简称[“\"]?([\u4e00-\u9fff]{2,8}?)[”\"]?[）)]")
# A name that is a number (国务院令第250号): other documents cite a document by its title, not by that.
_NUMBER_NAME = re.compile(r"[一二三四五六七八九十百零\d]号令?$")
_CJK = re.compile(r"[\u4e00-\u9fff]")
ALIKE_WORDS = 4
ALIKE_SHARE = 0.75
"""An English name of at least ``ALIKE_WORDS`` subject words is written when at least this share of them are
(the Plan for Building the Social Work Professional Talent Team: 7 of the 8 words of …Workforce)."""
MISSPELT_LENGTH = 6
"""Shortest name (in characters) recognised with one character typed wrong: shorter names (慈善法) are too
often one character away from ordinary words."""
_NAME_KIND = re.compile(r"(?:条例|办法|法|意见|方案|规划|公告|规定|通知|决定)$")
_TYPED_KIND = re.compile(r"条例|条列|办法|伴法|法|意见|方案|规划|公告|规定|通知|决定")
"""Where a typed document name may end: a kind, or a kind typed by sound (条列, 伴法)."""
# A document cited by its number: 国务院令第250号, 财政部102号令, 民发〔2015〕89号, Order No. 102.
_NUMERAL = "[0-9一二三四五六七八九十百零〇]{1,6}"
_ORDER_NUMBER = re.compile(
    rf"(?P<issuer>[\u4e00-\u9fff]{{0,6}}?)(?:令第?(?P<n1>{_NUMERAL})号|第?(?P<n2>{_NUMERAL})号令)"
    r"|(?:order|decree)\s+no\.?\s*(?P<n3>\d{1,4})",
    re.IGNORECASE,
)
_FILE_NUMBER = re.compile(
    r"(?P<office>[\u4e00-\u9fff]{1,6}?)(?:[〔\[［(（](?P<year>\d{4})[〕\]］)）]|(?P<year2>\d{4})年)\s?第?(?P<n>\d{1,4})\s?号"
)

_SHORT_NUMBER = re.compile(
    rf"(?:(?P<office>[\u4e00-\u9fff]{{1,4}}发)|(?<![\d〕\]］)）年]))第?(?P<n>{_NUMERAL})号(?P<kind>公告|文)?(?!令)"
)
"""A document cited by its number and kind, or office, alone, as staff shorten it: 27号公告, 13号文, 民发89号."""

_PINYIN_NUMBER = re.compile(
    r"\b(?P<office>(?:[a-z]{1,16}[\s-]+){1,5})[〔\[［(（]\s*(?P<year>\d{4})\s*[〕\]］)）]\s*(?:no\.?\s*|number\s*)?(?P<n>\d{1,4})\b",
    re.IGNORECASE,
)
"""A file number as English writes it, its office in pinyin: Tai Zheng Ban Fa [2016] No. 123 (台政办发〔2016〕123号),
Caishui [2008] No. 160 (财税〔2008〕160号)."""
_SYLLABLE = re.compile(
    r"^(?:[bpmfdtnlgkhjqxrzcsyw]|zh|ch|sh)?(?:a|ai|an|ang|ao|e|ei|en|eng|er|o|ong|ou|i|ia|ian|iang|iao|ie|in|ing"
    r"|iong|iu|u|ua|uai|uan|uang|ue|ui|un|uo|v|ve)$"
)
"""A toneless pinyin syllable (tai, zheng, ban, fa), roughly: what tells an office from the English before it."""
_ENGLISH_ISSUERS = (("state council", "国务院"), ("civil affairs", "民政部"), ("mca", "民政部"), ("president", "主席"))
"""Who issues numbered orders, as English writes them before "Order No." (State Council Decree No. 400)."""


def _numbers_cited(text: str) -> list[tuple[tuple[str, str, int], str]]:
    """The document numbers a text writes, each as (issuer or office, year or 令, number) and as written:
    国务院令第250号 → (国务院, 令, 250); 民发〔2015〕89号 → (民发, 2015, 89); State Council Decree No. 400 →
    (国务院, 令, 400)."""
    found = []
    for m in _ORDER_NUMBER.finditer(text):
        number = cn_to_int(m.group("n1") or m.group("n2") or m.group("n3") or "")
        issuer = m.group("issuer") or ""
        if m.group("n3"):  # the issuer stands in the few words before: MCA Order No. 58
            before = text[max(0, m.start() - 30) : m.start()].lower()
            issuer = next((cn for en, cn in _ENGLISH_ISSUERS if re.search(rf"\b{en}", before)), "")
        if number:
            found.append(((issuer, "令", number), m.group(0).strip()))
    found += [((m["office"], m["year"] or m["year2"], int(m["n"])), m.group(0)) for m in _FILE_NUMBER.finditer(text)]
    for m in _PINYIN_NUMBER.finditer(text):
        words = re.findall(r"[a-z]+", m["office"].lower())
        while words and not all(_syllables(w) for w in words):  # Is Tai Zheng Ban Fa: "is" is no pinyin
            words.pop(0)
        if words:
            written = m.group(0)[m.group(0).lower().find(words[0]) :]
            found.append((("".join(words), m["year"], int(m["n"])), written))
    return found


@lru_cache(maxsize=256)
def _syllables(word: str) -> bool:
    """Whether ``word`` is toneless pinyin, one syllable or several run together (caishui, minfa)."""
    return bool(_SYLLABLE.match(word)) or any(
        _SYLLABLE.match(word[:cut]) and _syllables(word[cut:]) for cut in range(1, min(len(word), 6) + 1)
    )


def _of(said: str, office: str) -> bool:
    """Whether a number's kind or office as typed (公告, 文, 民发, 中发) fits the office the library writes (民政部公告,
    民发): 文 fits any."""
    return said == "文" or said in office or (said.endswith("发") and office.endswith(said[-2:]))


def _sounds_alike(typed: str, right: str) -> bool:
    """Whether two characters read the same once tones are left out (发 for 法, 里 for 理)."""
    return typed != right and _CJK.match(typed) is not None and pinyin_key(typed) == pinyin_key(right)


@lru_cache(maxsize=256)
def _office_syllables(office: str) -> tuple[str, ...]:
    """A document number's office in toneless pinyin, a syllable each: 台政办发 → (tai, zheng, ban, fa)."""
    return tuple(pinyin_key(office).split())


def _same_number(asked: tuple[str, str, int], known: tuple[str, str, int]) -> bool:
    """Whether a number asked is one the library writes; an issuer left out (250号令) fits any."""
    (issuer, kind, number), (other, other_kind, other_number) = asked, known
    if issuer.isascii() and issuer:  # its office in pinyin: taizhengbanfa
        issuer = other if issuer.endswith("".join(_office_syllables(other))) else "\u0000"
    shared = not issuer or issuer[-2:] in other or other[-2:] in issuer
    return kind == other_kind and number == other_number and shared


def _cites(text: str, number: tuple[str, str, int]) -> bool:
    return any(_same_number(number, cited) for cited, _ in _numbers_cited(text))


def _leaves_out(short: str, full: str) -> bool:
    """Whether ``short`` is ``full`` with some characters left out (in order)."""
    rest = iter(full)
    return all(ch in rest for ch in short)


# 慈善法出台前就成立的老协会: a document named as a time, before it existed, is not where the answer lies.
_BEFORE_IT = re.compile(r"(?:出台|实施|施行|颁布|公布|生效)(?:前|以前|之前)")
# What a person puts between a document's subject and its kind: 城乡社区治理的那个中央意见.
# How a subject is described before its bare kind: 城乡社区治理的那个中央意见, 基层治理…现代化那个意见.
_DESCRIBED_KIND = re.compile(
    rf"(?:的(?:那个|这个|那份|这份|相关|有关|中央|国务院|民政部|国家|省里|省){{1,2}}|[那这][个份部])(?=(?:{_KINDS})$)"
)


def _bare_titles(question: str, pattern: re.Pattern = _BARE_TITLE) -> list[str]:
    """Regulation names written without 《》, cut after the last 的/年/和 before them (2024年的公开募捐管理办法);
    a subject described before its kind (城乡社区治理的那个中央意见) is read as the subject and the kind."""
    cut = (
        r"^.*(?:[的年和与及或在按]|[那这][个份部])"  # 民政部那个评估办法: 评估办法 (那个 before a bare kind describes)
    )
    return [re.sub(cut, "", _DESCRIBED_KIND.sub("", t)) for t in pattern.findall(question)]


_DESCRIBED_DOCUMENT = re.compile(
    rf"([\u4e00-\u9fff]{{2,20}}?)(?:的)?(?:那个|这个|那份|这份|那部|这部)?(?:{_KINDS}|文件|地方性法规|行政法规|部门规章|法律)"
)
_ONE_OF_KIND = re.compile(r"[那这][个份部]")
"""A document described by words of its title before its kind, with 的 or 那个 between (台州三社联动的意见,
慈善组织认定的办法, 社区工作者那个文件, 浙江那个实施慈善法的地方性法规): a last resort when no name is found."""
_KIND_END = re.compile(_KINDS)
_DOCUMENT_END = re.compile(rf"(?:{_KINDS}|法|法典|纲要|决议|[)）])$")

# A law cited by an article (个人所得税法第六条) or a code (民法典): a name the library's names must hold.
_LAW_WITH_ARTICLE = re.compile(
    r"([\u4e00-\u9fff]{2,16}?法典|[\u4e00-\u9fff]{2,16}法)(?=\s*第[0-9一二三四五六七八九十百零〇]+条)"
)
_CODE = re.compile(r"[\u4e00-\u9fff]{1,8}法典")
# A law named before what it says (个人所得税法规定, 劳动合同法里): a name of four characters or more ending in 法
# that is not one of the everyday words ending in it (办法, 方法, 合法, 依法 …); before the article asked, three
# will do (公司法哪一条规定).
_LAW_SAYS = re.compile(
    r"([\u4e00-\u9fff]{3,15}法)(?=规定|里|中|上|对|说|怎么|有没有|是否|有关)"
    r"|(?![这那该本此])([\u4e00-\u9fff]{2,15}法)(?=哪一?条|第几条)"
)
_NOT_A_LAW = re.compile(r"(?:办|方|做|说|想|看|合|违|依|非|守|立|执|(?<!公)司|用|手|写|算|章|宪)法$")
_LAW_CUT = re.compile(r"^.*[的年和与及或在按问查看据照于里]")
"""Where a law's name starts: after the last word that leads into it (根据个人所得税法, 我想问民法典)."""
# A place's own rules (广东省志愿服务条例, Guangdong Province Volunteer Service Regulations): the place as
# jieba knows places (its ns words), the title up to its kind.
_PLACE_LEVEL = re.compile(rf"(?:省|市|自治区)\s*[\u4e00-\u9fff]{{0,24}}?(?:{_KINDS}|法)")
_TITLE_CHAR = r"(?:[^\W\d_我你他想问是吗呢么要能会可请该怎和与及或跟对]|会(?![不被怎么吗有要]))"
_PLACE_TITLE = re.compile(
    rf"(?:{_TITLE_CHAR}{{0,24}}|{_TITLE_CHAR}{{2,12}}?[和与及]{_TITLE_CHAR}{{1,12}}?)(?:{_KINDS}|法)"
)
"""A place's title up to its kind: 会 not as a modal (会不会, 会怎么), 和/与/及 only inside it
(深圳市社区社会组织登记与备案管理暂行办法)."""
_PLACE_AUTHORITY = re.compile(
    rf"(民政厅|民政局|人民政府|政府(?!购买)|人大常委会)[^，,。；;？?！!]{{0,16}}?(?:{_KINDS}|政策|文件|条文)"
)
"""A place's own authority and what it rules (广东省民政厅对社区社会组织备案是怎么规定的): that place's rules
(政府购买服务 is a topic, not an authority)."""
# A document named by its issuer and subject (国务院关于促进慈善事业健康发展的指导意见): the subject says which.
_ISSUED = re.compile(
    r"(?:中共中央|国务院|国务院办公厅|中办|国办|民政部|财政部|税务总局|[\u4e00-\u9fff]{2,8}?(?:部|委|厅|局|政府|办公室))"
    r"(?:[ 、和]+(?:国务院|民政部|财政部|税务总局))*关于([^，,。？?！!；;《》]{2,40}?)的[\u4e00-\u9fff]{0,4}?(?:意见|通知|决定|办法|规定|方案)"
)
SAME_SUBJECT = 0.5
"""How alike (difflib ratio) an issued title's subject must be to a library title's to name that document."""
_STATES = re.compile(rf"(?:{_KINDS}|法)规定$")
"""A title followed by the verb 规定 (…管理办法规定): the verb is no part of it."""
OWN_RULES = "的相关规定"
"""How a place's rules are named when the question names its authority, not a title."""
_ENGLISH_PLACE_TITLE = re.compile(
    r"\b([A-Z][a-z]+)\s+(?:Province|Provincial|Municipal(?:ity)?|City)\b(?:\s+[A-Z][A-Za-z'-]*)*?"
    r"\s+(?:Regulations?|Measures?|Law|Rules?|Opinions?|Code|Provisions?)\b"
)


def _ends_of_kind(run: str) -> list[str]:
    """``run`` and each shorter run of it that ends in a kind of document, longest first: a name may be
    followed by words ending in a kind word too (…办法规定公募方案)."""
    return [run] + [run[: m.end()] for m in reversed(list(_KIND_END.finditer(run[:-2])))]


def _spelled_out(name: str) -> list[str]:
    """``name`` with each everyday shortening it holds written out as the policy word it leaves characters
    out of (公募 → 公开募捐, 民非 → 民办非企业单位), one reading per policy word."""
    readings = []
    for phrase, targets in synonyms():
        if len(phrase) >= 2 and phrase in name:
            readings += [name.replace(phrase, t) for t in targets if len(t) > len(phrase) and _leaves_out(phrase, t)]
    return readings


def name_key(text: str) -> str:
    """How names are compared: NFKC, no whitespace, no book-title marks or quotes, no case (Charity Law)."""
    return _MARKS.sub("", normalize(text)).lower()


def without_names(text: str, names: list[str]) -> str:
    """``text`` with the names (as ``name_key`` writes them) blanked out, its own spacing kept: an English
    question stays words (what does the Charity Law say -> what does the   say). With no names, ``text``
    itself (the same string embeds once: the query embedding is cached by its text)."""
    if not names:
        return text
    text = unicodedata.normalize("NFKC", text)
    for name in names:
        text = _name_pattern(name).sub(" ", text)
    return text


@lru_cache(maxsize=4096)
def _name_pattern(name: str) -> re.Pattern:
    """A name as a question may write it: spaces, book-title marks or quotes between its characters, any case."""
    gap = r"[\s《》〈〉<>“”\"'‘’「」]*"
    return re.compile(gap + gap.join(re.escape(ch) for ch in name) + gap, re.IGNORECASE)


PART_KINDS = ("编", "章", "节", "部分")
"""Units a question can name by their heading (“应急慈善”一章, 总体要求部分)."""


@lru_cache(maxsize=1024)
def _places_named(question: str) -> tuple[tuple[int, int, str], ...]:
    """(start, end, place) of each province or city jieba tags as a place (ns) in a question, cut once per
    question however often its names are looked for."""
    import jieba.posseg

    found, at = [], 0
    for token in jieba.posseg.cut(question):
        start, at = at, at + len(token.word)
        # 杭州市, 广东省; not the nouns jieba may tag so (城市, 超市, 全省)
        if token.flag == "ns" and token.word.endswith(("省", "市", "自治区")) and len(token.word) >= 3:
            found.append((start, at, token.word))
    return tuple(found)


def _kind_word(text: str, at: int) -> str:
    """The English kind word standing at ``at`` (Regulations → regula), as names are compared."""
    word = re.match(r"[A-Za-z]+", text[at:])
    return word.group(0).lower()[:ENGLISH_STEM] if word else ""


def _english_place(doc: PolicyDocument) -> str | None:
    """The first word every English name of a document shares (Zhejiang …, Taizhou …), or None."""
    firsts = {name.split()[0].lower() for name in english_names().get(doc.title, ()) if name.split()}
    return firsts.pop() if len(firsts) == 1 else None


@lru_cache(maxsize=1)
def english_names() -> dict[str, tuple[str, ...]]:
    """Exact title → the English names people use for it (data/english_names.tsv)."""
    text = resources.files("assistant").joinpath("data", "english_names.tsv").read_text(encoding="utf-8")
    rows = [line.split("\t", 1) for line in text.splitlines() if line.strip() and not line.startswith("#")]
    return {title: tuple(names.split("|")) for title, names in rows}


ENGLISH_STEM = 6
"""Letters an English name word is compared by: charity and charitable, registration and register are one."""
_ENGLISH_KINDS = frozenset(
    w[:ENGLISH_STEM] for w in ("law", "regulation", "measure", "opinion", "rule", "plan", "announcement", "code")
)
_ENGLISH_KIND_WORDS = {"guidan": "opinio", "guidel": "opinio"}
"""Kind words English writes for one kind: the ministry's guidance / guidelines are its 指导意见 (Guiding Opinions)."""
_ENGLISH_PLACES_IN = frozenset(
    w[:ENGLISH_STEM] for w in ("article", "section", "chapter", "paragraph", "item", "point", "clause", "no")
)
"""Words that point into a document (Article 8 of …): never part of its name."""
_ENGLISH_FILLER = frozenset(
    w[:ENGLISH_STEM]
    for w in "the of on for and in to a an by s people republic china prc administration registration interim "
    "provisional provincial implementation implementing".split()
)


_ENGLISH_WORD = re.compile(r"[A-Za-z][A-Za-z']*")
"""A word of an English name; a hyphen joins two (urban-rural community governance: urban and rural)."""


def _english_words(text: str) -> list[str]:
    """An English text's words as names compare them, in order: lowercase, singular, one spelling (organisation),
    no possessive (Zhejiang's, villagers'); a year is a word too (the 2010 evaluation measures)."""
    lowered = unicodedata.normalize("NFKC", text).lower().replace("organis", "organiz")
    words = [w.strip("'") for w in re.findall(r"[a-z][a-z']*|\d{4}", POSSESSIVE.sub("", lowered))]  # Zhejiang's
    words = [w[:-1] if len(w) > 3 and w.endswith("s") and not w.endswith("ss") else w for w in words]
    return [_ENGLISH_KIND_WORDS.get(w[:ENGLISH_STEM], w[:ENGLISH_STEM]) for w in words]


def _capitalised(text: str, at: int) -> bool:
    """Whether the word at ``at`` is written with a capital that is not the sentence's own (Under the …)."""
    return text[at].isupper() and bool(re.search(r"[\w,;:(/'-]\s*$", text[:at]))


def _english_subjects(names: tuple[str, ...]) -> list[tuple[frozenset[str], frozenset[str]]]:
    """(kind words, subject words) of each English name: Regulations on the Administration of Foundations ->
    ({regulation}, {foundation}), so that the Foundations Regulations and regulations on foundations name it."""
    found = []
    for name in names:
        words = set(_english_words(name))
        kinds, subject = words & _ENGLISH_KINDS, words - _ENGLISH_KINDS - _ENGLISH_FILLER
        if kinds and subject:
            found.append((frozenset(kinds), frozenset(subject)))
    return found


def _names(doc: PolicyDocument) -> set[str]:
    """Every way a person may name the document, normalised."""
    base = _BRACKETS.sub("", doc.title)
    names = {
        doc.title,
        base,
        base.removeprefix("中华人民共和国"),
        *doc.short_names,
        *english_names().get(doc.title, ()),
    }
    if "关于" in base:  # 中共中央 国务院关于加强…的意见 → 关于加强…的意见, 加强…意见; …有关事项的公告 → …公告
        subject = base[base.index("关于") :]
        names |= {subject, subject.removeprefix("关于")}
        short = re.sub(r"(有关事项)?的(?=[^的]{1,4}$)", "", subject.removeprefix("关于"))
        names |= {short, _LEADING_VERBS.sub("", short)}  # 社区工作者队伍建设意见: what it is about, and its kind
    for run, short in _ABBREVIATED.findall(doc.text):  # 民办非企业单位年度检查（以下简称年检）→ 年检办法
        subject = next((run[i:] for i in range(len(run) - 3) if run[i:] in base), "")
        if subject:
            names |= {base.replace(subject, short), short + base[base.index(subject) + len(subject) :]}
    # A title's quoted keyword with its kind, and the place: “三社联动”…实施意见 → (台州)三社联动(实施)意见.
    kind = re.search(r"(?:实施|指导)?(?:意见|通知|办法|方案|规定|决定|公告)$", base)
    for keyword in re.findall(r"[“\"「]([^”\"」]{2,12})[”\"」]", doc.title) if kind else []:
        for ending in {kind.group(), kind.group()[-2:]}:
            names |= {place + keyword + ending for place in ("", *place_names(doc))}
    if doc.doc_number:
        names.add(doc.doc_number)
        names.update(re.findall(r"[^\s，,；;]*[〔\[［]\d{4}[〕\]］]\d+号", doc.doc_number))
        for office, year, number in re.findall(r"([^\s，,；;〔\[［]*)[〔\[［](\d{4})[〕\]］](\d+)号", doc.doc_number):
            # as people type it: 中发(2017)13号, 中发[2017]13号, 中发2017年13号, 中发2017 13号, 中发〔2017〕第13号
            for left, right in (("〔", "〕"), ("(", ")"), ("[", "]"), ("【", "】"), ("", "年"), ("", "")):
                names |= {f"{office}{left}{year}{right}{di}{number}号" for di in ("", "第")}
        for kind, year, number in re.findall(r"(公告|令)(\d{4}年)(第\d+号)", doc.doc_number):  # 公告2020年第27号
            names |= {kind + year + number, year + number + kind}
        for m, n in re.findall(r"([\u4e00-\u9fff]{2,4})令第([0-9一二三四五六七八九十百]+)号", doc.doc_number):
            numbers = {n, str(cn_to_int(n) or n)}  # 主席令第四十三号, 主席令第43号
            names |= {f"{m}令{di}{k}号" for k in numbers for di in ("第", "")}  # 国务院令250号
    return {name_key(n) for n in names if len(name_key(n)) >= 3}


KIND_TITLE = r"(?:登记)?管理(?:暂行)?条例"
"""How the title of a kind of organisation's own regulation goes on after the kind's name (社会团体登记管理条例,
基金会管理条例): such a kind is registered apart from the others."""


@dataclass
class DocumentRow:
    """One line of ``assistant docs``."""

    doc_id: str
    title: str
    doc_number: str
    kind: str
    issuer: str
    date: str
    effective: str
    status: str
    clauses: int
    short_names: list[str]


TITLE_PART = 4
"""The fewest characters of a title that name its document (志愿服务体系; 意见 alone names none)."""


class Library:
    """The documents of an index, with the names that point at them and which version is current."""

    def __init__(self, documents: list[PolicyDocument], *, speller: Callable[[], Speller] | None = None) -> None:
        """``speller``: builds the typo corrector on first use (by default from the documents' text)."""
        self.documents = sorted(documents, key=lambda d: (not d.in_force, d.doc_id))
        self.by_id = {d.doc_id: d for d in self.documents}
        for old in (d for d in self.documents if not d.in_force):
            current = self._current_version(old)
            if current:
                old.superseded_by = current.title
        self._names: list[tuple[str, PolicyDocument]] = sorted(
            ((name, d) for d in self.documents for name in _names(d)), key=lambda p: -len(p[0])
        )
        self._misspellings: dict[str, tuple[PolicyDocument, str]] = {}
        """Each Chinese name of a document in force of ``MISSPELT_LENGTH`` characters or more, with one character
        left open (志愿服务?例, ?愿服务条例), and the character left out: a name typed with one wrong character
        (``_misspelt``)."""
        for name, d in self._names:
            if d.in_force and len(name) >= MISSPELT_LENGTH and _CJK.match(name) and _NAME_KIND.search(name):
                for i in range(len(name)):
                    self._misspellings.setdefault(name[:i] + "?" + name[i + 1 :], (d, name[i]))
        self._misspelt_lengths = sorted({len(k) for k in self._misspellings}, reverse=True)
        # one wrong character leaves a name's first three or last three whole: only such stretches are looked up
        self._name_ends = {k[:3] for k in self._misspellings if "?" not in k[:3]} | {
            k[-3:] for k in self._misspellings if "?" not in k[-3:]
        }
        self._places = {d.doc_id: tuple(place_names(d)) for d in self.documents}
        self._numbers = {n for d in self.documents for n, _ in _numbers_cited(d.doc_number + d.text)}
        """Every document number the library writes: its own, and those its texts cite (修订 by 国务院令第666号)."""
        self._own_numbers = {d.doc_id: [n for n, _ in _numbers_cited(d.doc_number)] for d in self.documents}
        """Each document's own numbers (an English Order No. 250 is looked up among them)."""
        self._citing = [
            (number, d, clause)
            for d in self.documents
            for _, clause in d.iter_clauses()
            for number in dict.fromkeys(n for n, _ in _numbers_cited(clause.text))
            if not any(_cites(child.text, number) for child in clause.children)
        ]
        """(number, document, clause) for each number a clause cites, in the innermost clause citing it."""
        self._titles_in_force = {d.doc_id: normalize(_BRACKETS.sub("", d.title)) for d in self.documents if d.in_force}
        """Each document in force's title as a description of it is compared with (brackets dropped)."""
        self._described_by = {
            d.doc_id: f"{self._titles_in_force[d.doc_id]}|{normalize(d.issuer)}" for d in self.documents if d.in_force
        }
        """What a description's words may match: the title and the issuer (那个讲志愿者记录和开证明的民政部文件)."""
        self._policy_forms = dict(synonyms())
        """Everyday word → the policy words it stands for (data/synonyms.tsv)."""
        self._known_places = frozenset(p for places in self._places.values() for p in places)
        """Every place the library has documents of (浙江省, 浙江, 台州市 …)."""
        self._counterparts: dict[str, list[PolicyDocument]] = {}
        """The national documents each place's document carries out, as found (``counterparts``)."""
        self._english_places = {d.doc_id: _english_place(d) for d in self.documents if self._places[d.doc_id]}
        """A place's English word (zhejiang), where a document has a place: the first word all its English
        names share."""
        self._english = [
            (kinds, subject, d)
            for d in self.documents
            if d.in_force
            for kinds, subject in _english_subjects(english_names().get(d.title, ()))
        ]
        self._english_known = {w for _, subject, _ in self._english for w in subject} | _ENGLISH_FILLER | _ENGLISH_KINDS
        """The words an English name may be written with, around its kind word."""
        self._english_kinds = {k for kinds, _, _ in self._english for k in kinds}
        """The kinds the library's documents are in English (regulation, law …; no code)."""
        self._glossary = {w for phrase, _ in synonyms() if phrase.isascii() for w in _english_words(phrase)}
        """The English words of the everyday-word map (group, member …): no sign of a document the library lacks."""
        self.parts = [
            (normalize(c.heading), d, c)
            for d in self.documents
            for _, c in d.iter_clauses()
            if c.kind in PART_KINDS and len(normalize(c.heading)) >= 2
        ]
        """Chapters, sections and parts with their normalised headings, for look-up by heading."""
        self._speller: Speller | None = None
        self._speller_lock = threading.Lock()
        self._build_speller = speller or (lambda: Speller.from_texts(d.text for d in self.documents))
        self._plain_texts: dict[str, str] = {}
        titles = [normalize(d.title) for d in self.documents]
        defined = {t for d in self.documents for t in definitions(d.text)}
        kinds = [t for t in defined if any(re.search(re.escape(t) + KIND_TITLE, title) for title in titles)]
        self._kind_names = frozenset(kinds)
        self.kinds = {d.doc_id: frozenset(k for k in kinds if k in normalize(d.title)) for d in self.documents}
        """The kinds of organisation each document's title names (社会团体, 基金会, 民办非企业单位): terms the
        library defines that name a regulation of their own (社会团体登记管理条例, 基金会管理条例)."""

    @property
    def speller(self) -> Speller:
        """The library's homophone-typo corrector, built on first use."""
        with self._speller_lock:
            if self._speller is None:
                self._speller = self._build_speller()
            return self._speller

    def _current_version(self, old: PolicyDocument) -> PolicyDocument | None:
        base = name_key(_BRACKETS.sub("", old.title))
        return next((d for d in self.documents if d.in_force and name_key(_BRACKETS.sub("", d.title)) == base), None)

    def places_of(self, doc_id: str) -> tuple[str, ...]:
        """The places a document is of (浙江省, 台州市), from its issuer; none for a national one."""
        return self._places.get(doc_id, ())

    def national(self) -> list[PolicyDocument]:
        """The documents in force that hold everywhere: of no place."""
        return [d for d in self.documents if d.in_force and not self._places[d.doc_id]]

    def counterparts(self, doc_id: str) -> list[PolicyDocument]:
        """The national documents in force that a place's document carries out or mirrors, found in its title:
        浙江省志愿服务条例 → 志愿服务条例, 浙江省实施《中华人民共和国慈善法》办法 → 慈善法."""
        if doc_id in self._counterparts:
            return self._counterparts[doc_id]
        title = name_key(self.by_id[doc_id].title)
        for place in self._places.get(doc_id, ()):
            title = title.replace(name_key(place), "")
        found = [
            d
            for d in self.national()
            if any(_CJK.search(n) and len(n) >= 4 and n in title for n in self.names_of(d.doc_id))
        ]
        self._counterparts[doc_id] = found
        return found

    def local(self, question: str) -> list[PolicyDocument]:
        """Documents in force of the places a question names (台州, 浙江省): their issuers' places."""
        text = name_key(question)
        return self._of_places(lambda place: place in text, set(re.findall(r"[a-z]+", question.lower())))

    def in_province(self, question: str) -> list[PolicyDocument]:
        """Documents in force of the province a city the question names lies in (我在杭州, in Ningbo → 浙江省's):
        where the asker lives, not what the question is about."""
        places = gazetteer()
        provinces = places.provinces_named(name_key(question))
        english = {places.romanised[w] for w in re.findall(r"[a-z]+", question.lower()) if w in places.romanised}
        return self._of_places(provinces.__contains__, english)

    def _of_places(self, names: Callable[[str], bool], english: set[str]) -> list[PolicyDocument]:
        """Documents in force of a place ``names`` accepts (浙江省, 台州) or whose English place word is in ``english``."""
        return [
            d
            for d in self.documents
            if d.in_force and (any(map(names, self._places[d.doc_id])) or self._english_places.get(d.doc_id) in english)
        ]

    def mentioned(self, question: str) -> list[PolicyDocument]:
        """The documents a question names, in the order named; the current version unless it asks for an old one."""
        for start, end, _ in self._foreign_titles(question) + self._issued_elsewhere(question):
            # 广东省志愿服务条例 names no document of Zhejiang's, 国务院关于促进慈善事业…的指导意见 none of the library's
            question = question[:start] + " " * (end - start) + question[end:]
        text = name_key(question)
        found: list[tuple[int, PolicyDocument]] = []
        runs = self._english_runs(question)
        for doc in self._english_named(runs):  # the Zhejiang measures implementing the charity law
            _, _, (start, end), kind = runs[doc.doc_id]
            found.append((len(name_key(question[:kind])), doc))  # where its kind word stands
            name = name_key(question[start:end])
            if (position := text.find(name)) >= 0:  # masked: the Charity Law inside it names nothing more
                text = text[:position] + "\u0000" * len(name) + text[position + len(name) :]
        for name, doc in self._names:
            position = text.find(name)
            if position < 0:
                continue
            if not _BEFORE_IT.match(text, position + len(name)) and not any(d.doc_id == doc.doc_id for _, d in found):
                found.append((position, doc))
            # Mask what matched so a shorter name inside it (慈善法 in 实施《慈善法》办法) does not match again.
            text = text[:position] + "\u0000" * len(name) + text[position + len(name) :]
            while (position := text.find(name)) >= 0:
                text = text[:position] + "\u0000" * len(name) + text[position + len(name) :]
        typed = unicodedata.normalize("NFKC", question)
        # Order No. 250, 国务院250号令, 第58号令: a number written other than as the library writes it
        cited = [
            (written, lambda own, number=number: _same_number(number, own)) for number, written in _numbers_cited(typed)
        ]
        for m in _SHORT_NUMBER.finditer(typed):  # 27号公告, 13号文, 民发89号: no year
            n, said = cn_to_int(m["n"]), m["kind"] or m["office"]
            if said:
                cited.append(
                    (m.group(0), lambda own, n=n, said=said: own[1] != "令" and own[2] == n and _of(said, own[0]))
                )
        for written, fits in cited:
            owners = [d for d in self.documents if any(fits(own) for own in self._own_numbers[d.doc_id])]
            at = len(name_key(question[: max(question.find(written), 0)]))
            found += [(at, d) for d in owners if all(d.doc_id != other.doc_id for _, other in found)]
        whole = list(found)  # named in full: a name may hold another
        for written, owner in self._partial_names(question):
            start = name_key(question).find(name_key(written))
            end = start + len(name_key(written))
            # 浙江实施慈善法办法 names the Zhejiang measures, not also the Charity Law inside its name
            inside = [(p, d) for p, d in whole if start <= p < end and d.doc_id != owner.doc_id]
            found = [item for item in found if item not in inside]
            if all(d.doc_id != owner.doc_id for _, d in found):
                found.append((start, owner))
        if not found and (misspelt := self._misspelt(text)):  # 自愿服务条例, 志愿服务条列: one wrong character
            found.append(misspelt[:2])
        for written, owner in self._described(question):  # 台州三社联动的意见, 浙江那个实施慈善法的地方性法规
            start = name_key(question).find(name_key(written))
            inside = [(p, d) for p, d in found if start <= p < start + len(name_key(written)) and d != owner]
            if inside or not found:  # a last resort, or what holds a name (慈善法) that it is not
                found = [item for item in found if item not in inside] + [(start, owner)]
        if not found and (kind := _BARE_KIND.search(question)):  # 公告第五条: the library's only 公告
            owners = [d for d in self.documents if d.in_force and _BRACKETS.sub("", d.title).endswith(kind.group(1))]
            found += [(kind.start(1), owners[0])] if len(owners) == 1 else []
        found.sort(key=lambda p: p[0])
        docs = [d for _, d in found]
        if self.wants_old(question):
            extra = [o for d in docs for o in self.older(d.doc_id)]
            old = list({d.doc_id: d for d in extra + [d for d in docs if not d.in_force]}.values())  # named or not
            current = [d for d in docs if d.in_force]
            # The old version first, unless the question also names the current one (修正后, its year, 现在的):
            # then it compares, and the text in force leads (现在还有效吗 asks of the old one).
            years = set(re.findall(r"(?:19|20)\d\d", question))
            compares = bool(
                re.search(r"修正后|修订后|现行|最新|新修|(?:现在|目前)(?!还|仍|是否|依然)", question)
            ) or any(years & set(re.findall(r"(?:19|20)\d\d", d.amended + d.title)) for d in current)
            docs = current + old if compares else old + current
        else:
            named_current = {d.title for d in docs if d.in_force}
            docs = [d for d in docs if d.in_force or d.superseded_by not in named_current]
        return docs

    def _misspelt(self, text: str) -> tuple[int, PolicyDocument, str] | None:
        """(where, the document, the stretch as typed) for the first stretch of ``text`` (as ``name_key`` writes
        it) that holds a document's name with one character wrong: the stretch must end like a document's kind
        (条例, 办法, or a typo of it, 条列), so 志愿服务条件 names nothing, or the wrong character must sound like
        the right one (民非登记暂行办发, 社会团体登记管里条例)."""
        kind_ends = {m.end() for m in _TYPED_KIND.finditer(text)}
        for length in self._misspelt_lengths:
            for start in range(len(text) - length + 1):
                window = text[start : start + length]
                if window[:3] not in self._name_ends and window[-3:] not in self._name_ends:
                    continue
                for i in range(length):
                    doc, right = self._misspellings.get(window[:i] + "?" + window[i + 1 :], (None, ""))
                    if doc and (start + length in kind_ends or _sounds_alike(window[i], right)):
                        return start, doc, window
        return None

    def kind_asked(self, question: str) -> str:
        """The one kind of organisation a question asks about, in its own or everyday words (协会 → 社会团体);
        "" when it names none or several (社团和民非有什么区别)."""
        expanded = normalize(expand_query(question))
        asked = {k for k in self._kind_names if k in expanded}
        return asked.pop() if len(asked) == 1 else ""

    def of_kind(self, question: str, doc_ids: list[str]) -> list[str]:
        """``doc_ids`` without the documents of another kind of organisation than the one the question asks
        about (我们协会年检不合格会罚多少钱: 社会团体, not the 民办非企业单位年度检查办法)."""
        kind = self.kind_asked(question)
        return [d for d in doc_ids if not kind or not self.kinds[d] or kind in self.kinds[d]]

    def older(self, doc_id: str) -> list[PolicyDocument]:
        """The superseded versions of a document (the 2016 text of the Charity Law), newest first."""
        title = self.by_id[doc_id].title
        return [d for d in self.documents if d.superseded_by == title]

    def wants_old(self, question: str) -> bool:
        """Whether the question asks about an earlier version (2016年原文, 修正前, original, or the year
        that only a superseded text carries in its title: 2016年慈善法)."""
        text = unicodedata.normalize("NFKC", question).lower()
        years = set(re.findall(r"(?:19|20)\d\d", text))
        years |= {
            ("19" if int(y) > 50 else "20") + y
            for y in re.findall(r"(?<!\d)(\d\d)(?=年[那这老旧原]?[个的]?版|年的|年原文|版)", text)
        }  # 16版, 16年那版, 16年原文
        old_years = {y for d in self.documents if not d.in_force for y in re.findall(r"(?:19|20)\d\d", d.title)}
        return bool(OLD_VERSION.search(text)) or bool(years & old_years)

    def cited_elsewhere(self, question: str) -> list[tuple[str, list[tuple[PolicyDocument, Clause]]]]:
        """Documents the question names by a number that is no document's own but that clauses of the library
        cite (财税〔2008〕160号, repealed by the 2020 announcement's 十五), each as written with the innermost
        clauses citing it."""
        found = []
        for number, written in _numbers_cited(unicodedata.normalize("NFKC", question)):
            if any(_same_number(number, own) for owns in self._own_numbers.values() for own in owns):
                continue
            clauses = [(d, clause) for cited, d, clause in self._citing if _same_number(number, cited)]
            if clauses:
                found.append((written, clauses))
        return found

    def unknown_titles(self, question: str) -> list[str]:
        """Documents the question cites that are not in the library, as shown: 《社会救助暂行办法》, a bare
        《政府购买服务管理办法》 that no document's name contains (nor contains), or a number no document has
        nor cites (财政部令第102号)."""
        # in 《》 only what a document is called (…办法, …法): 《社会团体法人登记证书》 is a certificate
        cited = [t for t in _TITLE.findall(question) if _DOCUMENT_END.search(t)] + _bare_titles(question)
        known = [t for t in cited if self._holds(t)]
        numbers = [
            written
            for number, written in _numbers_cited(unicodedata.normalize("NFKC", question))
            if not any(_same_number(number, known) for known in self._numbers)
        ]
        english = self._unknown_english_titles(question)
        laws = [_LAW_CUT.sub("", m) for m in _LAW_WITH_ARTICLE.findall(question) + _CODE.findall(question)]
        laws += [t for m in _LAW_SAYS.findall(question) if not _NOT_A_LAW.search(t := _LAW_CUT.sub("", m[0] or m[1]))]
        # …办法第三条 is a regulation's name, read (and shortened) as one above: 公募办法, 记录证明办法
        laws = [
            t
            for t in dict.fromkeys(laws)
            if len(t) > 2 and not t.endswith("办法") and t not in cited and not self._holds(t) and not self._misnamed(t)
        ]
        laws += [t for _, _, t in self._issued_elsewhere(question) if t not in laws]
        foreign = [title for _, _, title in self._foreign_titles(question)]
        titles = [f"《{t}》" for t in cited if t not in known] + [f"《{t}》" for t in laws]
        return list(
            dict.fromkeys(
                titles
                + [t if t.isascii() or t.endswith(OWN_RULES) else f"《{t}》" for t in foreign]
                + numbers
                + english
            )
        )

    def share(self, doc_id: str, forms: tuple[str, ...]) -> float:
        """How often a document writes a word (any of its forms), against the document in force writing it most:
        1 for the word's own document, near 0 where it is only mentioned."""
        counts = self._counts(forms)
        most = max(counts.values(), default=0)
        return counts.get(doc_id, 0) / most if most else 1.0

    def writer(self, forms: tuple[str, ...]) -> str:
        """The document in force writing a word (any of its forms) most; empty when none writes it."""
        counts = self._counts(forms)
        best = max(counts, key=counts.get, default="")
        return best if counts.get(best) else ""

    def _counts(self, forms: tuple[str, ...]) -> dict[str, int]:
        return {d.doc_id: sum(self._plain(d.doc_id).count(f) for f in forms) for d in self.documents if d.in_force}

    def _issued_elsewhere(self, question: str) -> list[tuple[int, int, str]]:
        """(start, end, title) of the documents a question names by issuer and subject that the library lacks."""
        return [
            (m.start(), m.end(), m.group(0))
            for m in _ISSUED.finditer(question)
            if not self._holds_subject(m.group(1)) and not self._holds(m.group(0))
        ]

    def _holds_subject(self, subject: str) -> bool:
        """Whether a library document's title is about much the same subject (关于…的意见 as people recall it)."""
        asked = name_key(subject)
        return any(
            asked in name_key(d.title) or SequenceMatcher(None, asked, name_key(d.title)).ratio() >= SAME_SUBJECT
            for d in self.documents
        )

    def _misnamed(self, law: str) -> bool:
        """Whether a law's name is a library regulation's subject called a law (志愿服务法, 基金会法, 城市居委会
        组织法): people call any rule a law, and the library has the rule."""
        subjects = [name_key(n)[:-1] for n in (law, *_spelled_out(law)) if len(name_key(n)) >= 4]
        return any(s in full or _leaves_out(s, full) for s in subjects for full, _ in self._names)

    def _holds(self, title: str) -> bool:
        """Whether a name written in a question is a name, or a part or shortening, of a library document."""
        return any(name_key(title) in k or k in name_key(title) for k, _ in self._names) or bool(self._shortened(title))

    def _foreign_titles(self, question: str) -> list[tuple[int, int, str]]:
        """(start, end, title) of the rules of a place the library has no document of: 广东省志愿服务条例,
        上海市慈善条例, 广东省民政厅的相关规定, Guangdong Province Volunteer Service Regulations. A place is what
        jieba tags as one."""
        found = []
        for start, at, place in _places_named(question) if _PLACE_LEVEL.search(question) else ():
            if any(p in place for p in self._known_places):
                continue
            if title := _PLACE_TITLE.match(question, at):
                end = title.end() - 2 * bool(_STATES.search(title.group(0)))  # …办法规定备案要几个人
                found.append((start, end, question[start:end]))
            elif authority := _PLACE_AUTHORITY.match(question, at):  # 广东省民政厅对…是怎么规定的
                found.append((start, authority.end(), f"{place}{authority.group(1)}{OWN_RULES}"))
        for m in _ENGLISH_PLACE_TITLE.finditer(question):
            if m.group(1).lower() not in self._english_places.values():
                found.append((m.start(), m.end(), m.group(0)))
        return found

    def _policy_title(self, run: str) -> tuple[str, dict[str, PolicyDocument]]:
        """Where a policy title starts is not marked (请问社区工作者意见): the longest tail of ``run`` that
        names one document, and that document."""
        for i in range(len(run) - 3):
            if owners := self._part_or_shortened(run[i:], whole=i == 0):
                return run[i:], owners
        return "", {}

    def _part_or_shortened(self, name: str, whole: bool = True) -> dict[str, PolicyDocument]:
        """The one document in force that a title names by a part of five characters or more (专项行动方案),
        or by five or more of its characters, in order and ending in its kind (公开募捐办法), or by leaving
        characters out of it (社区工作者意见); or, written on its own (``whole``: not the end of a longer name,
        as 暂行办法 is of 社会救助暂行办法), by two words of its subject and its kind (人才规划)."""
        key = name_key(name)
        part = {
            d.doc_id: d
            for full, d in self._names
            if d.in_force
            and full[-2:] == key[-2:]
            and (
                (len(key) >= 5 and (key in full or _leaves_out(key, full)))
                or (whole and len(key) == 4 and key[:2] in full)
            )
        }
        return part if len(part) == 1 else self._shortened(name)

    def _shortened(self, name: str) -> dict[str, PolicyDocument]:
        """The one document in force whose name ``name`` shortens by leaving characters out, keeping its
        first character and its kind (社团登记条例 for 社会团体登记管理条例), or none."""
        short = name_key(name)
        owners = {
            d.doc_id: d
            for full, d in self._names
            if d.in_force and len(short) >= 4 and _leaves_out(short, full) and full[0] == short[0]
            and full[-2:] == short[-2:]
        }  # fmt: skip
        return owners if len(owners) == 1 else {}

    def set_aside(self, question: str, doc_ids: list[str]) -> str:
        """The question without the names it gives these documents, in full or shortened (评估管理办法): they
        say where to look, not what is asked."""
        if not doc_ids:
            return question
        names = [n for doc_id in doc_ids for n in self.names_of(doc_id)]
        names += [
            name_key(written) for written, owner in self._partial_names(question) if written and owner.doc_id in doc_ids
        ]
        if not any(name in name_key(question) for name in names):  # 台州三社联动的意见: described, not named
            names += [name_key(written) for written, owner in self._described(question) if owner.doc_id in doc_ids]
            if (misspelt := self._misspelt(name_key(question))) and misspelt[1].doc_id in doc_ids:  # 志愿服务条列
                names.append(misspelt[2])
        return without_names(question, sorted(set(names), key=len, reverse=True))

    def without_english_names(self, question: str, doc_ids: list[str]) -> str:
        """The question without the English names it gives these documents by kind and subject words (When did
        the Regulations on Foundations take effect?): what is left says whether it asks about the document
        itself. Retrieval keeps the words: the subject of a name is often the topic asked about too."""
        runs = sorted({where for doc_id, (_, _, where, _) in self._english_runs(question).items() if doc_id in doc_ids})
        for start, end in reversed(runs):
            question = question[:start] + " " + question[end:]
        for office, year, number in (n for doc_id in doc_ids for n in self._own_numbers.get(doc_id, [])):
            if _CJK.search(office) and year.isdigit():  # Tai Zheng Ban Fa [2016] No. 123
                syllables = r"[\s-]*".join(_office_syllables(office))
                written = rf"\b{syllables}\s*[〔\[［(（]\s*{year}\s*[〕\]］)）]\s*(?:no\.?\s*|number\s*)?{number}\b"
                question = re.sub(written, " ", question, flags=re.IGNORECASE)
        return question

    def _described(self, question: str) -> list[tuple[str, PolicyDocument]]:
        """(as written, the document) for a document described by words of its title or issuer before its kind:
        the one document in force whose title or issuer holds every such word (or a policy form of it) and
        whose title ends in that kind; words no title or issuer holds (概括, 一下) are passed over."""
        titles, described_by = self._titles_in_force, self._described_by
        found = []
        for m in _DESCRIBED_DOCUMENT.finditer(unicodedata.normalize("NFKC", question)):
            kind = next(
                k for k in ("地方性法规", "行政法规", "部门规章", "法律", m.group(0)[-2:]) if m.group(0).endswith(k)
            )
            if kind in DOC_KINDS and not _ONE_OF_KIND.search(m.group(0)):  # 社会组织的部门规章有哪些: several
                continue
            # what describes it starts after the last article cited, or after the last 和 when the words before
            # it describe no one document (慈善法第二十二条和浙江办法; 讲志愿者记录和开证明的民政部文件 is one)
            after_article = re.sub(r"^.*第[一二三四五六七八九十百零]+条", "", m.group(1))
            for subject in dict.fromkeys((after_article, re.sub(r"^.*[和与及跟、]", "", after_article))):
                if re.search(r"(?:哪|什么|啥)[\u4e00-\u9fff]?$", subject):  # 按哪部条例登记的: a kind asked for
                    break
                forms = [{w, *self._policy_forms.get(w, ())} for w in words(subject)]
                forms = [f for f in forms if any(len(w) >= 2 and w in s for w in f for s in described_by.values())]
                if not [f for f in forms if not f & self._known_places]:  # 浙江的条例: a place alone describes none
                    continue
                owners = [
                    d
                    for d in self.documents
                    if d.doc_id in titles
                    and (kind == "文件" or titles[d.doc_id].endswith(kind) or d.kind == kind)  # 那部法律: its kind
                    and all(any(w in described_by[d.doc_id] for w in f) for f in forms)
                ]
                if len(owners) == 1:
                    found.append((subject + m.group(0)[len(m.group(1)) :], owners[0]))
                    break
        return found

    def _partial_names(self, question: str) -> list[tuple[str, PolicyDocument]]:
        """Names the question gives one document in force by a part or a shortening of its name, as written:
        公开募捐管理办法, 社团登记条例, (请问)社区工作者意见."""
        found = []
        for partial in _TITLE.findall(question) + _bare_titles(question):
            owners = {d.doc_id: d for name, d in self._names if name_key(partial) in name and d.in_force}
            owners = owners or self._shortened(partial)
            found += [(partial, *owners.values())] if len(owners) == 1 else []
        for run in _bare_titles(question, _BARE_PARTIAL_TITLE):
            for shorter in _ends_of_kind(run):  # 浙江实施慈善法办法规定公募方案: 浙江实施慈善法办法
                tail, owners = self._policy_title(shorter)
                for spelled in [] if owners else _spelled_out(shorter):  # 公募办法: 公开募捐办法
                    if owners := self._part_or_shortened(spelled):
                        tail = shorter
                        break
                if owners:
                    break
            found += [(tail, *owners.values())] if owners else []
        return found

    @staticmethod
    def _english_named(runs: dict[str, tuple[int, PolicyDocument, tuple[int, int], int]]) -> list[PolicyDocument]:
        """Documents an English question names by a kind word and the subject words around it (the regulations
        on foundations, the 2010 evaluation measures): those whose subject is nearest to what is written, so
        the Zhejiang volunteer service regulations name the provincial ones, not also the national ones."""
        nearest = min((distance for distance, *_ in runs.values()), default=0)
        return [d for distance, d, *_ in runs.values() if distance == nearest]

    def _english_runs(
        self, question: str, runs: list | None = None
    ) -> dict[str, tuple[int, PolicyDocument, tuple[int, int], int]]:
        """doc id -> (distance, document, where in the question its name stands, where its kind word stands) for
        each document an English question may name: the run of name words around a kind word ([the Zhejiang
        volunteer service] regulations). ``runs``: the question's name runs, when already found."""
        hits: dict[str, tuple[int, PolicyDocument, tuple[int, int], int]] = {}
        for where, kind_at, kind, written in self._english_name_runs(question) if runs is None else runs:
            for kinds, subject, d in self._english if written else ():
                distance = len(written ^ subject)
                # a long name translated a little differently (Talent Team for Workforce) shares most words
                alike = len(subject) >= ALIKE_WORDS and len(written & subject) >= ALIKE_SHARE * len(subject)
                fits = kind in kinds and (written <= subject or subject <= written or alike)
                if fits and (d.doc_id not in hits or distance < hits[d.doc_id][0]):
                    hits[d.doc_id] = (distance, d, where, kind_at)
        return hits

    def _english_name_runs(self, question: str) -> list[tuple[tuple[int, int], int, str, set[str]]]:
        """Each run of name words around a kind word in an English question: (where it stands, where its kind
        word stands, the kind, its subject words). A name runs over the words the library's names use, and
        over capitalised words it does not (the Interim Measures for Social Assistance)."""
        spans = [
            (m.start(), m.end(), w, _capitalised(question, m.start()))
            for m in _ENGLISH_WORD.finditer(question)
            for w in _english_words(m.group())[:1]
        ]
        spans += [(m.start(), m.end(), m.group(), False) for m in re.finditer(r"\d{4}", question)]
        spans.sort()
        words, known = [w for _, _, w, _ in spans], self._english_known

        def joins(i: int, j: int) -> bool:  # word i may stand in one name with its neighbour j
            if words[i] in _ENGLISH_PLACES_IN:
                return False
            spaced = not question[min(spans[i][1], spans[j][1]) : max(spans[i][0], spans[j][0])].strip()
            return words[i] in known or words[i].isdigit() or (spans[i][3] and spaced)

        runs = []
        for at, kind in ((i, w) for i, w in enumerate(words) if w in _ENGLISH_KINDS):
            start, end = at, at + 1
            while start and joins(start - 1, start):
                start -= 1
            while end < len(words) and joins(end, end - 1):
                end += 1
            written = set(words[start:end]) - _ENGLISH_FILLER - _ENGLISH_KINDS
            written = {w for w in written if not w.isdigit()}
            runs.append(((spans[start][0], spans[end - 1][1]), spans[at][0], kind, written))
        return runs

    def _unknown_english_titles(self, question: str) -> list[str]:
        """English names of documents the library does not hold: a capitalised name (the Interim Measures for
        Social Assistance, the Labor Law) with a word that no name in the library nor the everyday-word map
        uses, naming no document."""
        runs = self._english_name_runs(question)
        named = {kind_at for _, _, _, kind_at in self._english_runs(question, runs).values()}
        return [
            re.sub(r"^(?:(?:of|the|a|an|in|under)\s+)+", "", question[start:end], flags=re.IGNORECASE)
            for (start, end), kind_at, _, written in runs
            if kind_at not in named
            and _capitalised(question, kind_at)
            # a word no name nor the everyday-word map uses, or a kind no document is (the Civil Code)
            and (
                written - self._english_known - self._glossary
                or _kind_word(question, kind_at) not in self._english_kinds
            )
        ]

    def names_of(self, doc_id: str) -> list[str]:
        """The normalised names of one document, longest first."""
        return [name for name, doc in self._names if doc.doc_id == doc_id]

    def citing(self, doc_id: str, among: list[str]) -> tuple[list[str], list[str]]:
        """How other documents cite ``doc_id`` (its Chinese names, longest first) and which of ``among`` (or,
        when it is empty, of the documents in force) do: the text that says how two documents relate
        (根据《志愿服务条例》…制定, 依据《社会组织评估管理办法》的规定)."""
        names = [n for n in self.names_of(doc_id) if _CJK.search(n) and not _NUMBER_NAME.search(n)]
        pool = among or [d.doc_id for d in self.documents if d.in_force and d.doc_id != doc_id]
        return names, [d for d in pool if any(n in self._plain(d) for n in names)]

    def _plain(self, doc_id: str) -> str:
        if doc_id not in self._plain_texts:
            self._plain_texts[doc_id] = name_key(self.by_id[doc_id].text)
        return self._plain_texts[doc_id]

    def resolve(self, name: str) -> PolicyDocument | None:
        """A document by id, file name, title, short name or number (``--doc``)."""
        key = name_key(name).removesuffix(".txt")
        if key in self.by_id:
            return self.by_id[key]
        exact = [d for n, d in self._names if n == key]
        if exact:
            return exact[0]
        docs = self.mentioned(name) or self.local(name)  # 台州: the one document of that place
        if not docs and len(key) >= TITLE_PART:  # 健全新时代志愿服务体系: words of one title
            titled = [d for d in self.documents if key in name_key(d.title)]
            docs = [d for d in titled if d.in_force] or titled
        return docs[0] if len(docs) == 1 else None

    def rows(self) -> list[DocumentRow]:
        return [
            DocumentRow(
                doc_id=d.doc_id,
                title=d.title,
                doc_number=d.doc_number,
                kind=d.kind,
                issuer=d.issuer,
                date=d.date,
                effective=d.effective,
                status=d.status + ("·来源不完整" if d.incomplete else ""),
                clauses=sum(1 for _ in d.iter_clauses()),
                short_names=list(d.short_names),
            )
            for d in self.documents
        ]
