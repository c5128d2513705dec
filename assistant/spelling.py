"""Homophone typos in a question → the library's own words (登计 → 登记, 慈膳 → 慈善, 基金汇 → 基金会), and
the library's words written in pinyin (shehui tuanti → 社会团体, as English questions name them).

Residents type by pinyin and pick the wrong character. The corrector knows no typo lists: its words are
the ones the library's documents use, and a stretch of the question is changed only when it is no text
of the library, no word of jieba's dictionary (摄影, 公积金 and 户口 are words the library lacks, not
typos) and sounds exactly like a library word from which it differs in one character.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from pypinyin import Style, lazy_pinyin

from assistant.text import normalize, stopwords, synonyms, tokenizer, words

MIN_FREQUENCY = 2
"""Times a word must occur across the library to be a correction target: a one-off cut is too likely
jieba's accident to replace what a resident typed."""
COMMON_FREQUENCY = 20
"""Times a word must occur across the library to replace a function word a resident typed (被案 -> 备案)."""
MIN_CHARS = 2
"""Shortest window and word: one character alone says too little to call it a typo."""
MAX_CHARS = 4
"""Longest window and word: longer stretches are phrases, whose typos their 2–4 character parts catch."""

ROMANISED_CHARS = 8
"""Longest library word recognised in pinyin (民办非企业单位, 7)."""
ROMANISED_LETTERS = 5
"""Fewest letters of pinyin recognised as a library word: shorter ones are too often English (an, fang)."""
ROMANISED_WORDS = 5
"""Most Latin words one library word's pinyin is spread over (san she lian dong)."""

_CJK_RUN = re.compile(rf"[\u4e00-\u9fff]{{{MIN_CHARS},}}")
_ROMANISED_WORD = re.compile(rf"^[\u4e00-\u9fff]{{{MIN_CHARS},{ROMANISED_CHARS}}}$")
_LATIN_WORD = re.compile(r"[A-Za-z]+")
_CJK_WORD = re.compile(rf"^[\u4e00-\u9fff]{{{MIN_CHARS},{MAX_CHARS}}}$")
_WILDCARD = "\0"


_YEAR_IN_BRACKETS = re.compile(r"\s*[〔\[［(（]\s*\d{4}\s*[〕\]］)）]")
"""What follows the office of a document number written in pinyin: Tai Zheng Ban Fa [2016] No. 123."""


@dataclass(frozen=True)
class Correction:
    """A question after correction."""

    text: str
    """The question with its typos replaced; the very string given when there were none."""
    fixes: tuple[tuple[str, str], ...]
    """(typed, corrected) pairs, in the order they occur in the question."""


def pinyin_key(text: str) -> str:
    """Toneless pinyin, syllables joined by spaces (each character's default reading): 登计 → 'deng ji'."""
    return " ".join(lazy_pinyin(text, style=Style.NORMAL, errors="ignore"))


_FUZZY = ((re.compile(r"(?<=[aei])ng\b"), "n"), (re.compile(r"\b([zcs])h"), r"\1"))
"""The sounds pinyin input methods let a typist leave apart (模糊音): in/ing, en/eng, an/ang; z/zh, c/ch, s/sh."""


def fuzzy_key(key: str) -> str:
    """A ``pinyin_key`` with the sounds of ``_FUZZY`` made one: 'ming fei' (明非) and 'min fei' (民非) → 'min fei'."""
    for pattern, replacement in _FUZZY:
        key = pattern.sub(replacement, key)
    return key


def _inside_words(question: str) -> frozenset[int]:
    """Offsets that fall strictly inside a word of the tokenizer's segmentation of ``question``."""
    tokens = tokenizer().tokenize(question, HMM=False)
    return frozenset(offset for _, start, end in tokens for offset in range(start + 1, end))


def _patterns(word: str) -> Iterable[str]:
    """The word with each of its characters in turn replaced by a wildcard: its one-substitution keys."""
    for i in range(len(word)):
        yield word[:i] + _WILDCARD + word[i + 1 :]


class Speller:
    """The library's words, indexed for one-character homophone substitution."""

    def __init__(
        self, frequencies: Counter[str], is_text: Callable[[str], bool], longer: Counter[str] | None = None
    ) -> None:
        """``frequencies``: the library words (2–4 Chinese characters) and their counts; ``is_text``: whether
        a stretch of 2–4 characters occurs in the library's Chinese text (then it is never a typo);
        ``longer``: its words of 5–8 characters, recognised in pinyin only."""
        self._is_text = is_text
        # The everyday words people ask in (居委会, 捐钱: data/synonyms.tsv) are mistyped like the library's.
        everyday = [p for p, _ in synonyms() if _CJK_WORD.match(p) and p not in frequencies]
        frequencies = frequencies + Counter(dict.fromkeys(everyday, MIN_FREQUENCY))
        self._frequency = frequencies
        self._keys = {word: pinyin_key(word) for word in frequencies}
        self._fuzzy_keys = {word: fuzzy_key(key) for word, key in self._keys.items()}
        self._romanised: dict[str, str] = {}  # 'shehuituanti' -> 社会团体, the most frequent word of a sound
        for word, _ in (frequencies + (longer or Counter())).most_common():
            self._romanised.setdefault(self._keys.get(word, pinyin_key(word)).replace(" ", ""), word)
        self._neighbours: dict[str, list[str]] = {}
        for word in sorted(frequencies):
            for pattern in _patterns(word):
                self._neighbours.setdefault(pattern, []).append(word)

    @classmethod
    def from_texts(cls, texts: Iterable[str]) -> Speller:
        """The speller of a library, from its documents' texts.

        Args:
            texts: the documents' plain text, in any width or spacing.

        Returns:
            A speller whose corrections are words occurring at least ``MIN_FREQUENCY`` times in ``texts``.
        """
        counts: Counter[str] = Counter()
        windows: set[str] = set()
        for text in texts:
            counts.update(w for w in words(text) if _ROMANISED_WORD.match(w))
            for run in _CJK_RUN.findall(normalize(text)):
                for size in range(MIN_CHARS, MAX_CHARS + 1):
                    windows.update(run[i : i + size] for i in range(len(run) - size + 1))
        frequent = Counter({w: n for w, n in counts.items() if n >= MIN_FREQUENCY and _CJK_WORD.match(w)})
        longer = Counter({w: n for w, n in counts.items() if n >= MIN_FREQUENCY and not _CJK_WORD.match(w)})
        return cls(frequent, frozenset(windows).__contains__, longer)

    @classmethod
    def from_index(cls, tokens: Iterable[tuple[str, int]], chunks_with: Callable[[str], int]) -> Speller:
        """The speller of an indexed library, without reading its text again (1,000 documents: 8 s less).

        Args:
            tokens: the keyword index's tokens with how many chunks hold each. They are jieba's search
                mode, which adds the parts of long words (每季 of 每季度): a part that occurs in no chunk
                without its whole is no word of the library and is left out.
            chunks_with: how many chunks hold a stretch of text (``TermStats.chunks_with``); 0 for a
                stretch that is no library text, which alone may be a typo.
        """
        tokens = [(w, n) for w, n in tokens if n >= MIN_FREQUENCY and _ROMANISED_WORD.match(w)]
        counts = {w: n for w, n in tokens if _CJK_WORD.match(w)}
        longer = Counter({w: n for w, n in tokens if not _CJK_WORD.match(w)})
        wholes: dict[str, list[str]] = {}
        for word in counts:
            for size in range(MIN_CHARS, len(word)):
                for i in range(len(word) - size + 1):
                    wholes.setdefault(word[i : i + size], []).append(word)
        frequent = Counter(
            {w: n for w, n in counts.items() if all(chunks_with(whole) < chunks_with(w) for whole in wholes.get(w, ()))}
        )
        return cls(frequent, lambda stretch: chunks_with(stretch) > 0, longer)

    def correct(self, question: str) -> Correction:
        """The question with each homophone typo replaced by the library word it sounds like.

        Windows of 2–4 Chinese characters are tried longest first, left to right; after a replacement
        the scan continues behind it. A window that cuts through a word of the question (一个|地方 is
        no typo of 各地) is left alone, and so are Latin text, digits and punctuation.
        """
        fixes: list[tuple[str, str]] = []
        pieces: list[str] = []
        question = self._from_pinyin(question, fixes)
        done = 0
        inside: frozenset[int] | None = None  # offsets strictly inside a word of the question, cut on need
        for run in _CJK_RUN.finditer(question):
            start, end = run.span()
            i = start
            while i < end - 1:
                for size in range(min(MAX_CHARS, end - i), MIN_CHARS - 1, -1):
                    typed = question[i : i + size]
                    word = self._replacement(typed)
                    if word is None:
                        continue
                    inside = _inside_words(question) if inside is None else inside
                    if i in inside or i + size in inside:
                        continue
                    fixes.append((typed, word))
                    pieces += [question[done:i], word]
                    done = i = i + size
                    break
                else:
                    i += 1
        if not fixes:
            return Correction(question, ())
        return Correction("".join([*pieces, question[done:]]), tuple(fixes))

    def _from_pinyin(self, question: str, fixes: list[tuple[str, str]]) -> str:
        """``question`` with runs of Latin words that spell a library word in pinyin replaced by it ("a social
        group (shehui tuanti)" → "a social group (社会团体)"), each appended to ``fixes``.

        Runs of 1–5 words, joined by spaces or hyphens, longest first; at least ``ROMANISED_LETTERS`` letters.
        One capitalised word is taken for a name (Shanghai is no 伤害)."""
        latin = list(_LATIN_WORD.finditer(question))
        pieces, done, i = [], 0, 0
        while i < len(latin):
            for size in range(min(ROMANISED_WORDS, len(latin) - i), 0, -1):
                run = latin[i : i + size]
                if any(question[a.end() : b.start()] not in (" ", "-") for a, b in zip(run, run[1:])):
                    continue
                spelled = "".join(m.group(0) for m in run)
                if len(spelled) < ROMANISED_LETTERS or (size == 1 and spelled[0].isupper()):
                    continue
                word = self._romanised.get(spelled.lower())
                if word is None or _YEAR_IN_BRACKETS.match(question, run[-1].end()):
                    continue  # … Ban Fa [2016] No. 123: a document number's office, not 办法
                start, end = run[0].start(), run[-1].end()
                fixes.append((question[start:end], word))
                pieces += [question[done:start], word]
                done, i = end, i + size
                break
            else:
                i += 1
        return "".join([*pieces, question[done:]]) if pieces else question

    def _replacement(self, typed: str) -> str | None:
        """The most frequent library word that ``typed`` is a homophone typo of, or None.

        A function word (我, 的, 个) is taken as typed: 把我 is no typo of 把握.
        """
        if self._is_text(typed) or typed in self._frequency or tokenizer().FREQ.get(typed, 0) > 0:
            return None  # the library's own text or an everyday word it knows, or a real word the library lacks
        # A function word is replaced only by a word the library uses often (被案 -> 备案, not 把我 -> 把握).
        neighbours = [
            word
            for position, pattern in enumerate(_patterns(typed))
            for word in self._neighbours.get(pattern, ())
            if typed[position] not in stopwords() or len(typed) > MIN_CHARS or self._frequency[word] >= COMMON_FREQUENCY
        ]
        if not neighbours:
            return None
        key = pinyin_key(typed)
        homophones = [word for word in neighbours if self._keys[word] == key]
        if not homophones:  # 明非 for 民非: a sound the typist's input method does not tell apart
            key = fuzzy_key(key)
            homophones = [word for word in neighbours if self._fuzzy_keys[word] == key]
        return max(homophones, key=self._frequency.__getitem__, default=None)
