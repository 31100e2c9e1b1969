"""The chain drawing: wrapping names (CJK counts double), both layouts, node states, escaping."""

from __future__ import annotations

import pytest
from django.template.loader import render_to_string

from sixdegrees.web.chain import layout, wrap

CHAIN = [
    {"name": "Alice Chen", "role": "You", "status": "you"},
    {"name": "A current or former colleague of Jane Doe at Sequoia Capital", "role": "Colleague", "status": "sent"},
    {"name": "王小明", "role": "红杉资本合伙人", "status": "draft"},
]


@pytest.mark.parametrize(
    "text, width, lines",
    [
        ("Jane Doe", 24, ["Jane Doe"]),
        ("A current or former colleague of Jane Doe", 24, ["A current or former", "colleague of Jane Doe"]),
        (
            "A current or former colleague of Jane Doe at Sequoia",
            24,
            ["A current or former", "colleague of Jane Doe a…"],
        ),
        ("获得红杉资本投资的创始人", 10, ["获得红杉资", "本投资的…"]),
        ("Supercalifragilisticexpialidocious", 10, ["Supercalif", "ragilisti…"]),
    ],
)
def test_wrap(text, width, lines):
    assert wrap(text, width, 2) == lines


def test_horizontal_and_vertical_layouts():
    wide = layout(CHAIN)
    tall = layout(CHAIN, vertical=True)
    assert [n.status for n in wide.nodes] == ["you", "sent", "draft"]
    assert wide.width == 600 and not wide.vertical
    assert len({n.y for n in wide.nodes}) == 1 and len({n.x for n in tall.nodes}) == 1
    assert tall.height > tall.width / 2 and tall.vertical
    assert [e.done for e in wide.edges] == [True, False]
    assert wide.nodes[0].glyph == "A" and wide.nodes[2].glyph == "2"


def test_unknown_states_are_drawn_as_waiting():
    assert layout([{"name": "X", "status": "something-new"}]).nodes[0].status == "waiting"


def test_names_are_escaped_in_the_svg():
    chain = [{"name": "<script>alert(1)</script>", "role": "", "status": "you"}]
    svg = render_to_string("web/_chain.html", {"layout": layout(chain), "variant": "h"})
    assert "<script>" not in svg and "&lt;script&gt;" in svg
