"""Folding text for comparison: one form for "Société", "SOCIETE" and "société".

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

# Han (with the extension planes), kana and Hangul; CJK punctuation is left out on purpose so that
# "、" and "。" fold to ASCII punctuation like any other.
_CJK = "\u1100-\u11ff\u3040-\u30ff\u3130-\u318f\u31f0-\u31ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af\uf900-\ufaff\U00020000-\U0003134f"
CJK_RUN = re.compile(f"([{_CJK}]+)")
_HAS_CJK = re.compile(f"[{_CJK}]")


def has_cjk(text: str) -> bool:
    return _HAS_CJK.search(text) is not None


def fold(text: str) -> str:
    """Casefolded, ASCII outside CJK runs, NFKC first so full-width "ＳＯＮＹ" is "sony"."""
    parts = CJK_RUN.split(unicodedata.normalize("NFKC", text))
    # re.split with a capturing group alternates: even indexes are outside CJK runs.
    return "".join(part if index % 2 else anyascii(part) for index, part in enumerate(parts)).casefold()
