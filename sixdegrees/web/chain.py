"""Layout for the introduction chain drawn as inline SVG (You → … → target).

The template draws what this computes: one horizontal layout for wide screens and one vertical
layout for phones (CSS shows one of them). Labels are wrapped here because SVG text does not
wrap; the full names are also in a list next to the drawing for screen readers.
"""

from __future__ import annotations

import itertools
import unicodedata
from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import gettext_lazy as _

NODE_STATES = ("you", "draft", "queued", "sent", "replied", "declined", "failed", "waiting")

STATE_LABELS = {
    "you": _("You"),
    "draft": _("Draft, waiting for your approval"),
    "queued": _("Queued for sending"),
    "sent": _("Sent, waiting for a reply"),
    "replied": _("Replied"),
    "declined": _("Declined"),
    "failed": _("Could not be sent"),
    "waiting": _("Not contacted yet"),
}
# Short forms for the drawing, where space is tight.
STATE_SHORT = {
    "you": _("You"),
    "draft": _("Draft"),
    "queued": _("Queued"),
    "sent": _("Sent"),
    "replied": _("Replied"),
    "declined": _("Declined"),
    "failed": _("Failed"),
    "waiting": _("Waiting"),
}

RADIUS = 22
LINE_HEIGHT = 17
H_STEP = 200  # horizontal distance between node centres
H_HEIGHT = 150
V_STEP = 96  # vertical distance between node centres
V_WIDTH = 340


def _units(ch: str) -> int:
    return 2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1


def wrap(text: str, width: int, max_lines: int = 2) -> list[str]:
    """Break `text` into at most `max_lines` lines of `width` units (CJK characters count 2)."""
    text = " ".join(str(text).split())
    lines: list[str] = []
    line, size = "", 0
    tokens = _tokens(text)
    for piece in tokens:
        token_size = sum(_units(c) for c in piece)
        if piece.isspace():
            if line:
                line, size = line + " ", size + 1
            continue
        if size + token_size > width and line.strip():
            lines.append(line.rstrip())
            line, size = "", 0
        while token_size > width:  # a single very long word: cut it
            cut, cut_size = "", 0
            for ch in piece:
                if cut_size + _units(ch) > width:
                    break
                cut, cut_size = cut + ch, cut_size + _units(ch)
            lines.append(cut)
            piece = piece[len(cut) :]
            token_size -= cut_size
        line, size = line + piece, size + token_size
    if line.strip():
        lines.append(line.rstrip())
    if len(lines) > max_lines:
        last = lines[max_lines - 1]
        while last and sum(_units(c) for c in last) + 1 > width:
            last = last[:-1]
        lines = [*lines[: max_lines - 1], last.rstrip() + "…"]
    return lines or [""]


def _tokens(text: str) -> list[str]:
    """Words and spaces; each CJK character is its own token so Chinese wraps anywhere."""
    tokens: list[str] = []
    word = ""
    for ch in text:
        if ch == " ":
            if word:
                tokens.append(word)
                word = ""
            tokens.append(" ")
        elif _units(ch) == 2:
            if word:
                tokens.append(word)
                word = ""
            tokens.append(ch)
        else:
            word += ch
    if word:
        tokens.append(word)
    return tokens


@dataclass
class Node:
    index: int
    x: int
    y: int
    name: str
    role: str
    status: str
    glyph: str
    name_lines: list[tuple[int, str]] = field(default_factory=list)  # (y, text)
    label_x: int = 0
    state_y: int = 0
    status_label: str = ""
    state_label: str = ""


@dataclass
class Edge:
    x1: int
    y1: int
    x2: int
    y2: int
    done: bool


@dataclass
class Layout:
    width: int
    height: int
    nodes: list[Node]
    edges: list[Edge]
    vertical: bool


def _glyph(index: int, name: str) -> str:
    if index == 0:
        initial = next((c for c in name.strip() if c.isalnum()), "")
        return initial.upper() or "•"
    return str(index)


def layout(chain: list[dict[str, Any]], vertical: bool = False) -> Layout:
    nodes: list[Node] = []
    for i, raw in enumerate(chain):
        status = str(raw.get("status")) if raw.get("status") in NODE_STATES else "waiting"
        name = str(raw.get("name") or "")
        if vertical:
            x, y = 28, 30 + i * V_STEP
            lines = wrap(name, 34, 2)
            label_x = x + RADIUS + 16
            first_y = y - 3 - (LINE_HEIGHT * (len(lines) - 1)) // 2
        else:
            x, y = 100 + i * H_STEP, 36
            lines = wrap(name, 24, 2)
            label_x = x
            first_y = y + RADIUS + 24
        placed = [(first_y + n * LINE_HEIGHT, line) for n, line in enumerate(lines)]
        state_y = placed[-1][0] + LINE_HEIGHT + 1
        nodes.append(
            Node(
                index=i,
                x=x,
                y=y,
                name=name,
                role=str(raw.get("role") or ""),
                status=status,
                glyph=_glyph(i, name),
                name_lines=placed,
                label_x=label_x,
                state_y=state_y,
                status_label=str(STATE_SHORT[status]),
                state_label=str(STATE_LABELS[status]),
            )
        )
    edges = []
    for a, b in itertools.pairwise(nodes):
        done = b.status in ("sent", "replied", "declined")
        if vertical:
            edges.append(Edge(a.x, a.y + RADIUS + 4, b.x, b.y - RADIUS - 4, done))
        else:
            edges.append(Edge(a.x + RADIUS + 6, a.y, b.x - RADIUS - 6, b.y, done))
    count = max(len(nodes), 1)
    if vertical:
        return Layout(V_WIDTH, 30 + (count - 1) * V_STEP + 60, nodes, edges, True)
    return Layout(count * H_STEP, H_HEIGHT, nodes, edges, False)
