"""Telling scripts apart and folding text for comparison: one form for "Société", "SOCIETE" and "société".

The one home of these rules: the network (names, organisations) and the planner (greetings,
draft lengths, names) both use them.

Latin, Greek, Cyrillic and other alphabets are transliterated to ASCII with anyascii, so an
accent typed in one address book and left out in another still meets. Chinese, Japanese and
Korean characters are kept as they are: anyascii turns them into toneless syllables, and many
different names share one ("华为" and "华威" both become "HuaWei"), so transliterating them would
make strangers meet while helping no match (Tencent's English name is not "TengXun").
"""

from __future__ import annotations

import re
import unicodedata

from anyascii import anyascii

# Han characters (the unified ideographs, extension A, compatibility ideographs and the
# extension planes), as a regex character range: Chinese text, and Japanese kanji.
HAN = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0003134f"
# Han, kana and Hangul; CJK punctuation is left out on purpose so that "、" and "。" fold to ASCII
# punctuation like any other.
CJK = f"\u1100-\u11ff\u3040-\u30ff\u3130-\u318f\u31f0-\u31ff\uac00-\ud7af{HAN}"
CJK_RUN = re.compile(f"([{CJK}]+)")
_HAS_CJK = re.compile(f"[{CJK}]")
_HAS_HAN = re.compile(f"[{HAN}]")


def has_cjk(text: str) -> bool:
    """Any Chinese, Japanese or Korean script: a name to keep whole, never transliterate."""
    return _HAS_CJK.search(text) is not None


def has_han(text: str) -> bool:
    """Any Chinese character: text to treat as Chinese (greetings, word counts, name order)."""
    return _HAS_HAN.search(text) is not None


def fold(text: str) -> str:
    """Casefolded, ASCII outside CJK runs, NFKC first so full-width "ＳＯＮＹ" is "sony"."""
    parts = CJK_RUN.split(unicodedata.normalize("NFKC", text))
    # re.split with a capturing group alternates: even indexes are outside CJK runs.
    return "".join(part if index % 2 else anyascii(part) for index, part in enumerate(parts)).casefold()
