"""One file format's bytes → text: Markdown markers, .docx paragraphs and tables, a .pdf's text layer, and
saved web pages (.html, .htm) with the site's navigation, menus and footers left out.

Each reader raises ``DocumentError`` with what to do when the file is damaged, encrypted or scanned.
"""

from __future__ import annotations

import io
import re
import zipfile

import docx
import pypdf
from bs4 import BeautifulSoup, Tag
from bs4.dammit import EncodingDetector
from docx.opc.exceptions import PackageNotFoundError
from docx.table import Table
from pypdf.errors import PyPdfError

from assistant.decoding import decode
from assistant.errors import DocumentError

_HTML_CHROME_TAGS = ["head", "script", "style", "noscript", "template", "nav", "header", "footer", "aside"]
_HTML_CHROME_NAMES = re.compile(r"nav|menu|breadcrumb|footer", re.IGNORECASE)
_HTML_BLOCK_TAGS = [
    "address", "article", "blockquote", "body", "caption", "center", "dd", "details", "div", "dl", "dt",
    "figcaption", "figure", "form", "h1", "h2", "h3", "h4", "h5", "h6", "hr", "li", "main", "ol", "p", "pre",
    "section", "summary", "table", "td", "th", "tr", "ul",
]  # fmt: skip
# Never chrome, whatever their class says (<body class="has-navbar">).
_HTML_CONTAINERS = {"html", "body", "main"}
_LINE_BREAK = "\u2029"  # marks block boundaries while the page's own whitespace is collapsed
_HTML_WHITESPACE = re.compile(r"[ \t\n\r\f]+")


def strip_markdown(text: str) -> str:
    """Markdown markers around policy text: headings, emphasis, list bullets, block quotes."""
    text = re.sub(r"(?m)^\s{0,3}#{1,6}\s*", "", text)
    text = re.sub(r"(?m)^\s{0,3}>\s?", "", text)
    text = re.sub(r"(?m)^\s{0,3}[-*+]\s+", "", text)
    return re.sub(r"(\*\*|__)(.+?)\1", r"\2", text)


def docx_text(data: bytes, name: str) -> str:
    """Paragraphs and table cells in document order, one per line; a merged cell once."""
    try:
        document = docx.Document(io.BytesIO(data))
    except (PackageNotFoundError, zipfile.BadZipFile, KeyError) as error:
        raise DocumentError(
            f"{name} 不是有效的 .docx 文件（可能已损坏）：请用 Word 或 WPS 重新另存为 .docx。"
        ) from error
    lines: list[str] = []
    for block in document.iter_inner_content():
        if isinstance(block, Table):
            for row in block.rows:
                seen: set[int] = set()
                for cell in row.cells:
                    if id(cell._tc) not in seen:
                        seen.add(id(cell._tc))
                        lines.append(cell.text)
        else:
            lines.append(block.text)
    return "\n".join(lines)


def pdf_text(data: bytes, name: str) -> str:
    """The text layer, page after page."""
    try:
        reader = pypdf.PdfReader(io.BytesIO(data))
        if reader.is_encrypted and not reader.decrypt(""):
            raise DocumentError(f"{name} 是加密的 PDF，无法读取：请提供未加密的版本。")
        pages = [page.extract_text() or "" for page in reader.pages]
    except PyPdfError as error:
        raise DocumentError(f"{name} 不是有效的 PDF 文件（可能已损坏）：请重新导出 PDF，或提供 .docx/.txt。") from error
    if not any(page.strip() for page in pages):
        raise DocumentError(f"{name} 是扫描件（没有文字层），无法读取：请提供文字版 PDF 或 .docx/.txt。")
    return "\n".join(pages)


def _is_page_chrome(tag: Tag) -> bool:
    """Navigation, menus, breadcrumbs and footers that sites mark by class or id rather than by tag."""
    if tag.name in _HTML_CONTAINERS:
        return False
    names = " ".join([*tag.get_attribute_list("class"), tag.get("id") or ""])
    return bool(_HTML_CHROME_NAMES.search(names))


def html_text(data: bytes, name: str) -> str:
    """The text of a saved web page, one block element per line, without the site's chrome."""
    declared = EncodingDetector.find_declared_encoding(data, is_html=True)
    soup = BeautifulSoup(decode(data, name, declared=declared), "html.parser")
    chrome = soup.find_all(_HTML_CHROME_TAGS) + [tag for tag in soup.find_all(True) if _is_page_chrome(tag)]
    for tag in chrome:
        if not tag.decomposed:
            tag.decompose()
    for tag in soup.find_all("br"):
        tag.replace_with(_LINE_BREAK)
    for tag in soup.find_all(_HTML_BLOCK_TAGS):
        tag.insert_before(_LINE_BREAK)
        tag.append(_LINE_BREAK)
    text = _HTML_WHITESPACE.sub(" ", soup.get_text())
    return "\n".join(line.strip() for line in text.split(_LINE_BREAK) if line.strip())
