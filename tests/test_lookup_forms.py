"""Every document's clauses looked up by number in the written forms staff use: a sample of articles of each
legal text and of parts of each policy text, each asked in several forms, must cite that very clause."""

from __future__ import annotations

import random
import re

import pytest

from assistant.references import cn_to_int

pytestmark = pytest.mark.slow

ARTICLE_FORMS = [
    "{s}第{c}条", "{s}第{n}条", "《{t}》第{c}条", "{t}第{n}条规定了什么", "{s} 第{c}条 原文", "{s}{c}条",
    "{s}的第{c}条说的是什么", "查一下{s}第{n}条", "{s}第{n}条内容是啥", "{s}第{c}条怎么规定的", "请问《{s}》第{n}条",
    "{s}第 {n} 条", "{s}第{c}条全文",
]  # fmt: skip
_PART = re.compile(r"([一二三四五六七八九十]+)(?:\(([一二三四五六七八九十]+)\)(\d+)?)?")


def _asked(chain, question: str, doc_id: str, clause_id: str) -> str | None:
    answer = chain.ask(question, "staff")
    first = answer.citations[0] if answer.citations else None
    if first and first.doc_id == doc_id and first.reference.startswith(clause_id):
        return None
    return f"{question} → {[(c.doc_id, c.reference) for c in answer.citations[:2]]}"


def test_articles_of_every_legal_text_in_many_written_forms(chain):
    rng, wrong, asked = random.Random(7), [], 0
    for doc in (d for d in chain.library.documents if d.structure == "legal"):
        articles = [c for _, c in doc.iter_clauses() if re.fullmatch(r"第[一二三四五六七八九十百零]+条", c.id)]
        for clause in rng.sample(articles, min(3, len(articles))):
            cn = clause.id[1:-1]
            for form in rng.sample(ARTICLE_FORMS, 5):
                question = form.format(s=doc.short_title, c=cn, n=cn_to_int(cn), t=doc.title)
                asked += 1
                wrong += [w] if (w := _asked(chain, question, doc.doc_id, clause.id)) else []
    assert asked >= 200 and not wrong, wrong


def test_parts_of_every_policy_text_in_many_written_forms(chain):
    rng, wrong, asked = random.Random(11), [], 0
    for doc in (d for d in chain.library.documents if d.structure == "policy"):
        ids = [c.id for _, c in doc.iter_clauses() if _PART.fullmatch(c.id)]
        for clause_id in rng.sample(ids, min(4, len(ids))):
            part, section, item = _PART.fullmatch(clause_id).groups()
            written = f"第{part}部分" + (f"第({section})条" if section else "") + (f"第{item}点" if item else "")
            forms = [
                f"{doc.short_title}{clause_id}",
                f"{doc.short_title} {clause_id.replace('(', '（').replace(')', '）')} 原文",
                f"{doc.short_title}的{clause_id}讲什么",
                f"{doc.short_title}{written}",
            ]
            if section:
                forms.append(f"{doc.short_title}第{part}部分第{section}条" + (f"第{int(item)}项" if item else ""))
            for question in forms:
                asked += 1
                wrong += [w] if (w := _asked(chain, question, doc.doc_id, clause_id)) else []
    assert asked >= 100 and not wrong, wrong
