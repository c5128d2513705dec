"""The vocabulary is derived from the documents themselves; the hand-written lists keep their rules."""

import re
from pathlib import Path

import pytest

from assistant import text
from assistant.parsing import load_document, parse_document
from assistant.vocabulary import Entry, Vocabulary, build_vocabulary, seed_entries, seed_vocabulary

CORPUS = Path(__file__).resolve().parent.parent / "corpus"


@pytest.fixture(scope="module")
def documents():
    return [load_document(path) for path in sorted(CORPUS.rglob("*.txt"))]


@pytest.fixture(scope="module")
def vocabulary(documents):
    return build_vocabulary(documents)


@pytest.fixture(scope="module")
def corpus_texts(documents):
    return [text.normalize(d.text) for d in documents]


@pytest.fixture
def installed():
    """Install a vocabulary for one test; the seed comes back afterwards."""
    yield text.use_vocabulary
    text.use_vocabulary(None)


def _chinese(name):
    return re.fullmatch(r"[\u4e00-\u9fff]+", text.normalize(name))


def test_every_title_and_short_name_is_a_word(documents, vocabulary):
    words = {e.word for e in vocabulary.words}
    names = [text.normalize(n) for d in documents for n in [d.title, *d.short_names] if _chinese(n)]
    assert {"社团条例", "慈善法", "志愿服务条例", "基金会条例"} <= set(names)
    assert not [n for n in names if n not in words]


def test_defined_terms_come_from_the_documents(vocabulary):
    by_source = {e.word: e.source for e in vocabulary.words}
    # 慈善法第八条 本法所称慈善组织; 社团条例第二条 本条例所称社会团体; 以下简称登记管理机关; 住所是指
    for term in ("慈善组织", "社会团体", "志愿服务组织", "登记管理机关", "住所"):
        assert by_source.get(term) == "defined", term
    assert {"三社联动", "民主恳谈"} <= vocabulary.policy_terms  # quoted terms
    assert {"成立登记", "慈善财产", "法律责任"} <= vocabulary.policy_terms  # chapter headings
    assert "加强组织领导" not in vocabulary.policy_terms  # a task heading, not a topic
    # 每年3月5日为浙江省志愿者日: a day the text names, with its place and without
    assert {"浙江省志愿者日", "志愿者日", "中华慈善日"} <= vocabulary.policy_terms


def test_place_names_come_from_issuers_and_are_no_policy_terms(vocabulary):
    assert {"台州市", "台州", "浙江省", "浙江"} <= vocabulary.places
    assert not vocabulary.places & vocabulary.policy_terms
    assert not vocabulary.places & {"城市", "全国", "中华", "民政"}


def test_every_word_occurs_in_the_library(documents, vocabulary, corpus_texts):
    names = {text.normalize(n) for d in documents for n in [d.title, *d.short_names, d.issuer]}
    library = "".join(corpus_texts) + "".join(names)
    # Everyday phrases of the synonym map are the one exception: they are how residents ask, not the text.
    assert not [e.word for e in vocabulary.words if e.word not in library and e.source != "everyday"]
    assert not vocabulary.policy_terms & {e.word for e in vocabulary.words if e.source == "everyday"}


def test_a_new_document_brings_its_defined_terms(documents):
    new = parse_document(
        "社区互助会管理办法\n民政部\n第一条 本办法所称邻里互助会，是指居民自愿组成、开展互助服务的组织（以下简称互助会）。"
        "\n第二条 “时间银行”记录居民的服务时长。",
        doc_id="huzhuhui",
    )
    before = build_vocabulary(documents).policy_terms
    after = build_vocabulary([*documents, new]).policy_terms
    assert {"邻里互助会", "互助会", "时间银行"} <= after - before


def test_save_and_load_round_trip(vocabulary, tmp_path):
    path = tmp_path / "vocabulary.json"
    vocabulary.save(path)
    assert Vocabulary.load(path) == vocabulary
    path.write_text('{"format": 99, "words": []}', encoding="utf-8")
    with pytest.raises(ValueError):
        Vocabulary.load(path)


def test_use_vocabulary_keeps_names_whole(vocabulary, installed):
    installed(None)
    assert "社团条例" not in text.words("社团条例令号是多少")  # the seed has no document names
    assert "台州" not in text.place_names()
    installed(vocabulary)
    assert text.words("社团条例令号是多少")[0] == "社团条例"
    assert "慈善组织公开募捐办法" in text.words("慈善组织公开募捐办法第几条讲备案")
    assert "台州" in text.place_names() and "慈善组织" in text.policy_terms()
    assert "志愿服务记录证明" in text.search_tokens("志愿服务记录证明怎么开")


def test_a_vocabulary_never_makes_a_common_word_rarer(installed):
    import jieba

    jieba.dt.check_initialized()
    installed(Vocabulary((Entry("登记", 1, "v", "seed"), Entry("社区社会组织", None, "n", "seed"))))
    frequency = text._tokenizer().FREQ
    assert frequency["登记"] == jieba.dt.FREQ["登记"] > 1
    assert text.words("培育社区社会组织登记") == ["培育", "社区社会组织", "登记"]


def test_seed_words_are_general_civil_affairs_words(corpus_texts):
    """Each seed word is used by at least two documents: one document's wording is no general word."""
    rare = [e.word for e in seed_entries() if sum(e.word in t for t in corpus_texts) < 2]
    assert not rare


def test_the_seed_vocabulary_is_what_runs_before_an_index_is_loaded(installed):
    installed(None)
    assert text.vocabulary() == seed_vocabulary()
    assert {"登记", "税前扣除", "居民委员会"} <= text.policy_terms()


def test_policy_side_of_synonyms_occurs_in_the_corpus(corpus_texts):
    library = "".join(corpus_texts)
    missing = [(p, t) for p, targets in text.synonyms() for t in targets if text.normalize(t) not in library]
    assert not missing


def test_everyday_side_of_synonyms_is_how_residents_speak(corpus_texts):
    """The library writes the policy word more often than the everyday one (outside that policy word),
    and an everyday phrase of four characters or more is no phrase of the library's text."""
    library = "".join(corpus_texts)
    wrong = []
    for phrase, targets in text.synonyms():
        if phrase.isascii():
            continue
        policy = [text.normalize(t) for t in targets]
        rest = library
        for word in sorted(policy, key=len, reverse=True):
            rest = rest.replace(word, "|")
        if rest.count(phrase) >= max(library.count(word) for word in policy):
            wrong.append(phrase)
        if len(phrase) >= 4 and phrase in library:
            wrong.append(phrase)
    assert not wrong


def test_synonyms_file_holds_no_duplicates():
    phrases = [p for p, _ in text.synonyms()]
    assert len(phrases) == len(set(phrases))


def test_two_words_that_shorten_one_policy_term_stand_for_it(vocabulary, installed):
    from assistant.questions import question_terms

    installed(vocabulary)
    assert ("志愿服务证明", "志愿服务记录证明") in text.shortened_terms("能给我开个志愿服务证明吗")
    assert "志愿服务记录证明" in text.expand_query("开志愿服务证明要交钱吗")
    forms = {t.word: t.forms for t in question_terms("开志愿服务证明要交钱吗")}
    assert "志愿服务记录证明" in forms["志愿服务证明"]
    assert text.shortened_terms("志愿服务记录证明怎么开") == []  # written whole: nothing to stand for
    assert text.shortened_terms("社会组织登记") == []  # no policy term starts with one and ends with the other


def test_asking_whether_it_is_enough_asks_about_the_conditions_not_of_falling_short():
    """够不够 asks whether the conditions are met (具备…条件); 不够 says they are not (尚不具备登记条件)."""
    asked = text.expand_query("这点钱够不够格")
    assert "具备" in asked.split() and "不具备" not in asked
    assert "不具备" in text.expand_query("人数不够怎么办").split()


def test_the_gazetteer_places_cities_in_their_provinces():
    from assistant.vocabulary import gazetteer

    places = gazetteer()
    assert places.provinces_named("我在杭州上班") == {"浙江省", "浙江"}
    assert places.provinces_named("义乌市的商户") == {"浙江省", "浙江"}  # a county-level city, written with 市
    assert places.provinces_named("我家在成都") == {"四川省", "四川"}
    assert places.provinces_named("社区居委会怎么选") == set()
    assert places.romanised["ningbo"] == "zhejiang" and "taizhou" not in places.romanised  # 台州 and 泰州
