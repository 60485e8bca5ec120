"""Answer units: how a passage is cut into the sentences an extractive answer is made of.

Whole sentences of each paragraph (hard-wrapped lines joined first), a short list as one unit
(it reads as one), each table row as one unit ("Header value; header value."), never pipes.
The same units are embedded at ingest (see sentence_vectors) and chosen from at answer time.
"""

from __future__ import annotations

import re

_ABBREVIATIONS = re.compile(
    r"\b(?:e\.g|i\.e|etc|para|paras|no|nos|mr|mrs|ms|dr|prof|st|s|ss|reg|regs|art|vs|cf|ch|"
    r"approx|fig|vol|pp|p)\.$",
    re.IGNORECASE,
)
_SPLIT = re.compile(r"(?<=[.!?])[\"”’)\]]?\s+(?=[\"“‘(\[]?[A-Z0-9£])")
_LIST_ITEM = re.compile(r"^\s*(?:[-*•]|\d{1,2}[.)])\s+")
_TABLE_ROW = re.compile(r"^\s*\|.*\|\s*$")
_TABLE_RULE = re.compile(r"^\s*\|[\s:|-]+\|\s*$")
_EMPHASIS = re.compile(r"\*\*|__|`")
LIST_UNIT_WORDS = 150


def _sentences(paragraph: str) -> list[str]:
    merged: list[str] = []
    for piece in _SPLIT.split(paragraph):
        if merged and _ABBREVIATIONS.search(merged[-1]):
            merged[-1] = f"{merged[-1]} {piece}"
        else:
            merged.append(piece)
    return [p.strip() for p in merged if p.strip()]


def _table_rows(lines: list[str]) -> list[str]:
    """A Markdown table as one sentence per row: 'header value, header value'."""
    cells = [[c.strip() for c in line.strip().strip("|").split("|")] for line in lines]
    rows = [c for line, c in zip(lines, cells, strict=True) if not _TABLE_RULE.match(line)]
    if len(rows) < 2:
        return ["; ".join(r) for r in rows]
    header, body = rows[0], rows[1:]
    out = []
    for row in body:
        pairs = [f"{h} {v}".strip() if h else v for h, v in zip(header, row, strict=False)]
        out.append("; ".join(p for p in pairs if p) + ".")
    return out


def split_sentences(text: str) -> list[str]:
    """Answer units from a passage: the sentences of each paragraph (hard-wrapped lines are
    joined first), a short list as one unit (with the sentence that introduces it, when that
    ends in a colon), each table row as one unit. A line after a list that is not indented,
    when the last item ended its sentence, starts a new paragraph."""
    units: list[str] = []
    for block in re.split(r"\n\s*\n", _EMPHASIS.sub("", text)):
        lines = [line for line in block.splitlines() if line.strip()]
        if not lines:
            continue
        if all(_TABLE_ROW.match(line) for line in lines):
            units.extend(_table_rows(lines))
            continue
        segments: list[tuple[str, list[str]]] = []
        for line in lines:
            if _LIST_ITEM.match(line):
                if not segments or segments[-1][0] != "list":
                    segments.append(("list", []))
                segments[-1][1].append(_LIST_ITEM.sub("", line).strip())
            elif segments and segments[-1][0] == "list" and _continues(line, segments[-1][1]):
                segments[-1][1][-1] += " " + line.strip()
            else:
                if not segments or segments[-1][0] != "text":
                    segments.append(("text", []))
                segments[-1][1].append(line.strip())
        for kind, parts in segments:
            if kind == "text":
                units.extend(_sentences(" ".join(parts)))
            else:
                _add_list(units, parts)
    return units


def _continues(line: str, items: list[str]) -> bool:
    """A wrapped line of the last list item (indented, or the item has not ended)."""
    return line[:1].isspace() or not items[-1].rstrip().endswith((".", "!", "?"))


def _add_list(units: list[str], items: list[str]) -> None:
    joined = "; ".join(i.rstrip(".;") for i in items)
    joined += "" if joined.endswith(("?", "!")) else "."  # never "...a personal assistant?."
    if len(joined.split()) > LIST_UNIT_WORDS:
        for item in items:
            units.extend(_sentences(item))
    elif units and units[-1].endswith(":"):  # "It can pay for: a; b; c." is one unit
        units[-1] = f"{units[-1]} {joined}"
    else:
        units.append(joined)


def in_context(heading: str | None, sentence: str) -> str:
    """What is embedded for a sentence: the heading it sits under, then the sentence (a
    sentence read with its heading is judged better against a question than alone)."""
    return f"{heading}: {sentence}" if heading else sentence
