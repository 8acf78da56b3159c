"""The Indonesian catalogue is complete, its committed .mo matches the .po, and Django speaks
Indonesian (text, numbers) under "id".

No database is needed. The .po parser below is deliberately small: it understands what
`makemessages` writes (comments, flags, msgctxt, msgid, msgid_plural, msgstr, msgstr[n],
multi-line strings) and skips the header and obsolete `#~` entries.
"""
import gettext
import os
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from django.utils import formats, translation

LOCALE = Path(__file__).resolve().parent.parent / "locale"
ID_PO = LOCALE / "id" / "LC_MESSAGES" / "django.po"
ID_MO = LOCALE / "id" / "LC_MESSAGES" / "django.mo"
EN_PO = LOCALE / "en" / "LC_MESSAGES" / "django.po"
EN_MO = LOCALE / "en" / "LC_MESSAGES" / "django.mo"

_ESCAPES = {"n": "\n", "t": "\t", "r": "\r", '"': '"', "\\": "\\", "a": "\a", "b": "\b",
            "f": "\f", "v": "\v"}
_KEYWORD = re.compile(r'^(msgctxt|msgid_plural|msgid|msgstr(?:\[(\d+)\])?)\s+(".*")\s*$')


def _unquote(literal: str) -> str:
    assert literal.startswith('"') and literal.endswith('"'), literal
    return re.sub(r"\\(.)", lambda m: _ESCAPES.get(m.group(1), m.group(1)), literal[1:-1])


@dataclass
class Entry:
    msgid: str = ""
    msgid_plural: str | None = None
    msgctxt: str | None = None
    msgstr: dict[int, str] = field(default_factory=dict)  # a singular msgstr is index 0
    flags: set[str] = field(default_factory=set)
    line: int = 0

    @property
    def label(self) -> str:
        context = f"[{self.msgctxt}] " if self.msgctxt is not None else ""
        return f"line {self.line}: {context}{self.msgid!r}"


def parse_po(text: str) -> list[Entry]:
    """The entries of a .po file, without the header and without obsolete entries."""
    entries: list[Entry] = []
    entry: Entry | None = None
    target: tuple[str, int | None] | None = None  # which string continuation lines extend
    seen_keyword = False

    def finish():
        nonlocal entry, target, seen_keyword
        if entry is not None and seen_keyword and not (entry.msgid == "" and entry.msgctxt is None):
            entries.append(entry)
        entry, target, seen_keyword = None, None, False

    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if not line:
            finish()
            continue
        if line.startswith("#~"):  # obsolete entry: ignore it entirely
            finish()
            continue
        if line.startswith("#"):
            if seen_keyword:  # a comment after the strings starts the next entry
                finish()
            entry = entry or Entry(line=number)
            if line.startswith("#,"):
                entry.flags.update(flag.strip() for flag in line[2:].split(",") if flag.strip())
            continue
        if line.startswith('"'):
            assert entry is not None and target is not None, f"stray string on line {number}"
            _append(entry, target, _unquote(line))
            continue
        match = _KEYWORD.match(line)
        assert match, f"cannot parse line {number}: {raw!r}"
        keyword, index, literal = match.groups()
        if keyword in ("msgctxt", "msgid") and entry is not None and seen_keyword and (
                keyword == "msgctxt" or target[0] != "msgctxt"):
            finish()  # entries not separated by a blank line
        entry = entry or Entry(line=number)
        seen_keyword = True
        if keyword.startswith("msgstr"):
            target = ("msgstr", int(index) if index is not None else 0)
            entry.msgstr.setdefault(target[1], "")
        else:
            target = (keyword, None)
            setattr(entry, keyword, "")
        _append(entry, target, _unquote(literal))
    finish()
    return entries


def _append(entry: Entry, target: tuple[str, int | None], value: str) -> None:
    name, index = target
    if name == "msgstr":
        entry.msgstr[index] += value
    else:
        setattr(entry, name, getattr(entry, name) + value)


def test_parser_handles_multiline_plural_context_header_and_obsolete():
    entries = parse_po('''# header comment
#, fuzzy
msgid ""
msgstr ""
"Language: id\\n"

#, python-format
msgid ""
"first part "
"second \\"part\\""
msgstr "satu "
"dua"

msgctxt "button"
msgid "%(counter)s government"
msgid_plural "%(counter)s governments"
msgstr[0] "%(counter)s pemerintah daerah"

#, fuzzy
msgid "Draft"
msgstr "Draf"
#~ msgid "Old"
#~ msgstr "Lama"
''')
    assert [(e.msgid, e.msgstr) for e in entries] == [
        ('first part second "part"', {0: "satu dua"}),
        ("%(counter)s government", {0: "%(counter)s pemerintah daerah"}),
        ("Draft", {0: "Draf"}),
    ]
    assert entries[0].flags == {"python-format"}
    assert entries[1].msgctxt == "button" and entries[1].msgid_plural == "%(counter)s governments"
    assert "fuzzy" in entries[2].flags


def test_every_indonesian_msgid_is_translated():
    entries = parse_po(ID_PO.read_text(encoding="utf-8"))
    assert entries, f"no entries in {ID_PO}"
    untranslated = [e.label for e in entries
                    if "fuzzy" in e.flags or not e.msgstr or not all(e.msgstr.values())]
    assert not untranslated, (f"{len(untranslated)} msgid(s) in {ID_PO} are untranslated or "
                              "fuzzy:\n" + "\n".join(untranslated))


def test_every_string_in_the_source_has_an_indonesian_translation(tmp_path):
    """makemessages over a copy of the source: a string missing from the catalogue (or only
    fuzzily matched) shows up untranslated there. The committed catalogue stays untouched."""
    if shutil.which("xgettext") is None:
        pytest.skip("gettext's xgettext is not installed")
    root = LOCALE.parent
    copy = tmp_path / "src"
    shutil.copytree(root, copy, ignore=shutil.ignore_patterns(
        ".*", "bench", "tests", "static", "media", "staticfiles", "backups", "node_modules", "run",
        "__pycache__", "*.sqlite3", "*.mo"))
    env = {**os.environ, "DEBUG": "true", "DJANGO_SETTINGS_MODULE": "compliance.settings"}
    result = subprocess.run(
        [sys.executable, "manage.py", "makemessages", "-l", "id", "--no-obsolete",
         "--no-location", "--no-wrap"], cwd=copy, env=env, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    fresh = parse_po((copy / "locale" / "id" / "LC_MESSAGES" / "django.po").read_text("utf-8"))
    untranslated = [e.label for e in fresh
                    if "fuzzy" in e.flags or not e.msgstr or not all(e.msgstr.values())]
    assert not untranslated, (f"{len(untranslated)} string(s) of the source have no Indonesian "
                              "translation (run make catalogue, translate, make messages):\n"
                              + "\n".join(untranslated))


def test_indonesian_catalogue_has_one_plural_form_and_keeps_placeholders():
    text = ID_PO.read_text(encoding="utf-8")
    assert "Plural-Forms: nplurals=1; plural=0;" in text
    placeholder = re.compile(r"%%|%(?:\(\w+\))?[-#0+]*\d*(?:\.\d+)?[sdrifeEgGxXoc]")
    problems = []
    for entry in parse_po(text):
        if entry.msgid_plural is not None and set(entry.msgstr) != {0}:
            problems.append(f"{entry.label}: expected only msgstr[0], got {sorted(entry.msgstr)}")
        wanted = sorted(placeholder.findall(entry.msgid))
        for index, value in entry.msgstr.items():
            if value and sorted(placeholder.findall(value)) != wanted:  # "%%" counts too
                problems.append(f"{entry.label}: msgstr[{index}] placeholders differ")
    assert not problems, "\n".join(problems)


def _catalog(path: Path) -> dict:
    with path.open("rb") as handle:
        translations = gettext.GNUTranslations(handle)
    return dict(translations._catalog)  # noqa: SLF001 (the only way to read the whole catalogue)


@pytest.mark.parametrize(("po", "mo"), [(ID_PO, ID_MO), (EN_PO, EN_MO)], ids=["id", "en"])
def test_committed_mo_matches_po(po, mo, tmp_path):
    msgfmt = shutil.which("msgfmt")
    if msgfmt is None:
        pytest.skip("gettext's msgfmt is not installed")
    assert mo.exists(), f"{mo} is missing: run make messages"
    fresh = tmp_path / "django.mo"
    # The same options Django's compilemessages uses.
    result = subprocess.run([msgfmt, "--check-format", "-o", str(fresh), str(po)],
                            capture_output=True, text=True)
    assert result.returncode == 0, f"msgfmt rejects {po}:\n{result.stderr}"
    assert _catalog(mo) == _catalog(fresh), f"{mo} is stale: run make messages"


def test_django_speaks_indonesian():
    with translation.override("id"):
        assert translation.gettext("Rank") == "Peringkat"
        assert translation.gettext("Log in") == "Masuk"
        assert translation.ngettext("%(counter)s government", "%(counter)s governments", 1) \
            == "%(counter)s pemerintah daerah"
        assert translation.ngettext("%(counter)s government", "%(counter)s governments", 18) \
            == "%(counter)s pemerintah daerah"
        assert formats.number_format(Decimal("69.27"), 2) == "69,27"
    with translation.override("en"):
        assert translation.gettext("Rank") == "Rank"
        assert translation.ngettext("%(counter)s government", "%(counter)s governments", 2) \
            == "%(counter)s governments"


def test_indonesian_dates_are_written_out_in_full():
    from datetime import date

    from django.utils import translation
    from django.utils.formats import date_format

    with translation.override("id"):
        assert date_format(date(2026, 11, 22), "DATE_FORMAT") == "22 November 2026"
    with translation.override("en"):
        assert date_format(date(2026, 11, 22), "DATE_FORMAT") == "Nov. 22, 2026"
