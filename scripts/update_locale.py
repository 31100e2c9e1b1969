"""Refresh the Chinese catalogue: makemessages, apply scripts/zh_translations.py, compile.

Run with `make messages`. Prints msgids that still lack a translation (a test fails on them too).
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PO = ROOT / "sixdegrees/locale/zh_Hans/LC_MESSAGES/django.po"
sys.path.insert(0, str(ROOT / "scripts"))

from zh_translations import ZH  # noqa: E402


def main() -> int:
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "sixdegrees.test_settings"}
    manage = [sys.executable, str(ROOT / "manage.py")]
    subprocess.run(
        [*manage, "makemessages", "-l", "zh_Hans", "--no-location", "--no-obsolete", "-i", "*/tests/*", "-i", "test_*"],
        cwd=ROOT / "sixdegrees",
        env=env,
        check=True,
    )
    import polib

    po = polib.pofile(str(PO))
    po.metadata["Content-Type"] = "text/plain; charset=UTF-8"
    po.metadata["Language"] = "zh_Hans"
    po.metadata["Plural-Forms"] = "nplurals=1; plural=0;"
    missing = []
    for entry in po:
        if entry.msgid in ZH:
            if entry.msgid_plural:
                entry.msgstr_plural = {0: ZH[entry.msgid]}  # Chinese has one form (nplurals=1)
            else:
                entry.msgstr = ZH[entry.msgid]
            if "fuzzy" in entry.flags:
                entry.flags.remove("fuzzy")
        elif not (entry.msgstr_plural.get(0) if entry.msgid_plural else entry.msgstr) or "fuzzy" in entry.flags:
            missing.append(entry.msgid)
    po.save()
    po.save_as_mofile(str(PO.with_suffix(".mo")))
    for msgid in missing:
        print(f"untranslated: {msgid!r}")
    return 1 if missing else 0


if __name__ == "__main__":
    raise SystemExit(main())
