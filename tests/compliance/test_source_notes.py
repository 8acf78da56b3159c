"""Every rule's source note in both languages (issue 14, item 3): the data files pair each English
``source_note`` with an Indonesian ``source_note_id``, the loader and the migration fill both,
a new version keeps both, and a reader gets the note in their language, else the other one.

Expected notes are literals copied from the data files as written, not read through the code."""
import json
import re
from pathlib import Path

import pytest

from compliance.instruments import instrument_new_version
from compliance.models import (Band, Dimension, Indicator, Instrument, Methodology, note_in)
from compliance.standard import load_standard

DATA = Path(__file__).resolve().parents[2] / "compliance" / "data"
MODELS = (Methodology, Band, Instrument, Dimension, Indicator)
# Names and references that stay as they are in the Indonesian text.
KEPT = re.compile(r"PEKPPP|KemenPAN-RB|PermenPAN-RB \d+/\d+|Peraturan Ombudsman \d+/\d+|"
                  r"UU 25/2009|INSTRUMENTS\.md §\d|docs/methodology\.md|Tanpa Maladministrasi")


def shipped_notes():
    """(file, English, Indonesian) of every object in the data files that has a note."""
    found = []

    def walk(node, name):
        if isinstance(node, dict):
            if "source_note" in node or "source_note_id" in node:
                found.append((name, node.get("source_note", ""), node.get("source_note_id", "")))
            for value in node.values():
                walk(value, name)
        elif isinstance(node, list):
            for value in node:
                walk(value, name)

    for path in [DATA / "methodologies.json", *sorted((DATA / "instruments").glob("*.json"))]:
        walk(json.loads(path.read_text(encoding="utf-8")), path.name)
    return found


def test_every_shipped_note_has_both_languages():
    notes = shipped_notes()
    # 26 in methodologies.json; 2 + 5 + 2 in the app's checklists; 16 + 36 + 14 + 33 in the
    # Ombudsman's 2016, 2022, 2025 and the PEKPPP instruments.
    assert len(notes) == 134
    missing = [(name, en[:50]) for name, en, id_ in notes if not en.strip() or not id_.strip()]
    assert not missing
    assert not [en[:50] for _n, en, id_ in notes if en == id_]
    translation = {}
    for _name, en, id_ in notes:  # one English note, one Indonesian note
        assert translation.setdefault(en, id_) == id_, en[:60]
    assert len(translation) == 44
    for en, id_ in translation.items():
        assert sorted(KEPT.findall(en)) == sorted(KEPT.findall(id_)), id_[:60]
        # the same figures (21.85 is 21,85 in Indonesian; 17,717 is 17.717)
        assert sorted(re.findall(r"\d+", en)) == sorted(re.findall(r"\d+", id_)), id_[:60]


def test_the_statuses_are_named_as_the_catalogue_names_them():
    notes = {en: id_ for _n, en, id_ in shipped_notes()}
    for en, id_ in notes.items():
        for english, indonesian in (("(confirmed", "(terkonfirmasi"),
                                    ("single source)", "satu sumber)"),
                                    ("(assumption)", "(asumsi)")):
            if english in en:
                assert indonesian in id_, id_[:80]


@pytest.mark.parametrize(("language", "english", "indonesian", "shown"), [
    ("id", "Published.", "Diumumkan.", "Diumumkan."),
    ("en", "Published.", "Diumumkan.", "Published."),
    ("en-us", "Published.", "Diumumkan.", "Published."),
    ("id", "Published.", "", "Published."),  # no Indonesian yet: the English one
    ("en", "", "Diumumkan.", "Diumumkan."),
    (None, "Published.", "Diumumkan.", "Diumumkan."),  # Indonesian is the default language
    ("id", "", "", ""),
])
def test_note_in_the_readers_language_else_the_other(language, english, indonesian, shown):
    assert note_in(language, english, indonesian) == shown


# (model, lookup, English, Indonesian) as the data files give them
LOADED = [
    (Methodology, {"code": "ombudsman-2016"},
     "Ombudsman compliance assessment 2016-2021 (UU 25/2009 Art. 21 components). Bands "
     "red/yellow/green at 51 and 81 reproduce the published Sulawesi Tenggara 2021 table (18 "
     "rows) and regional press reports. Yes/no (0-1) indicators are the app's reading. See "
     "docs/methodology.md.",
     "Penilaian kepatuhan Ombudsman 2016-2021 (komponen UU 25/2009 Pasal 21). Zona "
     "merah/kuning/hijau dengan batas 51 dan 81 mereproduksi tabel Sulawesi Tenggara 2021 yang "
     "diumumkan (18 baris) dan pemberitaan media daerah. Indikator ya/tidak (0-1) adalah "
     "tafsiran aplikasi. Lihat docs/methodology.md."),
    (Band, {"methodology__code": "pekppp", "category": "A"},
     "Grade letter, bounds and label as published.",
     "Huruf, batas, dan sebutan predikat sesuai yang diumumkan."),
    (Instrument, {"code": "app-checklist-ombudsman-2016"},
     "The app's own preparation checklist (48 indicators over the 14 Art. 21 components), not "
     "the assessing body's instrument; how it is scored is the app's rule. Indicators are "
     "answered yes/no, as the 2016–2021 checklist of the components was.",
     "Daftar periksa persiapan milik aplikasi (48 indikator atas 14 komponen Pasal 21), bukan "
     "instrumen lembaga penilai; cara penilaiannya adalah aturan aplikasi. Indikator dijawab "
     "ya/tidak, seperti daftar periksa komponen 2016–2021."),
    (Dimension, {"instrument__code": "ombudsman-2025-opini", "code": "public-trust"},
     "Public trust weighs 30 % beside the four dimensions' 70 % (single source); entered as "
     "one score per unit.",
     "Kepercayaan publik berbobot 30 % di samping 70 % keempat dimensi (satu sumber); "
     "dimasukkan sebagai satu nilai per unit layanan."),
    (Indicator, {"instrument__code": "pekppp-assessment", "code": "standar-pelayanan"},
     "Weight 17 % of the aspect as published (single source: 17, 14, 7, 14, 10, 17, 7, 7, 7 "
     "over nine indicators). Rubric 0–5 from INSTRUMENTS.md §4 (single source); that it is the "
     "first indicator is the app's reading.",
     "Bobot 17 % dalam aspeknya sesuai yang diumumkan (satu sumber: 17, 14, 7, 14, 10, 17, 7, 7, "
     "7 atas sembilan indikator). Rubrik 0–5 dari INSTRUMENTS.md §4 (satu sumber); bahwa ini "
     "indikator pertama adalah tafsiran aplikasi."),
]


@pytest.mark.django_db
def test_the_loader_fills_both_languages():
    for model in MODELS:
        model.objects.update(source_note="", source_note_id="")
    load_standard()
    for model, lookup, english, indonesian in LOADED:
        row = model.objects.get(**lookup)
        assert (row.source_note, row.source_note_id) == (english, indonesian), model.__name__
    assert [model.objects.exclude(source_note="").filter(source_note_id="").count()
            for model in MODELS] == [0, 0, 0, 0, 0]


@pytest.mark.django_db
def test_the_migration_filled_the_rows_already_loaded():
    """The test database is built by the migrations: compliance 0010 gave every row that was
    already there the Indonesian of its own English note, the app's checklists included, whose
    notes from assessments 0010 are older than the data files'."""
    assert [model.objects.exclude(source_note="").filter(source_note_id="").count()
            for model in MODELS] == [0, 0, 0, 0, 0]
    assert Indicator.objects.exclude(source_note_id="").count() == 79  # 14 + 31 + 8 + 26
    output = Dimension.objects.get(instrument__code="app-checklist-ombudsman-2022", code="output")
    assert (output.source_note, output.source_note_id) == (
        "A score entered per unit from the survey of service users.",
        "Nilai yang dimasukkan per unit layanan dari survei pengguna layanan.")
    band = Band.objects.get(methodology__code="pekppp", category="A")
    assert band.source_note_id == "Huruf, batas, dan sebutan predikat sesuai yang diumumkan."


@pytest.mark.django_db
def test_a_new_version_keeps_both_notes():
    current = Instrument.objects.get(code="pekppp-assessment")
    draft = instrument_new_version(instrument=current, version="2026-notes")
    assert draft.source_note_id.startswith("PEKPPP sebagaimana diumumkan: enam aspek")
    indicator = draft.indicators.get(code="standar-pelayanan")
    assert indicator.source_note_id.startswith("Bobot 17 % dalam aspeknya sesuai")
    assert indicator.source_note.startswith("Weight 17 % of the aspect as published")
    assert draft.dimensions.get(code="kebijakan").source_note_id.startswith(
        "Bobot aspek sesuai yang diumumkan sejak 2022")
