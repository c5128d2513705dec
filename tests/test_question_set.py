"""Checks of the labelled library question set (tests/data/library_questions.jsonl). Fast, no model."""

import json
import re
import unicodedata
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
QUESTIONS = ROOT / "tests" / "data" / "library_questions.jsonl"
CORPUS = ROOT / "corpus"
FIELDS = {"id", "audience", "question", "expect", "cite_any", "facts", "forbid", "docs", "split"}


def norm(s: str) -> str:
    """NFKC, all whitespace removed (the comparison rule of shared/eval/README.md)."""
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", s))


@pytest.fixture(scope="module")
def rows():
    return [json.loads(line) for line in QUESTIONS.read_text(encoding="utf-8").splitlines() if line.strip()]


@pytest.fixture(scope="module")
def corpus():
    files = sorted(CORPUS.glob("*.txt")) + sorted((CORPUS / "superseded").glob("*.txt"))
    return {str(p.relative_to(CORPUS)): norm(p.read_text(encoding="utf-8")) for p in files}


def test_rows_parse_and_have_schema(rows):
    assert len(rows) >= 300
    for r in rows:
        assert set(r) == FIELDS, r["id"]
        assert r["audience"] in {"resident", "onboarding", "staff"}
        assert r["expect"] in {"answer", "refuse", "partial"}
        assert r["question"].strip()


def test_ids_unique(rows):
    ids = [r["id"] for r in rows]
    assert len(ids) == len(set(ids))


def test_enough_refusals(rows):
    assert sum(r["expect"] == "refuse" for r in rows) >= 60


def test_splits_balanced(rows):
    n = len(rows)
    for s in ("tune", "validation"):
        k = sum(r["split"] == s for r in rows)
        assert 0.45 * n <= k <= 0.55 * n, (s, k, n)
    assert all(r["split"] in {"tune", "validation"} for r in rows)


def test_refuse_rows_cite_nothing(rows):
    for r in rows:
        if r["expect"] == "refuse":
            assert r["cite_any"] == [] and r["facts"] == [], r["id"]


def test_docs_exist(rows, corpus):
    for r in rows:
        for d in r["docs"]:
            assert d in corpus, (r["id"], d)
        if r["expect"] != "refuse":
            assert r["docs"], r["id"]


def test_cite_any_in_exactly_one_document(rows, corpus):
    for r in rows:
        if r["expect"] == "refuse":
            continue
        assert r["cite_any"], r["id"]
        for c in r["cite_any"]:
            holders = [name for name, text in corpus.items() if norm(c) in text]
            assert len(holders) == 1, (r["id"], c, holders)
            assert holders[0] in r["docs"], (r["id"], c, holders)


def test_facts_occur_in_row_docs(rows, corpus):
    for r in rows:
        if r["expect"] == "refuse":
            continue
        assert r["facts"], r["id"]
        for group in r["facts"]:
            assert group, r["id"]
            for f in group:
                assert any(norm(f) in corpus[d] for d in r["docs"]), (r["id"], f)


ENGLISH = ROOT / "tests" / "data" / "english_questions.jsonl"


def test_the_english_set_is_well_formed_and_quotes_the_library(corpus):
    """The English question set (written from the documents, split once like the team set) for English work."""
    english = [json.loads(line) for line in ENGLISH.read_text(encoding="utf-8").splitlines() if line.strip()]
    assert len({r["id"] for r in english}) == len(english) >= 30
    for r in english:
        assert set(r) == FIELDS and r["split"] in {"tune", "validation"} and r["question"].isascii(), r["id"]
        if r["expect"] == "refuse":
            assert r["cite_any"] == [] and r["facts"] == [], r["id"]
            continue
        assert r["docs"] and all(any(norm(c) in corpus[d] for d in r["docs"]) for c in r["cite_any"]), r["id"]
        assert all(any(norm(f) in corpus[d] for d in r["docs"] for f in group) for group in r["facts"]), r["id"]


@pytest.mark.parametrize(
    ("name", "least"),
    [
        ("fresh_questions.jsonl", 150),
        ("third_questions.jsonl", 110),
        ("fourth_questions.jsonl", 120),
        ("fifth_questions.jsonl", 120),
        ("sixth_questions.jsonl", 120),
        ("seventh_questions.jsonl", 120),
        ("eighth_questions.jsonl", 120),
        ("ninth_questions.jsonl", 100),
        ("tenth_questions.jsonl", 120),
        ("eleventh_questions.jsonl", 120),
        ("twelfth_questions.jsonl", 120),
        ("thirteenth_questions.jsonl", 120),
        ("fourteenth_questions.jsonl", 100),
        ("fifteenth_questions.jsonl", 117),
        ("sixteenth_questions.jsonl", 120),
        ("seventeenth_questions.jsonl", 120),
        ("eighteenth_questions.jsonl", 120),
        ("nineteenth_questions.jsonl", 120),
        ("twentieth_questions.jsonl", 120),
        ("twentyfirst_questions.jsonl", 120),
        ("twentysecond_questions.jsonl", 120),
        ("twentythird_questions.jsonl", 120),
        ("twentyfourth_questions.jsonl", 120),
        ("twentyfifth_questions.jsonl", 120),
        ("twentysixth_questions.jsonl", 120),
        ("twentyseventh_questions.jsonl", 120),
        ("twentyeighth_questions.jsonl", 120),
        ("twentyninth_questions.jsonl", 120),
        ("thirtieth_questions.jsonl", 120),
        ("thirtyfirst_questions.jsonl", 120),
        ("thirtysecond_questions.jsonl", 120),
        ("thirtythird_questions.jsonl", 120),
        ("thirtyfourth_questions.jsonl", 120),
        ("thirtyfifth_questions.jsonl", 120),
        ("thirtysixth_questions.jsonl", 120),
        ("thirtyseventh_questions.jsonl", 120),
        ("thirtyeighth_questions.jsonl", 120),
        ("thirtyninth_questions.jsonl", 120),
        ("fortieth_questions.jsonl", 120),
        ("fortyfirst_questions.jsonl", 120),
        ("fortysecond_questions.jsonl", 120),
        ("fortythird_questions.jsonl", 120),
        ("fortyfourth_questions.jsonl", 120),
        ("fortyfifth_questions.jsonl", 120),
        ("fortysixth_questions.jsonl", 120),
        ("fortyseventh_questions.jsonl", 120),
        ("fortyeighth_questions.jsonl", 120),
        ("fortyninth_questions.jsonl", 120),
        ("lookup_questions.jsonl", 100),
        ("lookup2_questions.jsonl", 50),
        ("lookup3_questions.jsonl", 50),
        ("lookup4_questions.jsonl", 50),
        ("partial_questions.jsonl", 50),
    ],
)
def test_the_later_sets_are_well_formed_split_and_quote_one_document_per_citation(corpus, name, least):
    """The second to forty-ninth question sets, the four look-up sets and the partial set (each written by others who saw no answers), each split once
    by the same seed."""
    fresh = [
        json.loads(line)
        for line in (ROOT / "tests" / "data" / name).read_text(encoding="utf-8").splitlines()
        if line.strip()
    ]
    by_name = {Path(name).name: text for name, text in corpus.items()}  # docs name a file, superseded/ or not
    assert len({r["id"] for r in fresh}) == len(fresh) >= least
    for split in ("tune", "validation"):
        for expect in ("answer", "partial", "refuse"):
            rows = [r for r in fresh if r["expect"] == expect]
            assert abs(2 * sum(r["split"] == split for r in rows) - len(rows)) <= 1, (split, expect)
    for r in fresh:
        assert set(r) == FIELDS and r["audience"] in {"resident", "onboarding", "staff"}, r["id"]
        if r["expect"] == "refuse":
            assert r["cite_any"] == [] and r["facts"] == [] and r["docs"] == [], r["id"]
            continue
        docs = [Path(d).name for d in r["docs"]]
        for c in r["cite_any"]:
            holders = [name for name, text in by_name.items() if norm(c) in text]
            assert len(holders) == 1 and holders[0] in docs, (r["id"], c, holders)
        assert all(any(norm(f) in by_name[d] for d in docs for f in group) for group in r["facts"]), r["id"]


def test_the_conversation_set_is_well_formed_split_and_quotes_one_document_per_citation(corpus):
    """Forty conversations (written by a member who read only the library): the last turn only makes sense
    after the earlier ones, and is the one scored."""
    conversations = [
        json.loads(line)
        for line in (ROOT / "tests" / "data" / "conversations.jsonl").read_text(encoding="utf-8").splitlines()
        if line.strip()
    ]
    by_name = {Path(name).name: text for name, text in corpus.items()}
    assert len({r["id"] for r in conversations}) == len(conversations) >= 40
    assert abs(2 * sum(r["split"] == "tune" for r in conversations) - len(conversations)) <= 1
    for r in conversations:
        assert set(r) == FIELDS - {"question"} | {"turns"} and len(r["turns"]) >= 2, r["id"]
        for c in r["cite_any"]:
            holders = [name for name, text in by_name.items() if norm(c) in text]
            assert len(holders) == 1 and holders[0] in r["docs"], (r["id"], c, holders)
