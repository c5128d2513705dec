"""The library's policy vocabulary, derived from its documents: names, headings, defined and quoted
terms, place names. jieba keeps these words whole, so a keyword search and a question's content words
meet the documents' own terms (社区社会组织, 税前扣除), and ``policy_terms`` tells a question's policy
words from everyday ones.

Built at ingest from the parsed documents and saved beside the index (``save``/``load``); installed
with ``assistant.text.use_vocabulary``. Nothing here is a list of one library's words: the only
hand-written words are the general civil-affairs seed in data/user_dict.txt and the policy side of
data/synonyms.tsv, and each enters a library's vocabulary only where its documents use it.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from pathlib import Path

from assistant.text import normalize, synonyms
from assistant.types import PolicyDocument

VOCABULARY_FORMAT = 1
MIN_CHARS = 2
"""Shortest word kept: a single character is no term."""
MAX_CHARS = 10
"""Longest defined, quoted or heading term kept: longer runs are phrases, not terms."""
SHORT_HEADING_CHARS = 4
"""A policy heading this short names a topic (总体目标, 保障措施); longer ones are tasks (加强组织领导)."""

_CJK_WORD = re.compile(rf"^[\u4e00-\u9fff]{{{MIN_CHARS},}}$")
# 本法所称慈善组织，是指…; 本条例所称志愿服务组织为…; 本办法所称社会组织是指…
_DEFINED = re.compile(
    r"本(?:法|条例|办法|规定|细则|意见|方案|决定|通知|公告)所称的?"
    rf"([\u4e00-\u9fff]{{{MIN_CHARS},{MAX_CHARS}}}?)(?=[，,：:]|是指|系指|是|包括|属于|为|指)"
)
# 住所是指…; 前款的服务时间是指…: the run before 是指, its last part after 的. A sentence opening with a term
# and 是具有 (社会工作专业人才是具有一定社会工作专业知识和技能…的专门人员) defines it as well.
_MEANS = re.compile(
    rf"(?:^|[\n。；;，,：:（(、])([\u4e00-\u9fff]{{{MIN_CHARS},16}}?)[，,]?(?:是指|系指)"
    rf"|(?:^|[\n。；;])([\u4e00-\u9fff]{{{MIN_CHARS},16}}?)是具有"
)
_IS_A = re.compile(
    rf"(?:^|[\n。；;]|第[一二三四五六七八九十百]+条\s*)([\u4e00-\u9fff]{{{MIN_CHARS},{MAX_CHARS}}}?)是(?!指)[\u4e00-\u9fff、]{{2,40}}?(?:组织|机构)(?=[。，,；;]|$)",
    re.MULTILINE,
)
"""An article opening by saying what kind of body a term names: 第二条 居民委员会是居民自我管理…的基层群众性自治组织,
理事会是基金会的决策机构."""
# （以下简称登记管理机关）, （以下简称《慈善法》）, （以下统称社会组织）
_SHORT_FOR = re.compile(r"以下(?:简称|统称)[“《\"]?([\u4e00-\u9fff]{2,12}?)[”》\"]?[）)]")
_SHORT_MEANS = re.compile(
    r"(?:^|[\n。；;，,：:、\s])([\u4e00-\u9fff]{2,16}?)[（(]以下(?:简称|统称)[“《\"]?([\u4e00-\u9fff]{2,12}?)[”》\"]?[）)][，,]?(?:是指|系指)"
)
_DOCUMENT_NAME = re.compile(r"(?:法|条例|办法|意见|规定|公告|方案|通知|决定|规划)$")
_QUOTED = re.compile(rf"[“\"]([\u4e00-\u9fff]{{{MIN_CHARS},{MAX_CHARS}}})[”\"]")
# 每年3月5日为浙江省志愿者日: a day the text names, with its place and without (志愿者日).
_NAMED_DAY = re.compile(
    r"\d{1,2}月\d{1,2}日为[“\"]?((?:[\u4e00-\u9fff]{2,3}?[省市])?([\u4e00-\u9fff]{2,8}?日))[”\"。，,；;]"
)
_HEADING_PARTS = re.compile(r"、|以及|和|及|与|或|的")
# A local issuer opens with its place: 台州市人民政府办公室, 浙江省人民代表大会常务委员会.
_PLACE = re.compile(
    r"^([\u4e00-\u9fff]{2,4}?)(省|自治区|市|自治州|地区|盟|县|区|旗)"
    r"(?=人民|委员会|政府|人大|党委|民政|财政|办公|[\u4e00-\u9fff]{0,3}(?:厅|局|委))"
)
_SEED_FILE = "user_dict.txt"


@dataclass(frozen=True)
class Entry:
    """A word for jieba. ``freq`` None: as high as jieba needs to keep the word whole (see text.py)."""

    word: str
    freq: int | None = None
    tag: str = "n"
    source: str = ""
    """Where it came from: title, short_name, place, defined, heading, quoted, named_day, synonym, seed."""


@dataclass(frozen=True)
class Vocabulary:
    """The words jieba keeps whole, and which of them are policy terms (place names are not)."""

    words: tuple[Entry, ...]

    @property
    def policy_terms(self) -> frozenset[str]:
        return frozenset(e.word for e in self.words if e.source not in ("place", "everyday"))

    @property
    def places(self) -> frozenset[str]:
        return frozenset(e.word for e in self.words if e.source == "place")

    def save(self, path: Path) -> None:
        data = {"format": VOCABULARY_FORMAT, "words": [[e.word, e.freq, e.tag, e.source] for e in self.words]}
        Path(path).write_text(json.dumps(data, ensure_ascii=False, indent=0), encoding="utf-8")

    @classmethod
    def load(cls, path: Path) -> Vocabulary:
        """Raises OSError or ValueError when the file is missing, damaged or of another format."""
        data = json.loads(Path(path).read_text(encoding="utf-8"))
        if not isinstance(data, dict) or data.get("format") != VOCABULARY_FORMAT:
            raise ValueError(f"{path}: not a vocabulary of format {VOCABULARY_FORMAT}")
        return cls(tuple(Entry(str(w), None if f is None else int(f), str(t), str(s)) for w, f, t, s in data["words"]))


def seed_entries() -> list[Entry]:
    """The hand-written seed (data/user_dict.txt, jieba's format: word [freq] [tag])."""
    content = resources.files("assistant").joinpath("data", _SEED_FILE).read_text(encoding="utf-8")
    entries = []
    for line in content.splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        word, *rest = line.split()
        freq = int(rest.pop(0)) if rest and rest[0].isdigit() else None
        entries.append(Entry(word, freq, rest[0] if rest else "n", "seed"))
    return entries


def synonym_entries() -> list[Entry]:
    """The policy side of data/synonyms.tsv: words the everyday words of a question are searched as."""
    targets = dict.fromkeys(normalize(t) for _, forms in synonyms() for t in forms)
    return [Entry(t, source="synonym") for t in targets]


def everyday_entries() -> list[Entry]:
    """The everyday side of data/synonyms.tsv (抵税, 捐钱), kept whole when a question is cut; not policy terms."""
    phrases = dict.fromkeys(p for p, _ in synonyms() if not p.isascii() and len(p) >= 2)
    return [Entry(p, source="everyday") for p in phrases]


def seed_vocabulary() -> Vocabulary:
    """What is installed before a library's vocabulary is: the seed and the synonyms' policy side."""
    return Vocabulary(_unique([*seed_entries(), *synonym_entries(), *everyday_entries()]))


def build_vocabulary(documents: list[PolicyDocument]) -> Vocabulary:
    """The vocabulary of a library: what its documents name, define, quote and head their chapters with.

    Every derived word occurs in the documents' text or names; the seed and the synonyms' policy side
    enter only where the documents use them.
    """
    texts = [normalize(d.text) for d in documents]
    entries: list[Entry] = []
    for doc in documents:
        entries += [Entry(name, source="title") for name in _names([doc.title])]
        entries += [Entry(name, source="short_name") for name in _names(doc.short_names)]
        entries += [Entry(place, tag="ns", source="place") for place in place_names(doc)]
    for doc, text in zip(documents, texts):
        entries += [Entry(t, source="defined") for t in defined_terms(text) if t in text]
        entries += [Entry(t, source="heading") for t in heading_terms(doc)]
        entries += [Entry(t, source="quoted") for t in _QUOTED.findall(text)]
        entries += [Entry(t, source="named_day") for day in _NAMED_DAY.findall(text) for t in day]
    used = [e for e in (*seed_entries(), *synonym_entries()) if any(e.word in text for text in texts)]
    return Vocabulary(_unique([*entries, *used, *everyday_entries()]))


def defined_terms(text: str) -> list[str]:
    """Terms the text defines (本法所称X, X是指) or abbreviates (以下简称X, 以下统称X)."""
    terms = definitions(text) + _SHORT_FOR.findall(text)
    return [t for t in terms if MIN_CHARS <= len(t) <= MAX_CHARS]


def definitions(text: str) -> list[str]:
    """Terms the text says the meaning of (本法所称X，是指…; 住所是指…; X（以下简称Y），是指… defines both;
    面向公众募捐的基金会（以下简称公募基金会） names one; 居民委员会是…的基层群众性自治组织 says what kind of body)."""
    runs = [means or having for means, having in _MEANS.findall(text)]
    terms = _DEFINED.findall(text) + [re.split(r"的|所称", run)[-1] for run in runs] + _IS_A.findall(text)
    for long, short in _SHORT_MEANS.findall(text):
        terms += [re.split(r"的|所称", long)[-1], short]
    # 面向公众募捐的基金会（以下简称公募基金会）: the name given to what the words before it describe; a document's
    # short name (（以下简称《慈善法》）, 慈善法（以下简称慈善法）) is none
    terms += [
        m.group(1)
        for m in _SHORT_FOR.finditer(text)
        if m.group(0).startswith("以下简称") and "《" not in m.group(0) and not _DOCUMENT_NAME.search(m.group(1))
    ]
    return list(dict.fromkeys(t for t in terms if MIN_CHARS <= len(t) <= MAX_CHARS))


def heading_terms(doc: PolicyDocument) -> list[str]:
    """Topics a document's headings name: chapter and section titles of a law (第三章 成立登记), split
    at 、/和/及/的 (设立、变更和注销), and short policy headings (总体目标)."""
    terms = []
    for _, clause in doc.iter_clauses():
        heading = normalize(clause.heading)
        if clause.label.endswith(("编", "章", "节")):
            terms += [part for part in _HEADING_PARTS.split(heading) if MIN_CHARS <= len(part) <= MAX_CHARS]
        elif heading and len(heading) <= SHORT_HEADING_CHARS:
            terms.append(heading)
    return [t for t in terms if _CJK_WORD.match(t)]


def place_names(doc: PolicyDocument) -> list[str]:
    """The places a local document's issuers name, with and without their level: 台州市, 台州."""
    places = []
    for issuer in re.split(r"[、，,\s]+", doc.issuer):
        match = _PLACE.match(normalize(issuer))
        if match:
            places += [match.group(1) + match.group(2), match.group(1)]
    return places


_PROVINCE_SHORT = re.compile(r"^(.+?)(?:壮族|回族|维吾尔)?(?:省|市|自治区|特别行政区)$")
_CITY_SHORT = re.compile(r"^(.{2,}?)(?:市|地区|盟)$")
ROMANISED_CITY_LETTERS = 5
"""Shortest pinyin of a city kept as an English place word (hangzhou): shorter ones are English words (ali)."""


@dataclass(frozen=True)
class Gazetteer:
    """Where each province, prefecture-level city and county-level city lies (data/places.tsv): the
    general geography a question's place is read with (我在杭州 asks of 浙江省)."""

    provinces: dict[str, tuple[str, str]]
    """A place's name as a question may write it (杭州市, 杭州, 义乌市, 浙江) → its province (浙江省, 浙江)."""
    romanised: dict[str, str]
    """A province or prefecture-level city in toneless pinyin (zhejiang, hangzhou) → its province's (zhejiang)."""

    def is_place(self, word: str) -> bool:
        """Whether a question's word is a place (杭州, 浙江省, hangzhou): where the asker is, not what is asked."""
        return word in self.provinces or word in self.romanised

    def provinces_named(self, text: str) -> set[str]:
        """The provinces whose places ``text`` names, each as 浙江省 and 浙江."""
        return {name for place, names in self.provinces.items() if place in text for name in names}


@lru_cache(maxsize=1)
def gazetteer() -> Gazetteer:
    from pypinyin import Style, lazy_pinyin

    def pinyin(name: str) -> str:
        return "".join(lazy_pinyin(name, style=Style.NORMAL, errors="ignore"))

    content = resources.files("assistant").joinpath("data", "places.tsv").read_text(encoding="utf-8")
    owners: dict[str, set[tuple[str, str]]] = {}
    romanised: dict[str, set[str]] = {}
    for line in content.splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        province, prefectures, counties = (line.split("\t") + ["", ""])[:3]
        short = _PROVINCE_SHORT.match(province)[1]
        names = (province, short)
        shorts = [short] + [m[1] for m in map(_CITY_SHORT.match, prefectures.split("|")) if m]  # 浙江, 杭州 …
        for written in [province, short, *filter(None, prefectures.split("|")), *shorts]:
            owners.setdefault(written, set()).add(names)
        for written in shorts:
            romanised.setdefault(pinyin(written), set()).add(pinyin(short))
        for city in filter(None, counties.split("|")):  # county-level: only as written with 市 (江山市, not 江山)
            owners.setdefault(city, set()).add(names)
    return Gazetteer(
        provinces={place: next(iter(o)) for place, o in owners.items() if len(o) == 1},
        romanised={
            word: next(iter(o)) for word, o in romanised.items() if len(o) == 1 and len(word) >= ROMANISED_CITY_LETTERS
        },
    )


def _names(names: Iterable[str]) -> list[str]:
    """Names jieba can keep whole: Chinese characters only (no spaces, brackets or 《》)."""
    return [n for n in (normalize(name) for name in names) if _CJK_WORD.match(n)]


def _unique(entries: Iterable[Entry]) -> tuple[Entry, ...]:
    """One entry per word, the first source winning; only words of Chinese characters."""
    seen: dict[str, Entry] = {}
    for entry in entries:
        if _CJK_WORD.match(entry.word) and entry.word not in seen:
            seen[entry.word] = entry
    return tuple(seen.values())
