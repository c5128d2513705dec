import logging
from pathlib import Path

import pytest

from assistant.loaders import decode, load_text
from assistant.names import short_names
from assistant.parsing import PARSER_VERSION, load_document, parse_document
from assistant.settings import PROJECT_ROOT
from assistant.structure import chinese_number, chinese_numeral
from assistant.types import IN_FORCE, SUPERSEDED

CORPUS = PROJECT_ROOT / "corpus"

EXPECTED_IDS = [
    "一", "一(一)", "一(二)",
    "二", "二(一)", "二(一)1", "二(一)2", "二(一)3", "二(一)4",
    "二(二)", "二(二)1", "二(二)2", "二(二)3", "二(二)4",
    "二(三)", "二(三)1",
]  # fmt: skip


def test_clause_tree_of_the_seed(seed_document):
    ids = [clause.id for _, clause in seed_document.iter_clauses()]
    assert ids == EXPECTED_IDS
    clause = seed_document.clause("二(二)2")
    assert clause.heading == "创新社会组织培育扶持机制"
    assert clause.level == 3
    assert "对尚不具备登记条件的社区社会组织可采取备案管理" in clause.text
    assert seed_document.heading_path("二(二)2") == [
        "二、运行机制",
        "(二)不断增强社会组织的重要协同作用",
        "2. 创新社会组织培育扶持机制",
    ]
    assert seed_document.clause("一(一)").heading == "指导思想"
    assert seed_document.clause("二").heading == "运行机制"


def test_metadata_values(seed_document):
    doc = seed_document
    assert doc.title == "台州市人民政府办公室关于加快推进“三社联动”完善基层社会治理的实施意见"
    assert doc.doc_number == "台政办发〔2016〕123号"
    assert doc.issuer == "台州市人民政府办公室"
    assert doc.addressees == ["各县(市、区)人民政府", "市级各有关单位"]
    assert doc.validity == "继续有效"
    assert "清理结果的通知" in doc.validity_source and "2022年8月26日" in doc.validity_source
    assert doc.preamble.startswith("为深入贯彻中央、省委关于创新社会治理")


def test_incomplete_last_clause(seed_document):
    assert seed_document.incomplete
    last = seed_document.clause("二(三)1")
    assert last.incomplete and last.text.endswith("建立健全公开招")
    assert not seed_document.clause("二(二)4").incomplete


def test_junk_lines_are_gone_and_title_kept_once(seed_document):
    text = seed_document.text
    for junk in ("加盟电话", "152-6623-5191", "精确检索", "开始检索", "USHUI"):
        assert junk not in text
    assert text.count(seed_document.title) == 1
    assert "继续有效" in seed_document.metadata_text


def test_encodings_parse_the_same(tmp_path, seed_text, seed_document):
    # GBK has no ®, no-break space or em space (GBK files indent with U+3000); the parser drops the site prefix and folds spaces anyway
    gbk_text = seed_text.replace("®", "").replace("\xa0", " ").replace("\u2003", "\u3000")
    variants = {
        "gbk.txt": gbk_text.encode("gbk"),
        "gb18030.txt": seed_text.encode("gb18030"),
        "bom.txt": b"\xef\xbb\xbf" + seed_text.encode("utf-8"),
        "crlf.txt": seed_text.replace("\n", "\r\n").encode("utf-8"),
    }
    for name, data in variants.items():
        path = tmp_path / name
        path.write_bytes(data)
        doc = load_document(path)
        assert doc.text == seed_document.text, name
        assert doc.to_dict()["clauses"] == seed_document.to_dict()["clauses"], name
        assert doc.doc_number == seed_document.doc_number


def test_full_width_and_half_width_brackets_give_the_same_ids(seed_text, seed_document):
    full_width = seed_text.replace("(", "（").replace(")", "）").replace(",", "，").replace(":", "：")
    doc = parse_document(full_width, doc_id="fw")
    assert [c.id for _, c in doc.iter_clauses()] == EXPECTED_IDS
    assert doc.doc_number == seed_document.doc_number
    assert doc.addressees == ["各县（市、区）人民政府", "市级各有关单位"]


def test_markdown_document(tmp_path):
    path = Path(tmp_path / "policy.md")
    path.write_text(
        "# 某市关于做好社区服务的通知\n\n某政发〔2020〕5号\n\n## 一、总体要求\n\n**（一）目标。** 到2021年建成服务站。\n\n"
        "1. 场地。每个社区提供场地。\n",
        encoding="utf-8",
    )
    doc = load_document(path)
    assert doc.title == "某市关于做好社区服务的通知"
    assert doc.doc_number == "某政发〔2020〕5号"
    assert [c.id for _, c in doc.iter_clauses()] == ["一", "一(一)", "一(一)1"]
    assert not doc.incomplete


def test_undecodable_and_empty_files_are_clear_errors(tmp_path):
    from assistant.errors import DocumentError

    binary = tmp_path / "a.txt"
    binary.write_bytes(b"\x00\x01\x02")
    empty = tmp_path / "b.txt"
    empty.write_text("  \n", encoding="utf-8")
    other = tmp_path / "c.pdf"
    other.write_bytes(b"%PDF")
    for path in (binary, empty, other):
        with pytest.raises(DocumentError):
            load_text(path)
    assert decode("政策".encode("gbk")) == "政策"


def test_seed_is_a_policy_document_with_a_kind(seed_document):
    assert seed_document.structure == "policy"
    assert seed_document.kind == "规范性文件"
    assert seed_document.status == IN_FORCE
    assert seed_document.clause("二(二)").kind == "节" and seed_document.clause("二(二)2").kind == "点"
    assert PARSER_VERSION != "1"


# --- Legal structure: 编/章/节/条/款/项/目 -------------------------------------------------------

STATUTE = """某某社会组织条例
第一章 总 则
第一条　为了规范社会组织，制定本条例。
第二条　登记管理机关履行下列职责：
（一）登记；
（二）监督检查：
1.年度检查；
2.抽查。
登记管理机关可以委托下级机关办理前款事项，并提交下列材料：
(一)委托书；
(二)名单。
第二章 登记
第一节　成立登记
第三条 成立社会组织，应当具备下列条件：
（一）有规范的名称；
（二）有固定的住所。
第四条 申请成立登记的，应当提交申请书。
第二节 变更登记
第一百零一条 依照第三条规定办理。
第五条规定的事项不适用本节。
"""


@pytest.fixture(scope="module")
def statute():
    return parse_document(STATUTE, doc_id="statute")


def test_legal_clause_ids_kinds_and_levels(statute):
    clauses = {c.id: c for _, c in statute.iter_clauses()}
    assert statute.structure == "legal"
    assert list(clauses) == [
        "第一章", "第一条", "第二条", "第二条第一款第(一)项", "第二条第一款第(二)项",
        "第二条第一款第(二)项第1目", "第二条第一款第(二)项第2目", "第二条第二款",
        "第二条第二款第(一)项", "第二条第二款第(二)项",
        "第二章", "第二章第一节", "第三条", "第三条第(一)项", "第三条第(二)项", "第四条",
        "第二章第二节", "第一百零一条", "第一百零一条第二款",
    ]  # fmt: skip
    kinds = {"第一章": "章", "第二章第一节": "节", "第一条": "条", "第二条第二款": "款", "第三条第(一)项": "项"}
    for clause_id, kind in kinds.items():
        assert clauses[clause_id].kind == kind
    assert clauses["第二条第一款第(二)项第1目"].kind == "目"
    assert [clauses[i].level for i in ("第二章", "第二章第一节", "第三条", "第三条第(一)项")] == [1, 2, 3, 4]
    assert clauses["第一章"].heading == "总则" and clauses["第一条"].heading == ""


def test_legal_heading_paths_and_own_texts(statute):
    assert statute.heading_path("第三条") == ["第二章 登记", "第一节 成立登记", "第三条"]
    article = statute.clause("第二条")
    assert article.text == "第二条 登记管理机关履行下列职责："  # the full-width space folds to one space
    assert statute.clause("第二条第二款").text.startswith("登记管理机关可以委托")
    assert statute.clause("第二条第一款第(二)项第2目").text == "2.抽查。"
    # "第五条规定的事项…" cites an article; it is a paragraph of 第一百零一条, not a new article
    assert statute.clause("第一百零一条第二款").text == "第五条规定的事项不适用本节。"
    # every character of the body lands in exactly one clause's own text
    owned = sorted((c.start, c.end) for _, c in statute.iter_clauses())
    body = statute.text[owned[0][0] :]
    assert sum(end - start for start, end in owned) + len(owned) - 1 == len(body)
    for (_, end), (start, _) in zip(owned, owned[1:]):
        assert statute.text[end:start] == "\n"
    assert statute.title == "某某社会组织条例" and statute.metadata_text == "某某社会组织条例"


def test_article_numbers_in_chinese():
    assert [chinese_number(n) for n in ("一", "十", "十二", "二十", "一百零一", "一百二十五", "一百一十")] == [
        1, 10, 12, 20, 101, 125, 110,
    ]  # fmt: skip
    assert all(chinese_number(chinese_numeral(n)) == n for n in range(1, 300))
    assert chinese_numeral(2) == "二" and chinese_numeral(115) == "一百一十五"


def test_a_gap_in_article_numbers_is_a_warning(statute):
    assert any("第4条之后是第101条" in warning for warning in statute.warnings)


def test_real_statute_structure():
    doc = load_document(CORPUS / "cishan_fa_2023.txt")
    articles = [c for _, c in doc.iter_clauses() if c.kind == "条"]
    assert len(articles) == 125 and articles[-1].id == "第一百二十五条"
    assert doc.heading_path("第十条") == ["第二章 慈善组织", "第十条"]
    assert doc.clause("第三条第(一)项").text == "（一）扶贫、济困；"
    assert [c.kind for c in doc.clauses] == ["章"] * 13


# --- Header metadata of real corpus files -------------------------------------------------------


def test_administrative_regulation_header():
    doc = load_document(CORPUS / "shehui_tuanti_dengji_guanli_tiaoli_2016.txt")
    assert "国务院令第250号" in doc.doc_number
    assert doc.issuer == "国务院" and doc.kind == "行政法规"
    assert doc.date == "1998年10月25日" and doc.effective == "1998年10月25日"
    assert doc.amended == "2016年2月6日修订"
    assert doc.title == "社会团体登记管理条例" and doc.short_title == "社团条例"


def test_law_header():
    doc = load_document(CORPUS / "cishan_fa_2023.txt")
    assert doc.kind == "法律" and doc.doc_number == "主席令第四十三号"
    assert doc.date == "2016年3月16日" and doc.effective == "2016年9月1日"
    assert doc.amended == "2023年12月29日修正"
    assert doc.status == IN_FORCE and doc.short_title == "慈善法"
    assert "本法自2016年9月1日起施行" in doc.metadata_text and doc.preamble == ""


def test_local_regulation_header():
    doc = load_document(CORPUS / "zhejiang_shishi_cishanfa_banfa_2018.txt")
    assert doc.kind == "地方性法规" and doc.doc_number == ""
    assert doc.issuer == "浙江省人民代表大会常务委员会" and doc.date == "2018年11月30日"


def test_ministry_rule_and_joint_notice_headers():
    rule = load_document(CORPUS / "shehui_zuzhi_pinggu_guanli_banfa_2010.txt")
    assert rule.doc_number == "民政部令第39号"  # the editorial note in brackets is dropped
    assert rule.kind == "部门规章" and rule.date == "2010年12月27日" and rule.effective == "2011年3月1日"
    notice = load_document(CORPUS / "gongyixing_juanzeng_shuiqian_kouchu_gonggao_2020.txt")
    assert notice.doc_number == "财政部 税务总局 民政部公告2020年第27号"
    assert notice.kind == "规范性文件" and notice.structure == "policy"
    assert notice.preamble.startswith("为贯彻落实") and notice.addressees == []
    opinion = load_document(CORPUS / "chengxiang_shequ_zhili_yijian_zhongfa2017_13.txt")
    assert opinion.doc_number == "中发〔2017〕13号" and opinion.issuer == "中共中央、国务院"
    assert opinion.date == "2017年6月12日"
    no_number = load_document(CORPUS / "jiceng_zhili_tixi_nengli_xiandaihua_yijian_2021.txt")
    assert no_number.doc_number == "" and no_number.date == "2021年4月28日"


def test_superseded_file():
    doc = load_document(CORPUS / "superseded" / "cishan_fa_2016.txt")
    assert doc.status == SUPERSEDED and not doc.in_force
    assert doc.title == "中华人民共和国慈善法（2016年原文本）"
    assert doc.superseded_by == "中华人民共和国慈善法（2023年修正）"
    assert doc.kind == "法律" and "慈善法" in doc.short_names


def test_a_repealed_validity_note_takes_the_document_out_of_force(seed_text):
    doc = parse_document(seed_text.replace("继续有效", "已废止"), doc_id="repealed")
    assert doc.validity == "已废止" and doc.status == SUPERSEDED


def test_superseded_note_in_the_title_line_alone_marks_the_status():
    doc = parse_document("某市社区服务办法（已废止）\n第一条 为了服务居民，制定本办法。\n", doc_id="old")
    assert doc.status == SUPERSEDED and doc.title == "某市社区服务办法"
    assert parse_document("某市社区服务办法\n第一条 为了服务居民。\n", doc_id="new").status == IN_FORCE


def test_short_names_come_from_general_rules():
    expected = {
        "社会团体登记管理条例": "社团条例",
        "民办非企业单位登记管理暂行条例": "民非条例",
        "基金会管理条例": "基金会条例",
        "中华人民共和国慈善法": "慈善法",
        "中华人民共和国城市居民委员会组织法": "居委会组织法",
        "中华人民共和国村民委员会组织法": "村委会组织法",
    }
    for title, name in expected.items():
        assert parse_document(f"{title}\n第一条 为了规范管理，制定本条例。\n", doc_id="t").short_title == name, title
    assert "社会团体条例" in short_names("社会团体登记管理条例")
    # an initialism from data/aliases.tsv names the law in a question; the citation shows the plainer name
    assert {"村组法", "村委会组织法", "村委会法"} <= set(short_names("中华人民共和国村民委员会组织法"))
    assert "居委会法" in short_names("中华人民共和国城市居民委员会组织法")
    assert short_names("志愿服务记录与证明出具办法（试行）") == ["志愿服务记录与证明出具办法"]
    assert short_names("慈善组织认定办法") == []


# --- Policy structure and the plain fallback --------------------------------------------------------

NOTICE = """某县民政局关于开展社区服务的通知
某民发〔2023〕7号
各乡镇人民政府：
为做好社区服务，现通知如下。
一、总体要求
（一）基本原则
——坚持党的领导。加强领导。
——坚持以人为本。服务居民。
二、工作任务
1.建设站点。每个社区建设站点。
（1）城市社区。先行建设。
附件1：社区服务站点名单
一、城区
（一）东街社区。
"""


def test_policy_bullets_stay_in_their_clause_and_annexes_are_clauses():
    doc = parse_document(NOTICE, doc_id="notice")
    assert [c.id for _, c in doc.iter_clauses()] == ["一", "一(一)", "二", "二1", "二1(1)", "附件1", "附件1一", "附件1一(一)"]  # fmt: skip
    principles = doc.clause("一(一)")
    assert principles.heading == "基本原则" and "——坚持以人为本。服务居民。" in principles.text
    assert [doc.clause(i).kind for i in ("一", "一(一)", "二1", "二1(1)", "附件1")] == [
        "部分",
        "节",
        "点",
        "小点",
        "附件",
    ]
    assert doc.clause("附件1").heading == "社区服务站点名单"
    assert doc.preamble == "为做好社区服务，现通知如下。"
    assert doc.addressees == ["各乡镇人民政府"] and doc.issuer == "某县民政局"


def test_unnumbered_text_is_indexed_by_paragraph_with_a_warning(caplog):
    with caplog.at_level(logging.WARNING, logger="assistant.parsing"):
        doc = parse_document("社区公约\n大家要爱护环境。\n邻里之间互相帮助。\n", doc_id="convention")
    assert doc.structure == "plain" and doc.title == "社区公约"
    assert [(c.id, c.kind, c.text) for c in doc.clauses] == [
        ("第1段", "段", "大家要爱护环境。"),
        ("第2段", "段", "邻里之间互相帮助。"),
    ]
    assert doc.warnings and "按段落" in doc.warnings[0]
    assert "convention" in caplog.text
