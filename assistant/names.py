"""Document titles → the short names people use (慈善法, 社团条例): general rules plus data/aliases.tsv."""

from __future__ import annotations

import re
from functools import lru_cache
from importlib import resources

NATIONAL_PREFIX = "中华人民共和国"
# Words people leave out of a regulation's name, when they stand right before its type.
INFIXES = ("管理", "登记", "暂行", "实施", "试行")
SUFFIXES = ("条例", "办法", "法")
_TRAILING_NOTE = re.compile(r"[（(][^（）()]*[)）]$")


@lru_cache(maxsize=1)
def aliases() -> tuple[tuple[tuple[str, str], ...], dict[str, tuple[str, ...]]]:
    """(abbreviations, longest phrase first; extra names per full title) from data/aliases.tsv."""
    content = resources.files("assistant").joinpath("data", "aliases.tsv").read_text(encoding="utf-8")
    abbreviations: list[tuple[str, str]] = []
    titles: dict[str, tuple[str, ...]] = {}
    for line in content.splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        phrase, names = (part.strip() for part in line.split("\t", 1))
        if phrase.startswith("《") and phrase.endswith("》"):
            titles[phrase[1:-1]] = tuple(name for name in names.split("|") if name)
        else:
            abbreviations.append((phrase, names))
    return tuple(sorted(abbreviations, key=lambda pair: -len(pair[0]))), titles


def _drop_infixes(name: str) -> str:
    """社会团体登记管理条例 → 社会团体条例: the infixes before the type go, the type stays."""
    suffix = next((s for s in SUFFIXES if name.endswith(s)), "")
    if not suffix:
        return name
    stem = name[: -len(suffix)]
    while (shorter := next((stem[: -len(w)] for w in INFIXES if stem.endswith(w)), stem)) != stem:
        stem = shorter
    return stem + suffix if len(stem) >= 2 else name


def _abbreviate(name: str) -> str:
    for phrase, short in aliases()[0]:
        name = name.replace(phrase, short)
    return name


def short_names(title: str) -> list[str]:
    """The names a document goes by besides its title (社会团体条例, 社团条例); short_title takes the shortest."""
    base = title
    while (stripped := _TRAILING_NOTE.sub("", base).strip()) != base:
        base = stripped  # version notes: （2016年原文本）（试行）（2021-2023年）
    base = base.replace(NATIONAL_PREFIX, "")
    names = [base, _drop_infixes(base)]
    names += [_abbreviate(name) for name in names]
    extra = aliases()[1]
    names += [*extra.get(title, ()), *extra.get(base, ())]
    return [name for name in dict.fromkeys(names) if name and name != title]
