import pytest

from assistant.references import cn_to_int, find_article, find_reference, int_to_cn


@pytest.mark.parametrize(
    ("text", "clause_id"),
    [
        ("二(二)3 原文", "二(二)3"),
        ("二（二）3", "二(二)3"),
        ("第二部分第(二)条第3点", "二(二)3"),
        ("第二部分第二条第三项", "二(二)3"),
        ("一(二)", "一(二)"),
        ("第一部分", "一"),
        ("请给我二、(一)2的原文", "二(一)2"),
        ("第二部分(二)3", "二(二)3"),
        ("二(二)2(1)", "二(二)2(1)"),
        ("第二部分 第(一)条 第2点", "二(一)2"),
        ("What does section 2(2)3 say?", "二(二)3"),  # English: a part's number, its section's, the item's
        ("Point 4(3) of the announcement", "四(三)"),
        ("item 2 (2) 3", "二(二)3"),
        ("台州意见2.2.3原文", "二(二)3"),  # dotted, as outlines number
        ("基层治理意见 4.1", "四(一)"),
    ],
)
def test_reference_forms(text, clause_id):
    assert find_reference(text).clause_id() == clause_id


def test_part_left_open():
    reference = find_reference("(二)3 关于购买服务")
    assert (reference.part, reference.section, reference.item) == (None, 2, 3)


@pytest.mark.parametrize(
    "text",
    [
        "三级社会公共服务网络指哪三级？",
        "到2020年要达到多少家？",
        "各县(市、区)2018年前",
        "三社联动是什么",
        "一、二类组织",
        "At least 2(3) people?",  # numbers in brackets are no reference without a word for a clause
        "Article 10(1) of the regulations",  # an article's paragraph is legal numbering
        "会费标准是2.5万吗",  # amounts, shares and dates are no dotted numbering
        "管理费用不得高于10.5%吗",
        "2024.1.1起施行的办法",
    ],
)
def test_no_reference_in_ordinary_questions(text):
    assert find_reference(text) is None


def test_numerals():
    assert [cn_to_int(t) for t in ("一", "十", "十二", "二十三", "3")] == [1, 10, 12, 23, 3]
    assert [int_to_cn(n) for n in (1, 10, 12, 23)] == ["一", "十", "十二", "二十三"]


def test_levels_left_open():
    reference = find_reference("第二部分第三项")
    assert reference.levels() == {1: 2, 3: 3}
    assert find_reference("第3点").levels() == {3: 3}


@pytest.mark.parametrize(
    ("text", "numbers", "first_id"),
    [
        ("慈善法第二十二条", (22, None, None, None), "第二十二条"),
        ("《基金会管理条例》第8条", (8, None, None, None), "第八条"),
        ("社会团体登记管理条例第十条第一款", (10, 1, None, None), "第十条第一款"),
        ("第十条第一款第（一）项", (10, 1, 1, None), "第十条第一款第(一)项"),
        ("第十条(五)", (10, None, 5, None), "第十条第(五)项"),
        ("第十条第1项", (10, None, 1, None), "第十条第(一)项"),
        ("第 一百零一 条", (101, None, None, None), "第一百零一条"),
        ("慈善法22条", (22, None, None, None), "第二十二条"),
        ("Article 22", (22, None, None, None), "第二十二条"),
        ("第三条第二款", (3, 2, None, None), "第三条第二款"),
        ("《基金会管理条例》第廿条", (20, None, None, None), "第二十条"),  # 廿 twenty, 卅 thirty in one character
        ("社团条例第卅一条第二款", (31, 2, None, None), "第三十一条第二款"),
    ],
)
def test_article_reference_forms(text, numbers, first_id):
    from assistant.references import find_article

    reference = find_article(text)
    assert (reference.article, reference.paragraph, reference.item, reference.subitem) == numbers
    assert reference.candidate_ids()[0] == first_id


@pytest.mark.parametrize("text", ["需要具备哪些条件", "第二部分第(一)条第2点", "条例规定了什么", "3A以上等级"])
def test_no_article_in_other_text(text):
    from assistant.references import find_article

    assert find_article(text) is None


def test_numerals_to_hundreds():
    assert [cn_to_int(t) for t in ("一百", "一百零一", "一百二十五", "一百一十")] == [100, 101, 125, 110]
    assert [int_to_cn(n) for n in (100, 101, 110, 125)] == ["一百", "一百零一", "一百一十", "一百二十五"]


@pytest.mark.parametrize(
    "question, article, paragraph",
    [("慈善法二十二条", 22, None), ("社团条例十条第一款", 10, 1), ("基金会管理条例八条", 8, None)],
)
def test_an_article_written_right_after_a_law_name_without_di(question, article, paragraph):
    found = find_article(question)
    assert (found.article, found.paragraph) == (article, paragraph)


@pytest.mark.parametrize("question", ["我们社区有十条规定", "条例规定了什么", "办法里有三条件"])
def test_bare_numbers_elsewhere_are_no_articles(question):
    assert find_article(question) is None


def test_a_named_document_is_set_aside_keeping_the_questions_own_spacing():
    from assistant.library import name_key, without_names

    names = [name_key("Charity Law"), name_key("慈善法")]
    assert without_names("What does the charity  law say about trusts?", names).split() == [
        "What", "does", "the", "say", "about", "trusts?",
    ]  # fmt: skip
    assert without_names("《慈善法》第二十二条", names).strip() == "第二十二条"
    question = "社团登记要几个人？"  # no name: the very string, so its query embedding is computed once
    assert without_names(question, []) is question


@pytest.mark.parametrize(
    ("question", "levels"),
    [
        ("基金会条例8条1款2项", (8, 1, 2)),
        ("社团条例10条1款", (10, 1, None)),
        ("第8条2项", (8, None, 2)),
        ("第十条第一款第（一）项", (10, 1, 1)),
    ],
)
def test_paragraph_and_item_may_be_written_without_di(question, levels):
    found = find_article(question)
    assert (found.article, found.paragraph, found.item) == levels


def test_the_first_of_two_points_in_a_row_is_the_middle_level():
    assert find_reference("第二部分第二点第三项").levels() == {1: 2, 2: 2, 3: 3}
    assert find_reference("第七部分第四点").levels() == {1: 7, 3: 4}  # read by the document's own numbering


@pytest.mark.parametrize(
    "question, articles",
    [
        ("慈善法第一百零九条至第一百一十一条", [109, 110, 111]),
        ("慈善法第109-111条", [109, 110, 111]),
        ("慈善法第109条到第111条", [109, 110, 111]),
        ("社团条例第9、10条", [9, 10]),
        ("社团条例第九、十条", [9, 10]),
        ("Charity Law articles 9 and 10", [9, 10]),
        ("Articles 109-111 of the Charity Law", [109, 110, 111]),
        ("第五条和第七条", [5, 7]),  # a list, not a range: 第六条 is not asked for
        ("第一条至第三十条", [1, 30]),  # longer than MAX_RANGE: only the two ends
    ],
)
def test_ranges_and_lists_of_articles(question, articles):
    from assistant.references import find_articles

    assert [r.article for r in find_articles(question)] == articles


@pytest.mark.parametrize(
    "question, part",
    [
        ("关于健全新时代志愿服务体系的意见的三讲什么", 3),
        ("第三方评估指导意见 二 原文", 2),
        ("基层治理意见五", 5),
    ],
)
def test_a_bare_part_numeral_ending_a_question_is_that_part(question, part):
    reference = find_reference(question)
    assert (reference.part, reference.section, reference.item) == (part, None, None)


@pytest.mark.parametrize("question", ["三社联动讲什么", "慈善法一共几章", "我想问一下", "这个意见一共有几部分"])
def test_a_numeral_inside_words_is_no_part(question):
    assert find_reference(question) is None


def test_an_article_right_after_a_title_in_brackets():
    assert find_article("中华人民共和国慈善法(2016年原文本)二十九条").article == 29


@pytest.mark.parametrize(
    "question, part",
    [("Chapter 3 of the Charity Law", 3), ("What does part 3 of the Community Workers opinions say", 3)],
)
def test_a_chapter_or_part_in_english_alone_is_that_part(question, part):
    reference = find_reference(question)
    assert (reference.part, reference.section, reference.item) == (part, None, None)
    assert find_reference("point 4(3) of the opinions").section == 3  # brackets go a level deeper


@pytest.mark.parametrize(
    "question, levels",
    [
        ("What does part IV (4) of the plan say", (4, 4)),
        ("Part III of the opinions", (3, None)),
        ("section II(3)", (2, 3)),
    ],
)
def test_parts_in_roman_figures(question, levels):
    reference = find_reference(question)
    assert (reference.part, reference.section) == levels


@pytest.mark.parametrize(
    "question, numbers",
    [
        ("Article 22(2) of the Charity Law", (22, 2, None)),  # English legal writing: (2) is the paragraph
        ("Charity Law Art. 10(2)", (10, 2, None)),
        ("paragraph 2 of Article 22 of the Charity Law", (22, 2, None)),
        ("Article 10, paragraph 1, item 5 of the Social Groups Regulations", (10, 1, 5)),
        ("item (5) of Article 10 of the Social Groups Regulations", (10, None, 5)),
        ("Article 10(1)(v) of the Social Groups Regulations", (10, 1, 5)),  # a roman item number
    ],
)
def test_article_paragraph_and_item_as_english_cites_them(question, numbers):
    reference = find_article(question)
    assert (reference.article, reference.paragraph, reference.item) == numbers
