"""The English catalogue is complete and its compiled .mo matches the .po (gettext's msgfmt)."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

PO = Path(__file__).resolve().parent.parent / "carbonpeak" / "locale" / "en" / "LC_MESSAGES" / "django.po"


def test_every_message_is_translated_and_none_is_fuzzy():
    text = PO.read_text(encoding="utf-8")
    assert "#, fuzzy" not in text
    entries = [b for b in text.split("\n\n") if re.search(r'^msgid "', b, re.M)]
    empty = [b for b in entries[1:] if re.search(r'^msgstr ""\s*$', b, re.M) and '\n"' not in b.split("msgstr")[1]]
    assert len(entries) > 250 and not empty, empty[:3]


def test_compiled_catalogue_is_current(tmp_path):
    out = tmp_path / "django.mo"
    subprocess.run(["msgfmt", "--check", "-o", str(out), str(PO)], check=True)
    assert out.read_bytes() == PO.with_suffix(".mo").read_bytes(), "run: msgfmt -o django.mo django.po"
