"""Header lines → document metadata: title, 文号/令号, issuer, dates, kind (法律…规范性文件) and status."""

from __future__ import annotations

import re
from pathlib import PurePath

from assistant.types import IN_FORCE, SUPERSEDED, PolicyDocument

# 文号 (台政办发〔2016〕123号), 令号 (国务院令第250号, 主席令第四十三号) and 公告号 (…公告2020年第27号).
DOC_NUMBER = re.compile(r"[\u4e00-\u9fff]{1,15}[〔［\[【（(]\s*\d{4}\s*[〕］\]】）)]\s*\d+\s*号")
ORDER_NUMBER = re.compile(r"(?:中华人民共和国)?[\u4e00-\u9fff]{1,12}?令第[0-9一二三四五六七八九十百千零〇]+号")
NOTICE_NUMBER = re.compile(r"[\u4e00-\u9fff][\u4e00-\u9fff ]{0,30}?公告\s*\d{4}\s*年第\s*\d+\s*号")
NUMBER_PATTERNS = (ORDER_NUMBER, NOTICE_NUMBER, DOC_NUMBER)
# A ministry's own 令 (部门规章), as opposed to 国务院令 (行政法规) and 主席令 (法律).
MINISTRY_ORDER = re.compile(r"[\u4e00-\u9fff]{1,12}(?:部|局|委员会|署|总局|银行)令")
DATE = re.compile(r"\d{4}年(?:\d{1,2}月(?:\d{1,2}日)?)?")
LABEL = re.compile(r"^(?:发布机关|发文机关|发文字号|文号|(?:成文|发布|公布|施行|实施|成文/发布)?日期)[:：]\s*")
VALIDITY = re.compile(r"(继续有效|部分有效|有效期至[^,，。]*|已废止|已失效|已修订|废止|失效|有效)")
VALIDITY_SOURCE = re.compile(r"《\s*([^》]+?)\s*》\s*[（(]?\s*(\d{4}年\d{1,2}月\d{1,2}日)?")
TITLE_END = re.compile(r"(意见|通知|办法|规定|决定|方案|细则|条例|规划|公告|通报|批复|函|法)$")
PAREN = re.compile(r"[（(]([^（）()]*)[)）]")
REPEALED = ("已废止", "废止", "已失效", "失效")  # a validity note that takes the document out of force
STATUS_NOTE = re.compile(r"已被(.+?)(?:所)?取代|已废止|已失效")


def _without_notes(line: str) -> str:
    return PAREN.sub("", line).strip()


def _bare_title(title: str) -> str:
    """The title without trailing parenthesised notes: 慈善法（2016年原文本） → 慈善法."""
    while (stripped := re.sub(r"[（(][^（）()]*[)）]$", "", title).strip()) != title:
        title = stripped
    return title


def looks_like_title(line: str) -> bool:
    return 0 < len(line) <= 80 and not re.search(r"[。：:；;]", line) and not (LABEL.match(line) or doc_number(line))


def find_title(lines: list[str]) -> str:
    """The first title-like line near the top (one naming a document type or 关于 first), or the first line."""
    candidates = [line for line in lines[:8] if looks_like_title(line)]
    named = (line for line in candidates if TITLE_END.search(_bare_title(line)) or "关于" in line)
    return next(named, candidates[0] if candidates else (lines[0] if lines else ""))


def doc_number(line: str) -> str:
    """The 文号/令号 a line carries, without editorial notes; "" when it has none."""
    if re.match(r"^(\d|根据)", line):
        return ""  # a date or amendment line cites numbers of other acts
    value = re.sub(r"^(?:发文字号|文号)[:：]\s*", "", line)
    for pattern in NUMBER_PATTERNS:
        if match := pattern.search(value):
            # spaces go, except between the names of joint issuers (财政部 税务总局 民政部公告…)
            value = re.sub(r"(?<![\u4e00-\u9fff])\s+|\s+(?![\u4e00-\u9fff])", "", match.group(0))
            return value.removeprefix("中华人民共和国")
    return ""


def _is_validity_note(line: str) -> bool:
    return bool(VALIDITY.search(line)) and any(word in line for word in ("提示", "有效性", "规定"))


def _is_date_line(line: str) -> bool:
    line = _without_notes(line)
    return bool(
        (re.match(r"^\d{4}年", line) and re.search(r"通过|公布|发布|施行|执行|修订|修正|批准", line))
        or re.match(r"^根据.*(修订|修正)$", line)
        or re.match(r"^(本法|本条例|本办法|本规定|本细则)?自\d{4}年.*(施行|执行)$", line)
    )


def is_header_line(i: int, line: str, title: str) -> bool:
    """Whether line i belongs to the header: the title, its number, issuer, dates, validity, addressees."""
    return bool(
        line == title
        or LABEL.match(line)
        or doc_number(line)
        or re.match(r"^[（(][^（）()]{1,30}[)）]$", line)  # （无公开文号）
        or re.match(r"^[\u4e00-\u9fff]{2,20}令[（(]", line)  # 民政部令（令号未核实）
        or _is_date_line(line)
        or _is_validity_note(line)
        or _is_addressees(i, line)
    )


def _is_addressees(i: int, line: str) -> bool:
    """各县(市、区)人民政府,市级各有关单位: (not a lead-in such as 现就…公告如下：)."""
    return i <= 8 and bool(re.search(r"[:：]$", line)) and len(line) <= 80 and not re.search(r"[。《]|如下", line)


def header_end(lines: list[str], limit: int, title: str) -> int:
    """The header is the run of header lines at the top, before ``limit`` (the first clause)."""
    end = 0
    while end < limit and is_header_line(end, lines[end], title):
        end += 1
    return end


def _read_dates(doc: PolicyDocument, lines: list[str]) -> None:
    """公布/发布 beats 成文 beats 通过 for ``date``; 施行/执行 gives ``effective``; 修订/修正 ``amended``."""
    best, from_date, amendments = -1, False, []
    for line in lines:
        line = _without_notes(line)
        labelled = bool(LABEL.match(line))
        for segment in re.split(r"[，,；;]", LABEL.sub("", line)):
            found = DATE.search(segment)
            if re.search(r"施行|执行", segment):
                doc.effective = found.group(0) if found else doc.effective
                from_date = not found and bool(re.search(r"自(发布|公布)之日", segment))
            elif found and (change := re.search(r"修订|修正", segment)):
                amendments.append(found.group(0) + change.group(0))
            elif found:
                rank = 2 if re.search(r"公布|发布", segment) else 1 if labelled else 0 if "通过" in segment else -1
                if rank > best:
                    doc.date, best = found.group(0), rank
    doc.amended = "；".join(amendments)
    if from_date and not doc.effective:
        doc.effective = doc.date


def _kind(doc: PolicyDocument, number_line: str) -> str:
    issuer, title = doc.issuer, _bare_title(doc.title)
    if issuer.startswith("全国人民代表大会") and title.endswith("法"):
        return "法律"
    if "国务院令" in number_line or "国务院令" in doc.doc_number:
        return "行政法规"
    if MINISTRY_ORDER.search(number_line) and "国务院令" not in number_line:
        return "部门规章"
    if ("人民代表大会" in issuer and not issuer.startswith("全国")) or "地方性法规" in number_line:
        return "地方性法规"
    return "规范性文件"


def _status(doc: PolicyDocument, raw_title: str) -> None:
    """Out of force: filed under superseded/, repealed by its validity note, or so noted in the title's
    brackets (a note that then leaves the title)."""
    superseded = "superseded" in PurePath(doc.source).parent.parts or doc.validity in REPEALED
    for match in PAREN.finditer(raw_title):
        parts = re.split(r"[，,；;]", match.group(1))
        kept = [part for part in parts if not STATUS_NOTE.search(part)]
        for part in parts:
            if note := STATUS_NOTE.search(part):
                superseded = True
                if replacing := note.group(1):
                    named = re.search(r"《([^》]+)》", replacing)
                    version = replacing.removesuffix("文本").removesuffix("本")
                    doc.superseded_by = named.group(1) if named else f"{_bare_title(raw_title)}（{version}）"
        if len(kept) != len(parts):
            doc.title = doc.title.replace(match.group(0), f"（{'，'.join(kept)}）" if kept else "")
    doc.status = SUPERSEDED if superseded else IN_FORCE


def read_header(doc: PolicyDocument, lines: list[str], raw_title: str) -> None:
    """Fill the document's metadata from its header lines (title first)."""
    number_line, date_lines = "", []
    for i, line in enumerate(lines):
        if line == raw_title:
            continue
        if not number_line and (doc_number(line) or re.search(r"令[（(]|无令号|地方性法规", line)):
            number_line, doc.doc_number = line, doc_number(line)
        elif issuer := re.match(r"^(?:发布机关|发文机关)[:：]\s*(.+)$", line):
            doc.issuer = issuer.group(1).strip()
        elif _is_validity_note(line):
            doc.validity = VALIDITY.search(line).group(1)
            if source_match := VALIDITY_SOURCE.search(line):
                doc.validity_source = source_match.group(1)
                if source_match.group(2):
                    doc.validity_source += f"（{source_match.group(2)}）"
        elif _is_date_line(line) or LABEL.match(line):
            date_lines.append(line)
        elif _is_addressees(i, line):
            doc.addressees = [part.strip() for part in re.split(r"[,，]", line.rstrip(":：")) if part.strip()]
    _read_dates(doc, date_lines)
    if not doc.issuer and "关于" in doc.title:
        doc.issuer = doc.title.split("关于", 1)[0].strip()
    _status(doc, raw_title)
    doc.kind = _kind(doc, number_line)
