"""Files of every supported format and encoding → the same text; limits and links that must not be read."""

from __future__ import annotations

import codecs
import logging
from pathlib import Path

import docx
import pypdf
import pytest

from assistant.decoding import decode
from assistant.errors import DocumentError
from assistant.loaders import SUPPORTED_SUFFIXES, find_documents, load_text
from assistant.settings import PROJECT_ROOT, Settings

_REGULATION = (PROJECT_ROOT / "corpus" / "shehui_tuanti_dengji_guanli_tiaoli_2016.txt").read_text(encoding="utf-8")
# The title, then 第一章 to 第三条 with its (一)(二)(三) items.
LINES = [_REGULATION.splitlines()[0], *_REGULATION.splitlines()[5:15]]
SIMPLIFIED = "\n".join(LINES) + "\n"
# The same regulation as published in traditional characters: every character is in Big5.
TRADITIONAL = """第一條 為了保障公民的結社自由，維護社會團體的合法權益，加強對社會團體的登記管理，促進社會主義物質文明、精神文明建設，制定本條例。
第二條 本條例所稱社會團體，是指中國公民自願組成，為實現會員共同意願，按照其章程開展活動的非營利性社會組織。
國家機關以外的組織可以作為單位會員加入社會團體。
第三條 成立社會團體，應當經其業務主管單位審查同意，並依照本條例的規定進行登記。
"""
# 䶮 and 𠮷 (in names of people and places) exist in GB18030 but not in GBK.
BEYOND_GBK = SIMPLIFIED + "附：登记人员姓名用字“䶮”“𠮷”按原字录入。\n"


@pytest.mark.parametrize(
    ("text", "encode"),
    [
        (SIMPLIFIED, lambda text: text.encode("utf-8")),
        (SIMPLIFIED, lambda text: codecs.BOM_UTF8 + text.encode("utf-8")),
        (SIMPLIFIED, lambda text: codecs.BOM_UTF16_LE + text.encode("utf-16-le")),
        (SIMPLIFIED, lambda text: codecs.BOM_UTF16_BE + text.encode("utf-16-be")),
        (SIMPLIFIED, lambda text: text.encode("utf-16-le")),
        (SIMPLIFIED, lambda text: text.encode("gbk")),
        (BEYOND_GBK, lambda text: text.encode("gb18030")),
        (TRADITIONAL, lambda text: text.encode("big5")),
    ],
    ids=["utf-8", "utf-8-bom", "utf-16-le-bom", "utf-16-be-bom", "utf-16-le-no-bom", "gbk", "gb18030", "big5"],
)
def test_each_encoding_decodes_to_the_exact_text(tmp_path, text, encode):
    path = tmp_path / "policy.txt"
    path.write_bytes(encode(text))
    assert load_text(path) == text


def test_gb18030_text_is_not_gbk():
    with pytest.raises(UnicodeEncodeError):
        BEYOND_GBK.encode("gbk")


def test_a_short_gbk_text_is_read_as_gbk_not_big5():
    assert decode("政策".encode("gbk")) == "政策"
    assert decode("（二）卫生事业，如民办门诊部（所）、医院，疗养院（所）等；".encode("gbk")).startswith("（二）卫生")


@pytest.mark.parametrize(
    "data",
    [b"\x00\x01\x02", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)), codecs.BOM_UTF8 + b"\xff\xfe\xfd"],
    ids=["nul-bytes", "png", "bad-utf-8-after-bom"],
)
def test_bytes_that_are_not_text_are_a_clear_error(tmp_path, data):
    path = tmp_path / "policy.txt"
    path.write_bytes(data)
    with pytest.raises(DocumentError, match="UTF-8"):
        load_text(path)


def test_markdown_markers_are_dropped(tmp_path):
    path = tmp_path / "policy.md"
    path.write_text("# " + LINES[0] + "\n\n**" + LINES[2] + "**\n", encoding="utf-8")
    assert load_text(path) == LINES[0] + "\n\n" + LINES[2] + "\n"


def _lines(text: str) -> list[str]:
    return [line.strip() for line in text.splitlines() if line.strip()]


def test_docx_paragraphs_in_order(tmp_path):
    document = docx.Document()
    for line in LINES:
        document.add_paragraph(line)
    document.save(tmp_path / "policy.docx")
    (tmp_path / "policy.txt").write_text(SIMPLIFIED, encoding="utf-8")
    assert _lines(load_text(tmp_path / "policy.docx")) == _lines(load_text(tmp_path / "policy.txt")) == LINES


def test_docx_table_cells_in_place_and_a_merged_cell_once(tmp_path):
    document = docx.Document()
    document.add_paragraph("第十条 成立社会团体，应当具备下列条件：")
    table = document.add_table(rows=3, cols=2)
    for row, (kind, amount) in zip(table.rows, [("类别", "活动资金"), ("全国性的社会团体", "10万元以上")]):
        row.cells[0].text, row.cells[1].text = kind, amount
    merged = table.cell(2, 0).merge(table.cell(2, 1))
    merged.text = "地方性的社会团体和跨行政区域的社会团体：3万元以上"
    document.add_paragraph("（六）有独立承担民事责任的能力。")
    document.save(tmp_path / "policy.docx")
    assert _lines(load_text(tmp_path / "policy.docx")) == [
        "第十条 成立社会团体，应当具备下列条件：",
        "类别",
        "活动资金",
        "全国性的社会团体",
        "10万元以上",
        "地方性的社会团体和跨行政区域的社会团体：3万元以上",
        "（六）有独立承担民事责任的能力。",
    ]


def _text_pdf(pages: list[list[str]]) -> bytes:
    """A PDF whose text layer holds the lines given, without a font file.

    The Type0 font's character codes are the characters' UTF-16 code units and its ToUnicode map says so: nothing is
    drawn legibly, but the text layer is exactly what a PDF exported from Word carries.
    """
    chars = sorted({char for page in pages for line in page for char in line})
    to_unicode = (
        "/CIDInit /ProcSet findresource begin 12 dict begin begincmap /CMapName /Adobe-Identity-UCS def "
        "/CMapType 2 def\n1 begincodespacerange <0000> <FFFF> endcodespacerange\n"
        f"{len(chars)} beginbfchar\n"
        + "\n".join(f"<{char.encode('utf-16-be').hex()}> <{char.encode('utf-16-be').hex()}>" for char in chars)
        + "\nendbfchar\nendcmap CMapName currentdict /CMap defineresource pop end end"
    )

    def stream(body: str) -> bytes:
        return b"<< /Length %d >>\nstream\n%s\nendstream" % (len(body), body.encode("ascii"))

    first_page = 5
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [%s] /Count %d >>"
        % (b" ".join(b"%d 0 R" % (first_page + 2 * n) for n in range(len(pages))), len(pages)),
        b"<< /Type /Font /Subtype /Type0 /BaseFont /Song /Encoding /Identity-H /DescendantFonts [4 0 R] "
        b"/ToUnicode %d 0 R >>" % (first_page + 2 * len(pages)),
        b"<< /Type /Font /Subtype /CIDFontType2 /BaseFont /Song "
        b"/CIDSystemInfo << /Registry (Adobe) /Ordering (Identity) /Supplement 0 >> /DW 1000 >>",
    ]
    for n, lines in enumerate(pages):
        objects.append(
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /Font << /F1 3 0 R >> >> "
            b"/Contents %d 0 R >>" % (first_page + 2 * n + 1)
        )
        shown = " ".join(f"<{line.encode('utf-16-be').hex()}> Tj T*" for line in lines)
        objects.append(stream(f"BT /F1 12 Tf 16 TL 72 760 Td {shown} ET"))
    objects.append(stream(to_unicode))
    pdf = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, 1):
        offsets.append(len(pdf))
        pdf += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    xref = len(pdf)
    pdf += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    pdf += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    pdf += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(pdf)


def test_pdf_text_layer_page_after_page(tmp_path):
    path = tmp_path / "policy.pdf"
    path.write_bytes(_text_pdf([LINES[:6], LINES[6:]]))
    assert len(pypdf.PdfReader(path).pages) == 2
    assert _lines(load_text(path)) == LINES


def test_a_scanned_pdf_is_a_clear_error(tmp_path):
    writer = pypdf.PdfWriter()
    writer.add_blank_page(width=595, height=842)
    path = tmp_path / "scan.pdf"
    with path.open("wb") as file:
        writer.write(file)
    with pytest.raises(
        DocumentError, match=r"scan\.pdf 是扫描件（没有文字层），无法读取：请提供文字版 PDF 或 \.docx/\.txt"
    ):
        load_text(path)


@pytest.mark.parametrize(("suffix", "data"), [(".pdf", b"%PDF"), (".docx", b"PK\x03\x04 not a zip")])
def test_damaged_pdf_and_docx_are_clear_errors(tmp_path, suffix, data):
    path = tmp_path / f"policy{suffix}"
    path.write_bytes(data)
    with pytest.raises(DocumentError, match="损坏"):
        load_text(path)


PAGE = """<!DOCTYPE html>
<html><head><meta charset="{charset}"><title>{title}_民政部门户网站</title>
<style>p {{ text-indent: 2em; }}</style><script>var menu = "首页";</script></head>
<body class="has-navbar">
<header><a href="/">民政部门户网站</a></header>
<nav><ul><li>首页</li><li>政务公开</li></ul></nav>
<div class="breadcrumb">当前位置：首页 &gt; 政策文件</div>
<ul id="topMenu"><li>互动交流</li></ul>
<div class="article">
  <h1>{title}</h1>
  {body}
</div>
<aside>相关文件：志愿服务条例</aside>
<div id="footer-links">网站地图 | 联系我们</div>
<footer>主办单位：民政部</footer>
<!-- 统计代码 -->
</body></html>
"""


def _page(lines: list[str], charset: str = "utf-8") -> str:
    # The first paragraph is wrapped across source lines and split into inline spans; two items share a <p> split
    # by <br>: the page renders one line per block all the same.
    first, second, *rest = lines[1:]
    half = len(first) // 2
    body = [f"<p>&nbsp;{first[:half]}\n    <span>{first[half:]}</span></p>", f"<p>{second}<br>{rest[0]}</p>"]
    body += [f"<div><p>{line}</p></div>" for line in rest[1:]]
    return PAGE.format(charset=charset, title=lines[0], body="\n  ".join(body))


def test_html_keeps_the_document_and_drops_the_site(tmp_path):
    path = tmp_path / "policy.html"
    path.write_text(_page(LINES), encoding="utf-8")
    (tmp_path / "policy.txt").write_text(SIMPLIFIED, encoding="utf-8")
    assert _lines(load_text(path)) == _lines(load_text(tmp_path / "policy.txt")) == LINES


def test_htm_in_a_declared_gb2312_with_characters_beyond_it(tmp_path):
    lines = [*LINES, "附：联系人朱镕基同志办公室。"]
    with pytest.raises(UnicodeEncodeError):
        lines[-1].encode("gb2312")
    path = tmp_path / "policy.htm"
    path.write_bytes(_page(lines, charset="gb2312").encode("gbk"))
    assert _lines(load_text(path)) == lines


def test_supported_suffixes_and_an_old_doc_file(tmp_path):
    assert set(SUPPORTED_SUFFIXES) == {".txt", ".md", ".docx", ".pdf", ".html", ".htm"}
    path = tmp_path / "policy.doc"
    path.write_bytes(b"\xd0\xcf\x11\xe0")
    with pytest.raises(DocumentError, match=r"另存为 \.docx"):
        load_text(path)


def test_a_file_over_the_limit_is_refused_before_it_is_read(tmp_path, monkeypatch):
    path = tmp_path / "big.txt"
    path.write_bytes(SIMPLIFIED.encode("utf-8") * (3 * 1024 * 1024 // len(SIMPLIFIED.encode("utf-8")) + 1))
    limit = Settings.from_env({"ASSISTANT_MAX_FILE_MB": "2"}).max_file_bytes
    monkeypatch.setattr(Path, "read_bytes", lambda self: pytest.fail("read a file over the limit"))
    with pytest.raises(
        DocumentError, match=r"文件 big\.txt 有 3\.0 MB，超过单个文件上限 2 MB（ASSISTANT_MAX_FILE_MB）"
    ):
        load_text(path, max_bytes=limit)


def test_a_file_within_the_limit_is_read(tmp_path):
    path = tmp_path / "policy.txt"
    path.write_text(SIMPLIFIED, encoding="utf-8")
    assert load_text(path, max_bytes=len(SIMPLIFIED.encode("utf-8"))) == SIMPLIFIED


@pytest.fixture
def corpus(tmp_path) -> Path:
    """A corpus folder with documents, files to skip, and links to places outside it."""
    folder = tmp_path / "corpus"
    (folder / "2016").mkdir(parents=True)
    (folder / ".git").mkdir()
    (folder / "a.txt").write_text(SIMPLIFIED, encoding="utf-8")
    (folder / "b.md").write_text(SIMPLIFIED, encoding="utf-8")
    (folder / "2016" / "c.html").write_text(_page(LINES), encoding="utf-8")
    (folder / ".draft.txt").write_text(SIMPLIFIED, encoding="utf-8")
    (folder / ".git" / "notes.txt").write_text(SIMPLIFIED, encoding="utf-8")
    (folder / "scan.jpg").write_bytes(b"\xff\xd8")
    outside = tmp_path / "private"
    outside.mkdir()
    (outside / "salaries.txt").write_text("工资表", encoding="utf-8")
    (folder / "passwd.txt").symlink_to("/etc/passwd")
    (folder / "salaries.txt").symlink_to(outside / "salaries.txt")
    (folder / "private").symlink_to(outside, target_is_directory=True)
    (folder / "same-as-a.txt").symlink_to(folder / "a.txt")
    return folder


def test_a_corpus_folder_gives_its_documents_only(corpus, caplog):
    with caplog.at_level(logging.WARNING, logger="assistant.loaders"):
        found = find_documents([corpus])
    assert found == [corpus / "2016" / "c.html", corpus / "a.txt", corpus / "b.md"]
    assert all(isinstance(path, Path) for path in found)
    warned = " ".join(record.getMessage() for record in caplog.records)
    for link in ("passwd.txt", "salaries.txt", "private"):
        assert str(corpus / link) in warned


def test_a_named_file_is_listed_once_whatever_else_is_named(corpus):
    assert find_documents([corpus / "a.txt", corpus, corpus / "a.txt"]) == find_documents([corpus])


def test_a_named_link_to_outside_its_folder_is_refused(corpus):
    with pytest.raises(DocumentError, match="链接"):
        find_documents([corpus / "passwd.txt"])
    assert find_documents([corpus / "same-as-a.txt"]) == [corpus / "same-as-a.txt"]


def test_a_missing_path_is_a_clear_error(tmp_path):
    with pytest.raises(DocumentError, match="找不到"):
        find_documents([tmp_path / "nowhere"])


def test_docx_pdf_and_html_parse_to_the_same_clauses_as_the_txt(tmp_path):
    from assistant.parsing import parse_document

    document = docx.Document()
    for line in LINES:
        document.add_paragraph(line)
    document.save(tmp_path / "policy.docx")
    (tmp_path / "policy.pdf").write_bytes(_text_pdf([LINES[:6], LINES[6:]]))
    (tmp_path / "policy.html").write_text(_page(LINES), encoding="utf-8")
    (tmp_path / "policy.txt").write_text(SIMPLIFIED, encoding="utf-8")

    def clauses(name: str) -> list[tuple[str, str]]:
        parsed = parse_document(load_text(tmp_path / name), doc_id="policy")
        return [(clause.id, clause.text) for _, clause in parsed.iter_clauses()]

    expected = clauses("policy.txt")
    assert len(expected) >= 5 and [i for i, _ in expected[:2]] == ["第一章", "第一条"]
    for name in ("policy.docx", "policy.pdf", "policy.html"):
        assert clauses(name) == expected, name
