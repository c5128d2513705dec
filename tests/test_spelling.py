"""The homophone corrector over the real library: typos become library words, nothing else changes."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from assistant.settings import PROJECT_ROOT
from assistant.spelling import MIN_FREQUENCY, Speller
from assistant.text import normalize, words

LIBRARY_QUESTIONS = Path(__file__).parent / "data" / "library_questions.jsonl"
MAX_CHANGED_SHARE = 0.05
"""Most of the project's questions are typed correctly: a corrector that changes more is guessing."""


@pytest.fixture(scope="module")
def library_texts() -> list[str]:
    return [path.read_text(encoding="utf-8") for path in sorted((PROJECT_ROOT / "corpus").rglob("*.txt"))]


@pytest.fixture(scope="module")
def speller(library_texts) -> Speller:
    """Built with the hand-written seed vocabulary installed, whatever index another test loaded: its words
    (社会团体, 民办非企业单位) are cut as the seed cuts them."""
    from assistant.text import use_vocabulary, vocabulary

    before = vocabulary()
    use_vocabulary(None)
    try:
        return Speller.from_texts(library_texts)
    finally:
        use_vocabulary(before)


@pytest.mark.parametrize(
    ("question", "typed", "word", "expected"),
    [
        ("我想办个协会，去民政局登计要几个人", "登计", "登记", "我想办个协会，去民政局登记要几个人"),
        ("舞蹈队想去街道备按", "备按", "备案", "舞蹈队想去街道备案"),
        ("慈膳组织", "慈膳组织", "慈善组织", "慈善组织"),
        ("怎么成立基金汇？", "基金汇", "基金会", "怎么成立基金会？"),
        ("社区社会组织怎么被案", "被案", "备案", "社区社会组织怎么备案"),  # 被 is a function word, 备案 a common one
        # 其 is a function word, but three characters leave little to chance: 有效期 is no common word
        ("评估等级有效其几年", "有效其", "有效期", "评估等级有效期几年"),
    ],
)
def test_homophone_typos_become_library_words(speller, library_texts, question, typed, word, expected):
    assert any(word in normalize(text) for text in library_texts)
    result = speller.correct(question)
    assert result.text == expected
    # The window found depends on how the installed vocabulary cuts words (慈善组织 whole, or 慈善 + 组织).
    [(found, corrected)] = result.fixes
    assert typed.startswith(found) or found == typed
    assert corrected == word[: len(found)] and corrected in word


def test_a_typo_of_an_everyday_word_becomes_the_word(speller, library_texts):
    """居委会 is how people say 居民委员会 (data/synonyms.tsv): 居委汇 is its typo, though the library never says it."""
    assert not any("居委汇" in normalize(text) for text in library_texts)
    result = speller.correct("居委汇主任是怎么选出来的")
    assert result.fixes == (("居委汇", "居委会"),) and result.text == "居委会主任是怎么选出来的"
    assert speller.correct("居委会主任是怎么选出来的").fixes == ()  # the word itself is no typo of itself


def test_several_typos_are_fixed_in_order(speller):
    result = speller.correct("慈膳组织要去哪里登计？")
    assert result.text == "慈善组织要去哪里登记？"
    assert [typed for typed, _ in result.fixes] in (["慈膳组织", "登计"], ["慈膳", "登计"])


@pytest.mark.parametrize(
    "question",
    [
        "我想办个协会要几个人？",
        "捐钱能抵税吗？",
        "慈善法第二十二条",
        # Windows that sound like library words but cut through the question's own words or change a
        # function word: 一个|地方 (各地), 同时|兼任 (时间), 开始|施行 (实施), 把我 (把握).
        "成立一个地方性的社团要准备多少钱的活动资金啊",
        "社会团体的法定代表人能不能同时兼任另一个社团的法定代表人？",
        "民办非企业单位年度检查办法什么时候开始施行？",
        "慈善组织把我的个人信息泄露了怎么办，算违法吗",
    ],
)
def test_correct_questions_come_back_unchanged(speller, question):
    result = speller.correct(question)
    assert result.text is question
    assert result.fixes == ()


@pytest.mark.parametrize(
    "question",
    [
        "公积金怎么提取",
        "孩子出生后怎么上户口",
        "摄影协会",
        "低保家庭",
        "公鸡金能取吗",
        # Dictionary words that sound like library words one character away (以下, 心理, 同时, 职能).
        "我想问一下",
        "心里没底",
        "同事想成立协会",
        "只能找居委会吗",
    ],
)
def test_real_words_the_library_lacks_are_not_typos(speller, question):
    assert speller.correct(question).text == question


@pytest.mark.parametrize("question", ["Charity Law article 22", "2016年", "ABC-123，第22条。"])
def test_latin_digits_and_punctuation_are_untouched(speller, question):
    assert speller.correct(question).text is question


@pytest.mark.parametrize(
    ("question", "typed", "word"),
    [
        ("What's the deadline for a social group (shehui tuanti) to report?", "shehui tuanti", "社会团体"),
        ("can a minban feiqiye danwei open branch offices?", "minban feiqiye danwei", "民办非企业单位"),
        ("I'm a new community worker (shequ gongzuozhe).", "shequ gongzuozhe", "社区工作者"),
        ("what is 'san-she-lian-dong'?", "san-she-lian-dong", "三社联动"),
    ],
)
def test_library_words_written_in_pinyin_become_the_words(speller, library_texts, question, typed, word):
    assert any(word in normalize(text) for text in library_texts)
    result = speller.correct(question)
    assert result.fixes == ((typed, word),)
    assert result.text == question.replace(typed, word)


@pytest.mark.parametrize(
    "question",
    [
        "I moved to Shanghai last year",  # a capitalised word is a name (伤害 sounds the same)
        "How many members does a social association need to register?",
        "can a man ban a fan",  # pinyin of nothing the library says, and too short
        "Is Tai Zheng Ban Fa [2016] No. 123 still valid?",  # a document number's office, not 办法
    ],
)
def test_english_that_is_no_pinyin_of_a_library_word_is_untouched(speller, question):
    assert speller.correct(question).text is question


def test_only_the_chinese_typo_changes_in_mixed_text(speller):
    result = speller.correct("NGO去民政局登计，2016年版第22条")
    assert result.text == "NGO去民政局登记，2016年版第22条"


def test_a_word_seen_fewer_than_min_frequency_times_is_no_target():
    text = "社会团体应当依法登记。"
    assert Speller.from_texts([text] * MIN_FREQUENCY).correct("去登计").text == "去登记"
    assert Speller.from_texts([text] * (MIN_FREQUENCY - 1)).correct("去登计").text == "去登计"


def test_the_most_frequent_homophone_wins():
    # 基进 is one character from both 基金 and 激进, and sounds like both.
    more_funds = Speller.from_texts(["基金管理。"] * 3 + ["激进做法。"] * 2)
    more_radical = Speller.from_texts(["基金管理。"] * 2 + ["激进做法。"] * 3)
    assert more_funds.correct("基进").fixes == (("基进", "基金"),)
    assert more_radical.correct("基进").fixes == (("基进", "激进"),)


def test_few_of_the_projects_questions_change_and_no_library_word_is_lost(speller, library_texts):
    library = "\n".join(normalize(text) for text in library_texts)
    questions = [json.loads(line)["question"] for line in LIBRARY_QUESTIONS.read_text(encoding="utf-8").splitlines()]
    changed = [(question, speller.correct(question)) for question in questions]
    changed = [(question, result) for question, result in changed if result.fixes]
    assert changed, "the question set has typed typos (登计); none was found"
    assert len(changed) <= MAX_CHANGED_SHARE * len(questions), [result.fixes for _, result in changed]
    for question, result in changed:
        kept = [word for word in words(question) if len(word) > 1 and word in library]
        assert all(word in result.text for word in kept), (question, result.text)
        assert all(typed not in library for typed, _ in result.fixes), result.fixes


@pytest.mark.parametrize(
    ("question", "expected"),
    [
        ("我一个人出钱办托老所，能办哪种明非登记", "我一个人出钱办托老所，能办哪种民非登记"),  # ming for min
        ("登记管理机光在哪里", "登记管理机关在哪里"),  # guang for guan
        ("捐的钱被挪用了，找谁投述", "捐的钱被挪用了，找谁投诉"),  # shu for su
    ],
)
def test_a_sound_the_input_method_does_not_tell_apart_is_a_homophone(speller, question, expected):
    """Pinyin input methods let in/ing, en/eng, an/ang and z/zh, c/ch, s/sh stand for each other (模糊音):
    明非 is typed for 民非 as 登计 is for 登记."""
    assert speller.correct(question).text == expected


def test_an_exact_homophone_wins_over_a_fuzzy_one():
    # 基进 sounds exactly like 基金 and only fuzzily like 基经 (jin / jing), though 基经 is more frequent.
    speller = Speller.from_texts(["基金管理。"] * 2 + ["基经管理。"] * 5)
    assert speller.correct("基进").fixes == (("基进", "基金"),)
