"""Every page speaks Chinese completely: the catalogue covers every string of the web pages, the
compiled catalogue is current, and a Chinese render contains none of the English UI sentences."""

from __future__ import annotations

import ast
import json
import re
from html.parser import HTMLParser
from pathlib import Path

import polib
import pytest
from django.test import Client
from django.utils import translation

from sixdegrees.conftest import INTAKE, post_json

pytestmark = pytest.mark.django_db(transaction=True)

PACKAGE = Path(__file__).resolve().parents[2]
PO = PACKAGE / "locale/zh_Hans/LC_MESSAGES/django.po"
TEMPLATES = [*(PACKAGE / "web/templates").rglob("*.html"), *(PACKAGE / "templates").glob("*.html")]
SOURCES = [p for p in (PACKAGE / "web").glob("*.py")]
# Words that are the same in both languages: names and technical terms.
SAME_IN_BOTH = {"you@example.com"}

_TRANSLATE = re.compile(r"""{%\s*(?:translate|trans)\s+(["'])(.+?)\1""")
_UNDERSCORE = re.compile(r"""_\((["'])(.+?)\1\)""")
_BLOCK = re.compile(r"{%\s*blocktranslate\b[^%]*%}(.*?){%\s*endblocktranslate\s*%}", re.S)


def template_msgids() -> set[str]:
    found = set()
    for path in TEMPLATES:
        text = path.read_text(encoding="utf-8")
        found.update(m.group(2) for m in _TRANSLATE.finditer(text))
        found.update(m.group(2) for m in _UNDERSCORE.finditer(text))
        for block in _BLOCK.findall(text):
            # As makemessages writes them: a literal % doubled, {{ name }} as %(name)s.
            body = block.replace("%", "%%")
            found.add(re.sub(r"{{\s*(\w+)\s*}}", r"%(\1)s", body))
    return found


def python_msgids() -> set[str]:
    names = {"_", "gettext", "gettext_lazy", "pgettext"}
    found = set()
    for path in SOURCES:
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call) and getattr(node.func, "id", getattr(node.func, "attr", None)) in names:
                if node.args and isinstance(node.args[0], ast.Constant) and isinstance(node.args[0].value, str):
                    found.add(node.args[0].value)
    return found


WEB_MSGIDS = sorted(template_msgids() | python_msgids())


def test_the_web_strings_were_found():
    assert len(WEB_MSGIDS) > 250
    assert "Get a reply from anyone, through people who know them." in WEB_MSGIDS
    assert "Tie-strength score %(score)s" in WEB_MSGIDS  # a blocktranslate with a filter
    assert "Still analyzing connections… usually takes a minute." in WEB_MSGIDS


def test_every_web_string_has_a_chinese_translation():
    catalogue = {entry.msgid: entry for entry in polib.pofile(str(PO))}
    missing = [m for m in WEB_MSGIDS if m not in catalogue]
    untranslated = [m for m in WEB_MSGIDS if m in catalogue and not catalogue[m].msgstr.strip()]
    fuzzy = [m for m in WEB_MSGIDS if m in catalogue and "fuzzy" in catalogue[m].flags]
    assert not missing, f"run scripts/update_locale.py; not in the catalogue: {missing}"
    assert not untranslated, f"add these to scripts/zh_translations.py: {untranslated}"
    assert not fuzzy, fuzzy


def test_the_compiled_catalogue_is_current():
    stale = []
    with translation.override("zh-hans"):
        for msgid in WEB_MSGIDS:
            if msgid in SAME_IN_BOTH:
                continue
            if translation.gettext(msgid.replace("%%", "%") if "%(" not in msgid else msgid) == msgid:
                stale.append(msgid)
    assert not stale, f"recompile with scripts/update_locale.py: {stale[:10]}"


def test_the_chinese_uses_the_glossary():
    catalogue = {entry.msgid: entry.msgstr for entry in polib.pofile(str(PO))}
    for msgid in WEB_MSGIDS:
        zh = catalogue.get(msgid, "")
        assert "你" not in zh, (msgid, zh)  # 您, never 你
        if re.search(r"\bcampaigns?\b", msgid, re.I):
            assert "活动" in zh, (msgid, zh)
        if re.search(r"\bcredits?\b", msgid, re.I):
            assert "积分" in zh, (msgid, zh)
        assert zh.count("！") <= 1, (msgid, zh)


class VisibleText(HTMLParser):
    """Text nodes and human-facing attributes; JSON blocks (strings for scripts) as their values."""

    ATTRIBUTES = {"placeholder", "aria-label", "title", "alt", "content"}

    def __init__(self):
        super().__init__()
        self.texts: list[str] = []
        self._json = False
        self._skip = False

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        self._json = tag == "script" and attrs.get("type") == "application/json"
        self._skip = tag == "script" and not self._json
        for name in self.ATTRIBUTES & attrs.keys():
            if name != "content" or attrs.get("name") == "description":
                self.texts.append(attrs[name] or "")

    def handle_endtag(self, tag):
        self._json = self._skip = False

    def handle_data(self, data):
        if self._skip:
            return
        if self._json:
            payload = json.loads(data)
            if isinstance(payload, dict) and all(isinstance(v, str) for v in payload.values()):
                self.texts.extend(payload.values())  # the pages' script strings
            return
        self.texts.append(data)


def untranslated_catalogue_entries() -> list[str]:
    """Entries of the whole catalogue (any app) without a usable translation: empty or fuzzy."""
    return [e.msgid for e in polib.pofile(str(PO)) if e.msgid and (not e.msgstr.strip() or "fuzzy" in e.flags)]


def english_patterns() -> list[tuple[str, re.Pattern]]:
    """Our English UI strings, plus any catalogue entry still lacking Chinese (another app's text
    shown on our pages: billing's plan lines, timeline events)."""
    patterns = []
    for msgid in sorted(set(WEB_MSGIDS) | set(untranslated_catalogue_entries())):
        if msgid in SAME_IN_BOTH or "<" in msgid:
            continue
        text = msgid.replace("%%", "%")
        parts = re.split(r"%\(\w+\)[sd]", text)
        pattern = ".+?".join(re.escape(" ".join(part.split())) for part in parts)
        patterns.append((msgid, re.compile(rf"^{pattern}$")))
    return patterns


@pytest.fixture
def chinese_client(alice) -> tuple[Client, str]:
    client = Client()
    client.force_login(alice)
    client.cookies["django_language"] = "zh-hans"
    campaign_id = post_json(
        client, "/api/intake", {**INTAKE, "target_name": "王小明", "target_company": "红杉资本合伙人"}
    ).json()["campaign_id"]
    return client, campaign_id


def test_no_english_ui_sentence_is_left_in_a_chinese_page(chinese_client):
    client, campaign_id = chinese_client
    pages = [
        "/",
        "/intake",
        "/dashboard",
        f"/dashboard?campaign={campaign_id}",
        f"/dashboard?campaign={campaign_id}&tab=connections",
        f"/dashboard?campaign={campaign_id}&tab=credits",
        f"/dashboard?campaign={campaign_id}&tab=settings",
        "/privacy",
        "/contact",
        "/signin",
        "/signin?email=alice%40example.com&step=code",
        "/signin/link/not-a-token",
        "/no-such-page",
        "/dashboard?campaign=camp_missing",
    ]
    anonymous = Client()
    anonymous.cookies["django_language"] = "zh-hans"
    patterns = english_patterns()
    leaks = []
    for who, url in [*((client, p) for p in pages), (anonymous, "/signin"), (anonymous, "/dashboard?tab=settings")]:
        html = who.get(url).content.decode()
        parser = VisibleText()
        parser.feed(html)
        for text in parser.texts:
            text = " ".join(text.split())
            if not text:
                continue
            for msgid, pattern in patterns:
                if pattern.match(text):
                    leaks.append((url, msgid))
    assert not leaks, leaks
