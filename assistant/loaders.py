"""Files → plain text. Encoding is detected from the bytes, not guessed from the extension.

Formats: .txt and .md (any common Chinese encoding), .docx, .pdf with a text layer, and saved web pages
(.html, .htm) with the site's navigation, menus and footers left out.
"""

from __future__ import annotations

import codecs
import io
import logging
import os
import re
import zipfile
from pathlib import Path

import docx
import pypdf
from bs4 import BeautifulSoup, Tag
from bs4.dammit import EncodingDetector
from charset_normalizer import from_bytes
from docx.opc.exceptions import PackageNotFoundError
from docx.table import Table
from pypdf.errors import PyPdfError

from assistant.errors import DocumentError
from assistant.settings import MEGABYTE

logger = logging.getLogger(__name__)

SUPPORTED_SUFFIXES = (".txt", ".md", ".docx", ".pdf", ".html", ".htm")

# Longest first: a UTF-32 LE BOM begins with the UTF-16 LE one.
_BOMS = (
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)
# What charset-normalizer may choose from. GB18030 is a superset of GBK and GB2312; cp950 and Big5-HKSCS extend Big5.
_CHINESE_ENCODINGS = ["gb18030", "big5", "cp950", "big5hkscs", "utf_16_le", "utf_16_be"]
# Mainland documents are the common case, and a short GBK text often decodes as Big5 too: GB18030 wins whenever the
# detector finds it plausible at all, and is the last resort when the detector gives up on a short, punctuation-heavy
# text.
_PREFERRED_ENCODING = "gb18030"
# Control characters that plain text never holds: their presence means a wrong guess or a binary file.
_NOT_TEXT = re.compile(r"[\x00-\x08\x0e-\x1f\x7f]")

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
# A page that declares a GB or Big5 charset often holds characters beyond it.
_WIDER_ENCODING = {"gb2312": "gb18030", "gbk": "gb18030", "big5": "cp950"}
_TRUSTED_DECLARATIONS = {"utf-8", "utf-16", "utf-16-le", "utf-16-be", "gb18030", "cp950", "big5hkscs"}


def decode(data: bytes, name: str = "文件", declared: str | None = None) -> str:
    """Text from bytes: a BOM, then an encoding the file declares, then strict UTF-8, then the Chinese encoding
    charset-normalizer finds (GB18030/GBK, Big5, UTF-16 without BOM).

    Raises:
        DocumentError: the bytes are not text in any of these encodings.
    """
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            try:
                return data[len(bom) :].decode(encoding)
            except UnicodeDecodeError as error:
                raise DocumentError(
                    f"{name} 以 {encoding} 标记开头，但内容不是 {encoding}：请另存为 UTF-8 后重试。"
                ) from error
    for encoding in (*_trusted(declared), "utf-8"):
        text = _decode_strictly(data, encoding)
        if text is not None:
            return text
    for encoding in _detected_encodings(data):
        text = _decode_strictly(data, encoding)
        if text is not None:
            return text
    raise DocumentError(
        f"{name} 的编码无法识别，或不是文本文件（支持 UTF-8、GBK/GB18030、Big5、UTF-16）：请另存为 UTF-8 后重试。"
    )


def _trusted(declared: str | None) -> tuple[str, ...]:
    """A declared encoding worth trying first: UTF-8/16 or a Chinese one, widened to its superset.

    Pages often declare a Western default (ISO-8859-1 decodes any bytes, wrongly); those are left to detection.
    """
    try:
        name = codecs.lookup(declared).name if declared else ""
    except LookupError:
        return ()
    name = _WIDER_ENCODING.get(name, name)
    return (name,) if name in _TRUSTED_DECLARATIONS else ()


def _decode_strictly(data: bytes, encoding: str) -> str | None:
    try:
        text = data.decode(encoding)
    except (UnicodeDecodeError, LookupError):
        return None
    return None if _NOT_TEXT.search(text) else text


def _detected_encodings(data: bytes) -> list[str]:
    """The detector's guesses, best first, with GB18030 moved ahead of the rest and kept as the last resort."""
    guesses = [match.encoding for match in from_bytes(data, cp_isolation=_CHINESE_ENCODINGS)]
    if _PREFERRED_ENCODING in guesses:
        return [_PREFERRED_ENCODING, *(guess for guess in guesses if guess != _PREFERRED_ENCODING)]
    return [*guesses, _PREFERRED_ENCODING]


def _strip_markdown(text: str) -> str:
    """Markdown markers around policy text: headings, emphasis, list bullets, block quotes."""
    text = re.sub(r"(?m)^\s{0,3}#{1,6}\s*", "", text)
    text = re.sub(r"(?m)^\s{0,3}>\s?", "", text)
    text = re.sub(r"(?m)^\s{0,3}[-*+]\s+", "", text)
    return re.sub(r"(\*\*|__)(.+?)\1", r"\2", text)


def _docx_text(data: bytes, name: str) -> str:
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


def _pdf_text(data: bytes, name: str) -> str:
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


def _html_text(data: bytes, name: str) -> str:
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


def load_text(path: Path, *, max_bytes: int | None = None) -> str:
    """A document file as text with Unix line ends.

    Args:
        path: a file with one of ``SUPPORTED_SUFFIXES``.
        max_bytes: refuse a larger file before reading it (``Settings.max_file_bytes``); None for no limit.

    Raises:
        DocumentError: the file is missing, too large, of an unsupported type, not decodable, a scanned PDF or empty.
    """
    suffix = path.suffix.lower()
    if suffix not in SUPPORTED_SUFFIXES:
        hint = "：请另存为 .docx 后重试" if suffix == ".doc" else ""
        raise DocumentError(f"不支持的文件类型：{path.name}（仅支持 {'、'.join(SUPPORTED_SUFFIXES)}）{hint}。")
    try:
        size = path.stat().st_size
        if max_bytes is not None and size > max_bytes:
            raise DocumentError(
                f"文件 {path.name} 有 {size / MEGABYTE:.1f} MB，超过单个文件上限 {max_bytes / MEGABYTE:g} MB"
                "（ASSISTANT_MAX_FILE_MB）：请拆分文件，或调高上限后重试。"
            )
        data = path.read_bytes()
    except OSError as error:
        raise DocumentError(f"无法读取 {path}：{error.strerror}。") from error
    if suffix == ".docx":
        text = _docx_text(data, path.name)
    elif suffix == ".pdf":
        text = _pdf_text(data, path.name)
    elif suffix in (".html", ".htm"):
        text = _html_text(data, path.name)
    else:
        text = decode(data, path.name)
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    if suffix == ".md":
        text = _strip_markdown(text)
    if not text.strip():
        raise DocumentError(f"{path.name} 是空文件。")
    return text


def _inside(path: Path, folder: Path) -> bool:
    """Whether a path, links followed, lies inside ``folder`` (already resolved)."""
    return path.resolve().is_relative_to(folder)


# A corpus folder's own notes (where the documents come from), not policy documents.
FOLDER_NOTES = frozenset({"SOURCES.md", "README.md", "README.txt", "LICENSE.md", "CHANGELOG.md"})


def _walk(folder: Path) -> list[Path]:
    """Supported, non-hidden files under ``folder``; links whose target lies outside it are skipped with a warning.

    Linked folders are not descended into: one inside the folder is walked through its real path anyway.
    """
    root = folder.resolve()
    found: list[Path] = []
    for current, folders, files in os.walk(folder):
        here = Path(current)
        folders[:] = [name for name in folders if not name.startswith(".")]
        for name in folders:
            if (here / name).is_symlink() and not _inside(here / name, root):
                logger.warning("skipped %s: a link to a folder outside %s", here / name, folder)
        for name in files:
            path = here / name
            if name.startswith(".") or path.suffix.lower() not in SUPPORTED_SUFFIXES or name in FOLDER_NOTES:
                continue
            if path.is_symlink() and not _inside(path, root):
                logger.warning("skipped %s: a link to a file outside %s", path, folder)
            elif not path.is_file():
                logger.warning("skipped %s: not a regular file (a broken link?)", path)
            else:
                found.append(path)
    return found


def find_documents(paths: list[Path]) -> list[Path]:
    """The document files named, or found inside the folders named, in a stable order, each file once.

    Raises:
        DocumentError: a path does not exist, or a named file is a link to outside its own folder.
    """
    found: list[Path] = []
    for path in paths:
        if path.is_dir():
            found.extend(_walk(path))
        elif path.is_file():
            if path.is_symlink() and not _inside(path, path.absolute().parent.resolve()):
                raise DocumentError(
                    f"{path} 是指向所在文件夹之外的链接（{path.resolve()}），为安全起见不予读取：请直接指定或复制原文件。"
                )
            found.append(path)
        else:
            raise DocumentError(f"找不到文件或文件夹：{path}")
    by_target: dict[Path, Path] = {}
    for path in sorted(found, key=str):
        by_target.setdefault(path.resolve(), path)
    return sorted(by_target.values(), key=str)
