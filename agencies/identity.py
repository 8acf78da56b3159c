"""One government, one identity: how a province and a government written in a file are found.

Published tables write the same government in many ways: "KABUPATEN KONAWE", "Kab. Muna Barat",
"Kota Bau-Bau". A row is matched by the government's official code when the file gives one;
else by its name within its province, where two spellings are the same name when their keys
are equal: the key folds case and accents, reads "Kab." as "Kabupaten" and "Kep." as
"Kepulauan", takes the level word ("Kabupaten", "Kota", "Provinsi", "Pemerintah …") off the
front and drops spaces, hyphens and punctuation ("Bau-Bau", "Bau Bau" and "Baubau" are one
name). What a key cannot bridge (an old name, an abbreviation) an administrator adds as an
alias. Nothing else is guessed: a row that matches nothing, or more than one government, is
refused with the three closest names, and nothing here ever creates a province.

Reads every province, government and alias once per import (a few hundred rows nationally).
"""
import difflib
import re
import unicodedata
from dataclasses import dataclass

from django.utils.translation import gettext as _

from .models import Alias, Government, Level, Province

# Abbreviations read as the word they stand for, token by token.
ABBREVIATIONS = {"kab": "kabupaten", "kep": "kepulauan", "kepl": "kepulauan",
                 "adm": "administrasi", "prov": "provinsi", "propinsi": "provinsi",
                 "pemkab": "pemerintah kabupaten", "pemkot": "pemerintah kota",
                 "pemprov": "pemerintah provinsi", "pemda": "pemerintah"}
LEVEL_WORDS = {"kabupaten": Level.KABUPATEN, "kota": Level.KOTA, "provinsi": Level.PROVINSI}
_NOT_ALPHANUMERIC = re.compile(r"[^0-9a-z]+")
_SHORT_CODE = re.compile(r"^(S?\d{2})\.(\d)$")
HOW_CODE, HOW_NAME, HOW_ALIAS, HOW_NEW = "code", "name", "alias", "new"
CLOSEST = 3
SHOWN_MAX = 60


@dataclass(frozen=True)
class Spelling:
    """One reading of a written name: the level its first word names (or None) and the key."""
    level: str | None
    key: str


def _tokens(text: str) -> list[str]:
    text = unicodedata.normalize("NFKD", text or "")
    text = "".join(char for char in text if not unicodedata.combining(char)).casefold()
    words = _NOT_ALPHANUMERIC.sub(" ", text).split()
    return " ".join(ABBREVIATIONS.get(word, word) for word in words).split()


def readings(text: str) -> list[Spelling]:
    """The readings of a name, most specific first: "Kota Baru" is the kota Baru, or a
    government called "Kotabaru" written with a space (Kabupaten Kotabaru): the caller keeps
    the reading whose level fits."""
    words = _tokens(text)
    found = []
    rest = words[1:] if words[:1] == ["pemerintah"] else words
    if rest and rest[0] in LEVEL_WORDS:
        core = rest[1:]
        if core[:1] == ["administrasi"]:  # Kota Administrasi Jakarta Pusat
            core = core[1:]
        if core:
            found.append(Spelling(LEVEL_WORDS[rest[0]], "".join(core)))
    whole = "".join(words)
    if whole and all(spelling.key != whole for spelling in found):
        found.append(Spelling(None, whole))
    return found


def name_key(text: str) -> str:
    """The key of a name without its level word: "Kab. Muna-Barat" → "munabarat"."""
    spellings = readings(text)
    return spellings[0].key if spellings else ""


def normalise_code(text: str) -> str:
    """A code as written: "74.13"; a spreadsheet that stored 74.10 as a number gives "74.1"
    (no code has one digit after the dot, so the zero is restored)."""
    text = (text or "").strip().upper()
    short = _SHORT_CODE.match(text)
    return f"{short.group(1)}.{short.group(2)}0" if short else text


def _shown(text: str) -> str:
    return text if len(text) <= SHOWN_MAX else text[:SHOWN_MAX - 1] + "…"


@dataclass(frozen=True)
class Match:
    government: Government | None
    how: str  # code, name, alias (or new, set by an import that creates the government)


class NoMatch(Exception):
    """The row names no government (or several): ``column`` and a message for the file's
    author; ``province`` is set when the province was found (so a government may be created
    there with an explicit flag)."""

    def __init__(self, column: str, message: str, province: Province | None = None,
                 ambiguous: bool = False):
        super().__init__(message)
        self.column = column
        self.message = message
        self.province = province
        self.ambiguous = ambiguous


def closest(key: str, names: dict[str, str], count: int = CLOSEST) -> list[str]:
    """The ``count`` names whose keys are nearest to ``key`` (difflib's ratio); ``names`` maps
    key → display name."""
    ranked = sorted(names, key=lambda other: (
        -difflib.SequenceMatcher(None, key, other).ratio(), names[other]))
    shown = []
    for other in ranked:
        if names[other] not in shown:
            shown.append(names[other])
        if len(shown) == count:
            break
    return shown


class Directory:
    """Every province, government and alias, keyed for matching; read once per import."""

    def __init__(self):
        self.provinces = list(Province.objects.order_by("name"))
        self.province_by_id = {p.id: p for p in self.provinces}
        self.province_by_code = {p.code: p for p in self.provinces if p.code}
        self.province_by_key: dict[str, list[Province]] = {}
        for province in self.provinces:
            self.province_by_key.setdefault(name_key(province.name), []).append(province)
        self.province_alias: dict[str, Province] = {}
        self.government_alias: dict[tuple[int, str], Government] = {}
        self.by_code: dict[str, Government] = {}
        self.by_id: dict[int, Government] = {}
        self.in_province: dict[int, dict[str, list[Government]]] = {}
        self.anywhere: dict[str, list[Government]] = {}
        self.provincial: dict[int, Government] = {}
        for government in Government.objects.order_by("name"):
            government.province = self.province_by_id[government.province_id]
            self.by_id[government.id] = government
            if government.code:
                self.by_code[government.code] = government
            if government.level == Level.PROVINSI:
                self.provincial[government.province_id] = government
            keys = {spelling.key for spelling in readings(government.name)[:1]}
            for key in keys:
                self.in_province.setdefault(government.province_id, {}).setdefault(
                    key, []).append(government)
                self.anywhere.setdefault(key, []).append(government)
        for alias in Alias.objects.all():
            if alias.government_id is None:
                self.province_alias[alias.key] = self.province_by_id[alias.province_id]
            elif alias.government_id in self.by_id:
                self.government_alias[(alias.province_id, alias.key)] = \
                    self.by_id[alias.government_id]

    # --- provinces ---------------------------------------------------------------------------

    def province(self, text: str, code: str = "") -> tuple[Province, str]:
        """The province written ``text`` (or the province of ``code``) and how it was found."""
        code = normalise_code(code)
        if code:
            found = self.province_by_code.get(code.split(".")[0])
            if found is None:
                raise NoMatch("code", _("unknown code “%(code)s”") % {"code": _shown(code)})
            return found, HOW_CODE
        key = name_key(text)
        found = self.province_by_key.get(key, [])
        if len(found) == 1:
            return found[0], HOW_NAME
        if len(found) > 1:
            raise NoMatch("province", _(
                "“%(value)s” matches several provinces: %(names)s; an administrator should "
                "merge them") % {"value": _shown(text),
                                 "names": ", ".join(p.name for p in found)}, ambiguous=True)
        if key in self.province_alias:
            return self.province_alias[key], HOW_ALIAS
        if not self.provinces:
            raise NoMatch("province", _(
                "unknown province “%(value)s”: no provinces are recorded yet (an administrator "
                "loads the official list with manage.py load_regions)") % {"value": _shown(text)})
        # The official names when the list is loaded; an import never adds a province.
        names = {name_key(p.name): p.name for p in self.provinces if p.code or
                 not self.province_by_code}
        raise NoMatch("province", _("unknown province “%(value)s”; closest: %(names)s") % {
            "value": _shown(text), "names": ", ".join(closest(key, names)) or "-"})

    # --- governments -------------------------------------------------------------------------

    def government(self, *, province: str, name: str, level: str | None = None,
                   code: str = "") -> Match:
        """The government of one row. ``level`` (from a level column) narrows the name;
        ``code``, when given, decides, and the province, name and level written beside it
        must not point elsewhere."""
        code = normalise_code(code)
        if code:
            return self._by_code(province=province, name=name, level=level, code=code)
        found_province, _how = self.province(province)
        return self._by_name(found_province, name, level)

    def _by_code(self, *, province, name, level, code) -> Match:
        government = self.by_code.get(code)
        if government is None:
            raise NoMatch("code", _("unknown code “%(code)s”") % {"code": _shown(code)})
        if province:
            written, _how = self.province(province)
            if written.id != government.province_id:
                raise NoMatch("code", _(
                    "code %(code)s is %(government)s in %(actual)s, not in %(province)s") % {
                        "code": code, "government": government.name,
                        "actual": government.province.name, "province": written.name})
        if level and level != government.level:
            raise NoMatch("level", _("code %(code)s is %(government)s, a %(level)s") % {
                "code": code, "government": government.name,
                "level": government.get_level_display()})
        if name:
            try:
                by_name = self._by_name(government.province, name, level)
            except NoMatch:
                by_name = None  # a spelling the directory does not know: the code decides
            if by_name is not None and by_name.government.id != government.id:
                raise NoMatch("code", _(
                    "code %(code)s is %(government)s, but the name “%(value)s” is "
                    "%(other)s") % {"code": code, "government": government.name,
                                    "value": _shown(name), "other": by_name.government.name})
        return Match(government, HOW_CODE)

    def _by_name(self, province: Province, name: str, level: str | None) -> Match:
        keys = self.in_province.get(province.id, {})
        for spelling in readings(name):
            if spelling.level and level and spelling.level != level:
                continue  # "Kota Baru" written as a kabupaten: read it as one word
            wanted = spelling.level or level
            if wanted == Level.PROVINSI:
                match = self._provincial(province, spelling.key)
                if match:
                    return match
                continue
            candidates = [g for g in keys.get(spelling.key, [])
                          if wanted is None or g.level == wanted]
            if len(candidates) == 1:
                return Match(candidates[0], HOW_NAME)
            if len(candidates) > 1:
                raise NoMatch("name", _(
                    "“%(value)s” matches several governments of %(province)s: %(names)s; "
                    "write the level (Kabupaten or Kota) or use the code") % {
                        "value": _shown(name), "province": province.name,
                        "names": ", ".join(g.name for g in candidates)},
                    province=province, ambiguous=True)
            aliased = self.government_alias.get((province.id, spelling.key))
            if aliased is not None and (wanted is None or aliased.level == wanted):
                return Match(aliased, HOW_ALIAS)
        raise self._unknown(province, name, level)

    def _provincial(self, province: Province, key: str) -> Match | None:
        """A provincial government is written after its province ("Provinsi Sulawesi
        Tenggara", "Pemprov Sultra") or by its own name."""
        government = self.provincial.get(province.id)
        if government is None:
            return None
        if key == name_key(province.name) or key == name_key(government.name):
            return Match(government, HOW_NAME)
        if self.province_alias.get(key) == province:
            return Match(government, HOW_ALIAS)
        return None

    def _unknown(self, province, name, level) -> NoMatch:
        key = name_key(name)
        elsewhere = [g for g in self.anywhere.get(key, []) if g.province_id != province.id
                     and (level is None or g.level == level)]
        if elsewhere:
            return NoMatch("name", _(
                "“%(government)s” is in %(actual)s, not in %(province)s") % {
                    "government": elsewhere[0].name,
                    "actual": ", ".join(sorted({g.province.name for g in elsewhere})),
                    "province": province.name}, province=province)
        names = {}
        for government in self.governments_of(province):
            if level is None or government.level == level:
                names.setdefault(name_key(government.name), government.name)
        return NoMatch("name", _(
            "no government “%(value)s” in %(province)s; closest: %(names)s") % {
                "value": _shown(name), "province": province.name,
                "names": ", ".join(closest(key, names)) or "-"}, province=province)

    def governments_of(self, province: Province) -> list[Government]:
        return sorted((g for found in self.in_province.get(province.id, {}).values()
                       for g in found), key=lambda g: g.name)

    def remember(self, government: Government) -> None:
        """Add a government created during the import, so that later rows find it."""
        government.province = self.province_by_id[government.province_id]
        self.by_id[government.id] = government
        for spelling in readings(government.name)[:1]:
            self.in_province.setdefault(government.province_id, {}).setdefault(
                spelling.key, []).append(government)
            self.anywhere.setdefault(spelling.key, []).append(government)
        if government.level == Level.PROVINSI:
            self.provincial[government.province_id] = government

