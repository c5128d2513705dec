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


METADATA_FORMS = {
    "文号/令号": ["{s}的文号是多少", "{s}是几号文", "{s}令号多少", "{s}发文字号", "{s}的编号是什么"],
    "发布机关": ["{s}是谁发的", "{s}是哪个部门印发的", "{s}的发布机关", "{s}由哪个机关制定", "{s}是哪里出的"],
    "施行日期": ["{s}什么时候施行", "{s}从哪天开始执行", "{s}生效日期", "{s}哪天起实施", "{s}几时生效的", "{s}从什么时候起执行", "{s}何时起施行"],
    "效力状态": ["{s}还有效吗", "{s}现在还能用吗", "{s}废止了没有", "{s}是现行有效的吗", "{s}失效了吗"],
    "公布/成文日期": ["{s}是哪年发布的", "{s}哪天印发的", "{s}什么时候公布的", "{s}是哪一年的文件", "{s}的发布日期"],
    "document number": ["What is the document number of the {e}?", "What's the decree number of the {e}?"],
    "issuer": ["Who issued the {e}?", "Which authority published the {e}?", "Who adopted the {e}?"],
    "effective": ["When did the {e} take effect?", "From what date does the {e} apply?", "When did the {e} come into force?"],
    "status": ["Is the {e} still in force?", "Is the {e} still valid?", "Has the {e} been repealed?"],
    "date": ["When was the {e} issued?", "When was the {e} published?"],
}  # fmt: skip
LABELS = {"document number": "文号/令号", "issuer": "发布机关", "effective": "施行日期", "status": "效力状态"}
LABELS["date"] = "公布/成文日期"


def test_metadata_of_every_document_in_many_written_forms(chain):
    """Each field of each document in force, asked by its short name (Chinese) or an English name, in two forms
    drawn from several: a metadata answer for that document with a line for the field."""
    from assistant.library import english_names

    rng, wrong, asked = random.Random(5), [], 0
    for doc in (d for d in chain.library.documents if d.in_force):
        english = english_names().get(doc.title, ())
        for field, forms in METADATA_FORMS.items():
            if field.isascii() and not english:
                continue
            for form in rng.sample(forms, 2):
                question = form.format(s=doc.short_title, e=rng.choice(english) if english else "")
                answer = chain.ask(question, "staff")
                asked += 1
                first = answer.citations[0] if answer.citations else None
                label = LABELS.get(field, field)
                if not (
                    answer.kind == "metadata"
                    and first
                    and first.doc_id == doc.doc_id
                    and any(line.startswith(label) for line in answer.answer.splitlines())
                ):
                    wrong.append(
                        f"{question} → {answer.kind} {[(c.doc_id, c.reference) for c in answer.citations[:2]]}"
                    )
    assert asked >= 400 and not wrong, wrong


_SUBCLAUSE = re.compile(
    r"第([一二三四五六七八九十百零]+)条(?:第([一二三四五六七八九十]+)款)?(?:第\(([一二三四五六七八九十]+)\)项)?"
)


def test_paragraphs_and_items_of_every_legal_text_in_several_written_forms(chain):
    """第十条第二款, 第10条第2款, 10条2款; 第十条第一款第（一）项, 第10条第(1)项, 第十条第一项, 第10条(一): an item
    written without its paragraph is the one paragraph that has it (基金会条例第10条(六) is 第十条第二款第(六)项)."""
    rng, wrong, asked = random.Random(5), [], 0
    for doc in (d for d in chain.library.documents if d.structure == "legal" and d.in_force):
        ids = [c.id for _, c in doc.iter_clauses() if _SUBCLAUSE.fullmatch(c.id) and ("款" in c.id or "项" in c.id)]
        for clause_id in rng.sample(ids, min(4, len(ids))):
            article, paragraph, item = _SUBCLAUSE.fullmatch(clause_id).groups()
            n, s = cn_to_int(article), doc.short_title
            if item:
                p = f"第{paragraph}款" if paragraph else ""
                forms = [f"{s}第{article}条{p}第（{item}）项", f"{s}第{n}条{p}第({cn_to_int(item)})项"]
                forms += [f"{s}第{article}条{p}第{item}项", f"{s}第{n}条({item})"]
            else:
                forms = [f"{s}第{article}条第{paragraph}款", f"{s}第{n}条第{cn_to_int(paragraph)}款"]
                forms.append(f"{s}{n}条{cn_to_int(paragraph)}款")
            for question in forms:
                answer = chain.ask(question, "staff")
                asked += 1
                first = answer.citations[0] if answer.citations else None
                if not (answer.kind == "clause" and first and (first.doc_id, first.clause) == (doc.doc_id, clause_id)):
                    wrong.append(f"{question} → {[(c.doc_id, c.clause) for c in answer.citations[:2]]}")
    assert asked >= 150 and not wrong, wrong


def test_articles_and_chapters_in_english(chain):
    """Article 10 of the Foundation Regulations, Chapter 3 of the Charity Law: each legal text in force by
    every English name it has."""
    from assistant.library import english_names
    from assistant.references import int_to_cn

    rng, wrong, asked = random.Random(3), [], 0
    for doc in (d for d in chain.library.documents if d.structure == "legal" and d.in_force):
        articles = [c for _, c in doc.iter_clauses() if re.fullmatch(r"第[一二三四五六七八九十百零]+条", c.id)]
        chapters = [c for c in doc.clauses if re.fullmatch(r"第[一二三四五六七八九十]+章", c.id)]
        for name in english_names().get(doc.title, ()):
            article = rng.choice(articles)
            asked += 1
            question = rng.choice(["Article {n} of the {e}", "What does Article {n} of the {e} say?", "{e}, art. {n}"])
            wanted = [(question.format(n=cn_to_int(article.id[1:-1]), e=name), article.id)]
            if chapters:
                n = rng.randrange(1, len(chapters) + 1)
                wanted.append((f"Chapter {n} of the {name}", f"第{int_to_cn(n)}章"))
            for question, clause_id in wanted:
                answer = chain.ask(question, "staff")
                first = answer.citations[0] if answer.citations else None
                if not (answer.kind == "clause" and first and (first.doc_id, first.clause) == (doc.doc_id, clause_id)):
                    wrong.append(f"{question} → {[(c.doc_id, c.clause) for c in answer.citations[:2]]}")
    assert asked >= 20 and not wrong, wrong
