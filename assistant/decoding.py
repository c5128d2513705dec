"""Bytes → text. The encoding is detected from the bytes: a BOM, a trusted declaration, strict UTF-8, then
the Chinese encoding charset-normalizer finds (GB18030/GBK, Big5, UTF-16 without BOM).

A wrong guess is refused rather than returned: text that decodes to control characters is not text.
"""

from __future__ import annotations

import codecs
import re

from charset_normalizer import from_bytes

from assistant.errors import DocumentError

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
