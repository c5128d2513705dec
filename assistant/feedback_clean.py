"""Visitor text made safe to store and to print on a terminal: terminal escapes and control characters
removed, phone and ID-card numbers masked, length capped; and rows stored before cleaning existed shown
with every control character escaped.
"""

from __future__ import annotations

import re

MAX_TEXT_CHARS = 2000
"""Longest question or answer text kept per row; longer text is cut and marked with …."""

# Terminal escapes first (they contain printable characters), then every remaining control character:
# C0 except newline, DEL, C1, and the bidirectional overrides that reorder what a terminal shows.
_ESCAPES = re.compile(
    r"\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)?"  # OSC: ESC ] … BEL or ST (window title, hyperlinks)
    r"|\x1b[P^_X][^\x1b]*(?:\x1b\\)?"  # DCS / PM / APC / SOS … ST
    r"|\x1b\[[0-?]*[ -/]*[@-~]?"  # CSI: ESC [ params final (colours, clear screen, cursor moves)
    r"|\x9b[0-?]*[ -/]*[@-~]?"  # 8-bit CSI
    r"|\x1b[ -/]*[0-~]?"  # other ESC sequences
)
_CONTROL = re.compile(r"[\x00-\x09\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")
_ID_CARD = re.compile(r"(?<![0-9A-Za-z])\d{17}[\dXx](?![0-9A-Za-z])")
_MOBILE = re.compile(r"(?<!\d)(?:\+?86[- ]?)?1[3-9]\d(?:[- ]?\d{4}){2}(?!\d)")
_LANDLINE = re.compile(r"(?<![\d-])(?:\(0\d{2,3}\)|（0\d{2,3}）|0\d{2,3}[- ]?)\d{7,8}(?:-\d{1,5})?(?!\d)")
MASKS = ((_ID_CARD, "[身份证号]"), (_MOBILE, "[手机号]"), (_LANDLINE, "[电话]"))


def clean(text: str, *, limit: int = MAX_TEXT_CHARS) -> str:
    """Text safe to store and to print on a terminal: escapes and control characters removed
    (tabs become spaces, newlines stay), phone and ID-card numbers masked, at most ``limit`` characters."""
    text = _ESCAPES.sub("", str(text).replace("\r\n", "\n").replace("\t", " "))
    text = _CONTROL.sub("", text)
    for pattern, mask in MASKS:
        text = pattern.sub(mask, text)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def printable(text: str) -> str:
    """For a terminal: every control character (newline included) shown as an escape such as ``\\x1b``,
    so a row stored before cleaning existed still cannot move the cursor or retitle the window."""
    return _CONTROL.sub(lambda m: m.group(0).encode("unicode_escape").decode("ascii"), str(text).replace("\n", "\\n"))
