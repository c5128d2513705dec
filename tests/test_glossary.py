"""The English glossary: dictionary headwords the library holds, filed under their English meanings."""

import logging

import pytest

from assistant import glossary
from assistant.glossary import EnglishGlossary

LINES = [
    "登記 登记 [deng1 ji4] /to register; to enroll/to check in/",
    "批准 批准 [pi1 zhun3] /to approve/to ratify/",
    "准予 准予 [zhun3 yu3] /to grant/to approve/",
    "同意 同意 [tong2 yi4] /to agree/to consent/to approve/",
    "許可 许可 [xu3 ke3] /to allow/to approve/",
    "羽毛球 羽毛球 [yu3 mao2 qiu2] /badminton/shuttlecock/",
    "內部 内部 [nei4 bu4] /interior/inside (part, section)/internal/",
    "證書 证书 [zheng4 shu1] /certificate/see also 證明|证明/",
    "多頭 多头 [duo1 tou2] /long (finance)/",
]
TEXTS = [
    "本单位内部经批准成立的团体，不需要登记。",
    "准予登记的，发给登记证书。批准。同意。许可登记。",
    "避免多头管理。",
]
"""批准 twice, 准予, 同意 and 许可 once each."""


def test_headwords_the_library_holds_are_filed_under_their_meanings_commonest_first():
    found = EnglishGlossary.of_texts(TEXTS, LINES)
    assert found.forms["register"] == ("登记",)
    assert found.forms["enroll"] == ("登记",)  # every meaning of an entry, not only the first
    assert found.forms["internal"] == ("内部",)  # a meaning's note in brackets is dropped
    # 批准 is held twice, the others once; at most FORMS_PER_WORD of them, the rest by character order
    assert found.forms["approve"] == ("批准", "准予", "同意")
    assert "badminton" not in found.forms  # 羽毛球 is in no text
    assert found.forms["certificate"] == ("证书",) and "also" not in found.forms  # a cross-reference is no meaning


def test_an_inflected_english_word_finds_its_dictionary_form_and_stop_words_find_none():
    found = EnglishGlossary.of_texts(TEXTS, LINES)
    assert found.words_for("approved") == ("批准", "准予", "同意")
    assert found.words_for("registering") == ("登记",)
    assert found.targets("Do we need to register? It was approved.") == ["登记", "批准", "准予", "同意"]
    assert found.targets("is it") == []


def test_the_word_after_how_asks_and_stands_for_no_library_word():
    """How long does the lease have to be: long asks a period; it is no 多头 (a long position)."""
    found = EnglishGlossary.of_texts(TEXTS, LINES)
    assert found.words_for("long") == ("多头",)
    assert found.targets("How long does registering take?") == ["登记"]


def test_the_dictionary_comes_with_the_installed_package():
    found = EnglishGlossary.of_texts(["社会团体应当经其业务主管单位审查同意后，向登记管理机关申请登记。"])
    assert "登记" in found.words_for("registered")
    assert "同意" in found.words_for("agree")


def test_without_the_dictionary_the_glossary_is_empty_and_says_so(monkeypatch, caplog):
    monkeypatch.setattr(glossary, "_DICTIONARY", ("no_such_dictionary_package", "data/x.gz"))
    with caplog.at_level(logging.WARNING, logger="assistant.glossary"):
        found = EnglishGlossary.of_texts(TEXTS)
    assert found.forms == {}
    assert "英汉词典" in caplog.text


@pytest.mark.slow
def test_an_english_question_is_searched_with_the_library_words_its_words_stand_for(chain):
    """students → 学生: the hand-written map has no such word; the dictionary does, and the clause answering
    says 学生参与志愿服务活动纳入实践学分管理."""
    from assistant.text import expand_query

    question = "Can students earn university credits for volunteering?"
    index = chain.gatherer.retriever.index
    assert "学生" in expand_query(question, index.english_words) and "学生" not in expand_query(question)
    chinese = "大学生做志愿服务能算学分吗"  # a Chinese question gets no dictionary words
    assert expand_query(chinese, index.english_words) == expand_query(chinese)
    answer = chain.ask(question)
    assert answer.found and any("实践学分" in c.text for c in answer.citations[:5]), answer.answer
