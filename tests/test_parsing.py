from pathlib import Path

from assistant.loaders import decode, load_text
from assistant.parsing import load_document, parse_document

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
    import pytest

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
