"""Files → plain text: which files under the paths given are documents (folders walked without leaving
them), and each file read by its format (``assistant.formats``) and encoding (``assistant.decoding``).

Formats: .txt and .md (any common Chinese encoding), .docx, .pdf with a text layer, and saved web pages
(.html, .htm).
"""

from __future__ import annotations

import logging
import os
from pathlib import Path

from assistant.decoding import decode
from assistant.errors import DocumentError
from assistant.formats import docx_text, html_text, pdf_text, strip_markdown
from assistant.settings import MEGABYTE

logger = logging.getLogger(__name__)

SUPPORTED_SUFFIXES = (".txt", ".md", ".docx", ".pdf", ".html", ".htm")


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
        text = docx_text(data, path.name)
    elif suffix == ".pdf":
        text = pdf_text(data, path.name)
    elif suffix in (".html", ".htm"):
        text = html_text(data, path.name)
    else:
        text = decode(data, path.name)
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    if suffix == ".md":
        text = strip_markdown(text)
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
