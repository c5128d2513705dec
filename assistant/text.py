"""Text normalisation, jieba set-up (the installed vocabulary, see vocabulary.py), tokenisers, stop-words,
sentences, synonyms."""

from __future__ import annotations

import logging
import re
import threading
import unicodedata
from functools import lru_cache
from importlib import resources
from typing import TYPE_CHECKING

import jieba

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable

    from assistant.vocabulary import Entry, Vocabulary

logger = logging.getLogger(__name__)
jieba.setLogLevel(logging.WARNING)

# Sentence ends of policy text, full- and half-width. A half-width '.' is not one: it numbers clauses.
SENTENCE_END = re.compile(r"[。；;！!？?]+[”’」』)）]*")
_PUNCT_OR_SPACE = re.compile(r"^[\W_]+$")
_LATIN = re.compile(r"[A-Za-z]")
_CJK = re.compile(r"[\u4e00-\u9fff]")


def normalize(text: str) -> str:
    """NFKC with all whitespace removed: how texts are compared (full/half-width alike)."""
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", text))


def _data_lines(name: str) -> list[str]:
    content = resources.files("assistant").joinpath("data", name).read_text(encoding="utf-8")
    return [line.rstrip("\n") for line in content.splitlines() if line.strip() and not line.startswith("#")]


class _Installed:
    """The vocabulary in use and the jieba tokenizer built from it (on first use); replaced whole by
    ``use_vocabulary``, never edited in place."""

    def __init__(self, vocabulary: Vocabulary | None) -> None:
        self.vocabulary = vocabulary
        self.tokenizer: jieba.Tokenizer | None = None


_installed = _Installed(None)
_install_lock = threading.Lock()


def use_vocabulary(vocabulary: Vocabulary | None) -> None:
    """Segment with ``vocabulary`` from now on (None: the hand-written seed). Thread-safe: the tokenizer
    and policy terms are swapped whole, so a segmentation running meanwhile uses the old ones or the new,
    never a half-built dictionary.

    Ingest installs the vocabulary it builds from the parsed documents before it tokenises their
    chunks; loading an index installs the vocabulary saved with it, so questions and chunks are cut alike.
    """
    global _installed
    with _install_lock:
        if _installed.vocabulary is not vocabulary:  # the same one again costs nothing
            _installed = _Installed(vocabulary)


def vocabulary() -> Vocabulary:
    """The vocabulary in use: the one installed, or the seed (data/user_dict.txt and the synonyms' policy side)."""
    current = _installed
    if current.vocabulary is None:
        from assistant.vocabulary import seed_vocabulary  # vocabulary.py builds on this module

        with _install_lock:
            if current.vocabulary is None:
                current.vocabulary = seed_vocabulary()
    return current.vocabulary


def tokenizer() -> jieba.Tokenizer:
    """The installed tokenizer: jieba's dictionary plus the library's vocabulary (one copy per process)."""
    return _tokenizer()


def _tokenizer() -> jieba.Tokenizer:
    current = _installed
    if current.tokenizer is None:
        words = vocabulary().words
        with _install_lock:
            if current.tokenizer is None:
                current.tokenizer = _build_tokenizer(words)
    return current.tokenizer


COUNT_WORDS = (
    *("多少人", "几个人", "多少名", "多少位", "多少家", "几家"),
    *("多少天", "几天", "多少日", "几日", "几个月", "多少个月", "几年", "多少年", "几周", "几个工作日", "多少个工作日"),
)
"""Question words asking for a number, kept whole: "多少人才能" is 多少人/才能, not 多少/人才/能, and
"多少天内" is 多少天/内, not a topic word 天."""


def _build_tokenizer(entries: Iterable[Entry]) -> jieba.Tokenizer:
    """jieba with the vocabulary's words. A word without a frequency gets the least that keeps it whole;
    none is made rarer than jieba's own dictionary has it (登记 stays as common as it is)."""
    tokenizer = jieba.Tokenizer()
    tokenizer.initialize()
    for entry in entries:
        known = tokenizer.FREQ.get(entry.word, 0)
        freq = entry.freq if entry.freq is not None else tokenizer.suggest_freq(entry.word, False)
        tokenizer.add_word(entry.word, max(freq, known), entry.tag or None)
    for word in COUNT_WORDS:  # as common as 多少 / 几个 themselves, so the question word wins its characters
        tokenizer.add_word(word, max(tokenizer.FREQ.get(word, 0), tokenizer.FREQ.get(word[:2], 0)))
    return tokenizer


def policy_terms() -> frozenset[str]:
    """The policy words of the vocabulary in use (its place names excluded)."""
    return vocabulary().policy_terms


def place_names() -> frozenset[str]:
    """The places the library's documents are issued for (台州市, 台州): a scope, not a topic."""
    return vocabulary().places


@lru_cache(maxsize=1)
def stopwords() -> frozenset[str]:
    return frozenset(line.strip() for line in _data_lines("stopwords.txt"))


@lru_cache(maxsize=1)
def synonyms() -> tuple[tuple[str, tuple[str, ...]], ...]:
    """How people ask → how policy writes, longest phrase first (see data/synonyms.tsv)."""
    pairs = []
    for line in _data_lines("synonyms.tsv"):
        phrase, targets = line.split("\t", 1)
        pairs.append((phrase.lower(), tuple(t for t in targets.split("|") if t)))
    return tuple(sorted(pairs, key=lambda pair: -len(pair[0])))


def _keep(token: str) -> bool:
    token = token.strip().lower()
    if token.isascii() and len(token) <= 2 and token.isalpha():
        return False  # English fragments: "a", "t" of "doesn't", "up" (not 5a, a grade)
    return bool(token) and token not in stopwords() and not _PUNCT_OR_SPACE.match(token)


def words(text: str) -> list[str]:
    """Content words (jieba precise mode without its HMM guesses, stop-words and punctuation removed).

    The HMM glues unknown runs into made-up words ("几个人想" → 人想); without it an unknown word falls
    into the dictionary words it is made of (读书会 → 读书, 会), which the text can contain.
    """
    tokens = _tokenizer().lcut(unicodedata.normalize("NFKC", text), HMM=False)
    return [t.strip().lower() for t in tokens if _keep(t)]


def search_tokens(text: str) -> list[str]:
    """Tokens for the keyword index: jieba search mode plus character bigrams of Chinese runs.

    Search mode splits long words into their parts; the bigrams catch reworded questions whose
    words jieba segments differently from the policy text.
    """
    normalized = unicodedata.normalize("NFKC", text)
    tokens = [t.strip().lower() for t in _tokenizer().lcut_for_search(normalized) if _keep(t)]
    for run in re.findall(r"[\u4e00-\u9fff]+", normalized):
        tokens.extend("#" + run[i : i + 2] for i in range(len(run) - 1))
    return tokens


ENGLISH_SHARE = 0.8
"""Share of a question's letters that are Latin for it to count as English."""


# A group residents set up, named by what it does: 办个广场舞队, 组个合唱队, 搞个读书会, 成立一个摄影协会, 凑了个
# 广场舞队, 几个大妈组的广场舞队.
_GROUP = re.compile(
    r"(?:(?:有|办|搞|组织|组建|组|弄|拉|凑|成立|建立|建)了?[一几]?个|(?:成立|组建|建立)了?|(?:组|搞|办|弄|凑|拉)(?:起来)?的|(?:我们|咱们|俺们)(?:小区|社区|村|楼|单位)?的?|(?:小区|社区|村|楼)里?(?:那些|这些|的))"
    r"((?:(?![想要个去到在是把给对里的了被让和跟也都就不])[\u4e00-\u9fff]){1,6}?(?:队|社(?![区会团工])|团|小组|俱乐部|协会|(?<![委大工机晚宴聚约开体误理入社])会(?!不))|(?<=个)队)(?![\u4e00-\u9fff]?[体议员长费务])"
)
# People who do a pastime together are a group too: 跳广场舞的那帮人, 我们几个唱歌的, 打太极的老人们, and
# counted (跳广场舞的有二十来号人, 就十来个人).
_PASTIME = re.compile(
    r"((?:跳|唱|练|打|弹|玩)[\u4e00-\u9fff]{1,4}?)的(?=(?:那帮|那些|这帮|这些|一帮|一群)?(?:人|大妈|阿姨|老人|大爷|居民|姐妹|老姐妹)"
    r"|(?:就|有|才|一共|大概|差不多|也就)?[\d一二三四五六七八九十百几两来多]{1,4}(?:号|个)?人)"
    r"|(?:我们|咱们|俺们)几个((?:跳|唱|练|打|弹|玩)[\u4e00-\u9fff]{1,4}?)的"
)
GROUP_WORDS = ("社区社会组织", "社会组织")
"""What the library calls such a group."""


def groups(question: str) -> list[str]:
    """The groups a question says residents set up (广场舞队), unless the library or the everyday-word map
    already knows what they are (基金会, 居委会, 摄影协会)."""
    lowered = unicodedata.normalize("NFKC", question).lower()
    found = _GROUP.findall(lowered) + [a or b for a, b in _PASTIME.findall(lowered)]
    if not found:
        return []
    known = policy_terms()
    everyday = [p for p, _ in synonyms() if not p.isascii()]
    text = normalize(question)
    return [
        g
        for g in found
        if not any(g[i:] in known for i in range(len(g)))
        and not any(map(g.endswith, everyday))
        and not any(k.startswith(g) and k in text for k in known)  # 我们社区的社会组织: no 社会 group
    ]


ABBREVIATED_GAP = 4
"""At most this many characters a question leaves out of a policy term it shortens (志愿服务证明 for
志愿服务记录证明)."""


# An age under eighteen: 我儿子14岁, 十六周岁的学生, 未满18岁 (the law calls such a person 未成年人).
_AGE = re.compile(
    r"(?<![\d.一二三四五六七八九十百两])(1[0-7]|[1-9]|十[一二三四五六七]?|[一二三四五六七八九])\s*周?岁"
    r"|未满\s*(?:18|十八)\s*周?岁"
)
MINOR = "未成年人"


# People who say they are no organisation, or a few private people (我们几个邻居, 没成立啥组织, 又不是慈善组织,
# 以个人名义; not a registered charity, a few neighbours and I, as individuals): the law's 个人, and, raising
# money, those 不具有公开募捐资格.
_PRIVATE = re.compile(
    r"(?:没|未|还没)(?:有)?(?:成立|注册|登记)[^，。？?！!]{0,4}?(?:组织|机构|协会)|(?:又|也|并)?不是[^，。？?！!]{0,4}?(?:慈善|公益)(?:组织|机构)"
    r"|以个人(?:的)?名义|(?:我们|咱们|俺们)?几个(?:热心的?)?(?:人|邻居|同学|朋友|同事|老乡|居民|家长)"
    r"|(?i:\bnot (?:a |an )?(?:registered |qualified |legal |official )?(?:charit(?:y|ies)|organi[sz]ations?|ngos?)\b"
    r"|\b(?:a few|some|several|a group of) (?:of us|neighbou?rs|friends|classmates|colleagues|residents|parents)\b"
    r"|\bas (?:an )?(?:individuals?|private (?:persons?|people|citizens?))\b|\bon (?:my|our) own\b)"
)
_RAISING = re.compile(r"募捐|募款|筹款|筹钱|筹点钱|凑钱|捐款箱|募捐箱|众筹|fundrais|raise money|collect donations")
"""Words of raising money from others, where being private people, not a qualified charity, matters."""
PRIVATE = "个人"
UNQUALIFIED = "不具有公开募捐资格"


def raising_privately(question: str) -> list[str]:
    """What a question about raising money says of its askers being private people, not an organisation
    (我们几个邻居想摆个募捐箱); none when it raises no money."""
    written = unicodedata.normalize("NFKC", question)
    return [m.group(0) for m in _PRIVATE.finditer(written)] if _RAISING.search(written.lower()) else []


def minor_ages(question: str) -> list[str]:
    """The ages under eighteen a question gives (我儿子14岁): each stands for 未成年人."""
    return [m.group(0) for m in _AGE.finditer(unicodedata.normalize("NFKC", question))]


def shortened_terms(question: str) -> list[tuple[str, str]]:
    """(two neighbouring words of the question, the one policy term they shorten): 志愿服务 and 证明 are
    志愿服务记录证明 with 记录 left out. Each word has two characters or more, and only one term fits."""
    found = []
    cut = words(question)
    by_start = _terms_by_start(policy_terms())
    for first, last in zip(cut, cut[1:]):
        if len(first) < 2 or len(last) < 2:
            continue
        joined = first + last
        fits = [
            t
            for t in by_start.get(first[:2], ())
            if t.startswith(first) and t.endswith(last) and 0 < len(t) - len(joined) <= ABBREVIATED_GAP
        ]
        if len(fits) == 1:
            found.append((joined, fits[0]))
    return found


@lru_cache(maxsize=4)
def _terms_by_start(terms: frozenset[str]) -> dict[str, tuple[str, ...]]:
    """The policy terms by their first two characters (a question's words are matched against a few, not all)."""
    grouped: dict[str, list[str]] = {}
    for term in terms:
        grouped.setdefault(term[:2], []).append(term)
    return {start: tuple(sorted(group)) for start, group in grouped.items()}


POSSESSIVE = re.compile(r"(?<=[a-z])['’]s\b|(?<=s)['’](?!\w)")
"""An English possessive's apostrophe (Volunteers' Day, the foundation’s board): the phrase is looked up without it."""


def expand_query(question: str, english: Callable[[str], list[str]] | None = None) -> str:
    """The question plus the policy words its everyday words (and the groups it names, and the terms it
    shortens) stand for. ``english``: the library words an English question's other words stand for
    (``PolicyIndex.english_words``), beside those of the hand-written map."""
    lowered = POSSESSIVE.sub("", unicodedata.normalize("NFKC", question).lower())
    extra: list[str] = [w for _ in groups(question)[:1] for w in GROUP_WORDS]
    extra += [term for _, term in shortened_terms(question)]
    extra += [MINOR for _ in minor_ages(question)[:1]]
    extra += [PRIVATE, UNQUALIFIED] if raising_privately(question) else []
    for phrase, targets in synonyms():
        if phrase in lowered:
            extra.extend(targets)
            lowered = lowered.replace(phrase, " ")
    if english is not None and is_english(question):
        extra += english(lowered)
    return question if not extra else question + " " + " ".join(extra)


def is_english(text: str) -> bool:
    """Whether a question is written in English (an English sentence may quote a Chinese name)."""
    letters = [c for c in text if c.isalpha()]
    return bool(letters) and sum(c.isascii() for c in letters) >= ENGLISH_SHARE * len(letters)


def token_count(text: str) -> int:
    """Length in jieba tokens (whitespace excluded): the chunk budget's unit."""
    return sum(1 for t in _tokenizer().lcut(text) if t.strip())


def sentence_spans(text: str, start: int = 0, end: int | None = None) -> list[tuple[int, int]]:
    """Sentences of ``text[start:end]`` as offsets, each ending after its 。；！？ (or at a line end)."""
    end = len(text) if end is None else end
    spans = []
    for line in re.finditer(r"[^\n]+", text[start:end]):
        cursor = start + line.start()
        line_end = start + line.end()
        for match in SENTENCE_END.finditer(text, cursor, line_end):
            spans.append((cursor, match.end()))
            cursor = match.end()
        if text[cursor:line_end].strip():
            spans.append((cursor, line_end))
    return [(s + len(text[s:e]) - len(text[s:e].lstrip()), e) for s, e in spans if text[s:e].strip()]


def is_mostly_latin(text: str) -> bool:
    return len(_LATIN.findall(text)) > 2 * len(_CJK.findall(text))
