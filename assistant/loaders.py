"""Files → plain text. Encoding is detected from the bytes, not guessed from the extension."""

from __future__ import annotations

import codecs
import re
from pathlib import Path

from assistant.errors import DocumentError

SUPPORTED_SUFFIXES = (".txt", ".md")
# Tried in this order; GB18030 is a superset of GBK and GB2312.
_ENCODINGS = ("utf-8", "gb18030")


def decode(data: bytes, name: str = "文件") -> str:
    """UTF-8 (with or without BOM), UTF-16 with BOM, or GB18030/GBK."""
    if data.startswith(codecs.BOM_UTF8):
        return data[len(codecs.BOM_UTF8) :].decode("utf-8")
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return data.decode("utf-16")
    if b"\x00" in data:
        raise DocumentError(f"{name} 看起来是二进制文件，不是文本：请提供 .txt 或 .md 格式的政策文件。")
    for encoding in _ENCODINGS:
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise DocumentError(f"{name} 的编码无法识别（支持 UTF-8、GBK/GB18030）：请另存为 UTF-8 后重试。")


def _strip_markdown(text: str) -> str:
    """Markdown markers around policy text: headings, emphasis, list bullets, block quotes."""
    text = re.sub(r"(?m)^\s{0,3}#{1,6}\s*", "", text)
    text = re.sub(r"(?m)^\s{0,3}>\s?", "", text)
    text = re.sub(r"(?m)^\s{0,3}[-*+]\s+", "", text)
    return re.sub(r"(\*\*|__)(.+?)\1", r"\2", text)


def load_text(path: Path) -> str:
    """A document file as text with Unix line ends."""
    if path.suffix.lower() not in SUPPORTED_SUFFIXES:
        raise DocumentError(f"不支持的文件类型：{path.name}（仅支持 {'、'.join(SUPPORTED_SUFFIXES)}）。")
    try:
        data = path.read_bytes()
    except OSError as error:
        raise DocumentError(f"无法读取 {path}：{error.strerror}。") from error
    text = decode(data, path.name).replace("\r\n", "\n").replace("\r", "\n")
    if path.suffix.lower() == ".md":
        text = _strip_markdown(text)
    if not text.strip():
        raise DocumentError(f"{path.name} 是空文件。")
    return text


def find_documents(paths: list[Path]) -> list[Path]:
    """The document files named, or found inside the folders named, in a stable order."""
    found: list[Path] = []
    for path in paths:
        if path.is_dir():
            found.extend(p for p in sorted(path.rglob("*")) if p.is_file() and p.suffix.lower() in SUPPORTED_SUFFIXES)
        elif path.is_file():
            found.append(path)
        else:
            raise DocumentError(f"找不到文件或文件夹：{path}")
    return sorted(set(found), key=lambda p: str(p))
