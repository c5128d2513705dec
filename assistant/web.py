"""The page's HTML pieces that every view shares: text as escaped lines, search terms marked, and links
into the library view. The views are ``web_chat`` (chat messages and the conversation kept in the
browser), ``web_library`` (documents, outline, search) and ``web_staff`` (adding and removing documents);
``ui.py`` wires them into a Gradio app. None of them imports Gradio.

Every piece of document text and user input passes through ``html.escape`` before it is shown:
a ``<script>`` in a question, a clause or a restored conversation is displayed, never run.
Links carry no script: a citation is ``?doc=…&clause=…`` (the page's own script opens it in the
library view; opened in a new tab, the page reads it from the address).
"""

from __future__ import annotations

import html
import re
from urllib.parse import urlencode


def lines_html(text: str) -> str:
    """Escaped text, its line breaks kept as <br>."""
    return "<br>".join(html.escape(line) for line in text.split("\n"))


def highlight_html(text: str, terms: list[str]) -> str:
    """Escaped text with each occurrence of the terms wrapped in <mark>."""
    marks = [False] * len(text)
    folded = text.lower()
    for term in sorted({t.lower() for t in terms if t}, key=len, reverse=True):
        for match in re.finditer(re.escape(term), folded):
            marks[match.start() : match.end()] = [True] * (match.end() - match.start())
    pieces, i = [], 0
    while i < len(text):
        j = i
        while j < len(text) and marks[j] == marks[i]:
            j += 1
        chunk = lines_html(text[i:j])
        pieces.append(f"<mark>{chunk}</mark>" if marks[i] else chunk)
        i = j
    return "".join(pieces)


def clause_link(doc_id: str, clause_id: str = "") -> str:
    """The page address that opens a clause (or a document) in the library view."""
    query = {"doc": doc_id, **({"clause": clause_id} if clause_id else {})}
    return "?" + urlencode(query)
