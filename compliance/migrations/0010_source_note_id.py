"""Every rule's source note in Indonesian beside the English one (issue 14, item 3): the field
``source_note_id`` on methodologies, bands, instruments, dimensions and indicators
(``source_note`` stays the English text), filled for the rows already in the database from the
data files (methodologies.json, instruments/*.json).

Instruments are frozen once a round uses them; only this note changes, and it takes no part in
any score. A row gets the Indonesian of its own English note: the data files pair each English
note with one Indonesian note, so a copy of a shipped instrument (a new version, an imported
workbook) whose note is unchanged gets the same translation, and a note written in the app is
left for its author (pages then show the English note).
"""
import json

from django.db import migrations, models

from compliance.standard import DATA, instrument_files

MODELS = ("Methodology", "Band", "Instrument", "Dimension", "Indicator")
# The notes assessments 0010 gave the app's checklists when it made them from the old
# dimensions; the data files have since said more (load_standard writes those), but a database
# migrated from then still holds these.
EARLIER = {
    "The app's own preparation checklist (48 indicators over the 14 Art. 21 components), not "
    "the assessing body's instrument; how it is scored is the app's rule.":
    "Daftar periksa persiapan milik aplikasi (48 indikator atas 14 komponen Pasal 21), bukan "
    "instrumen lembaga penilai; cara penilaiannya adalah aturan aplikasi.",
    "A score entered per unit from the survey of service users.":
    "Nilai yang dimasukkan per unit layanan dari survei pengguna layanan.",
    "Which components' indicators it holds, and the mean of their scores, are the app's "
    "assumption.":
    "Komponen mana yang indikatornya dimuat dimensi ini, dan rata-rata nilainya, adalah asumsi "
    "aplikasi.",
    "The unit score is the mean of the component scores (the app's rule).":
    "Nilai unit layanan adalah rata-rata nilai komponen (aturan aplikasi).",
    "Components that no dimension held before instruments.":
    "Komponen yang tidak dimuat dimensi mana pun sebelum ada instrumen.",
}


def translations():
    """English note -> Indonesian note, over every note of the data files (and the earlier
    notes of the app's checklists)."""
    pairs = dict(EARLIER)

    def walk(node):
        if isinstance(node, dict):
            if node.get("source_note") and node.get("source_note_id"):
                pairs[node["source_note"]] = node["source_note_id"]
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    with open(DATA / "methodologies.json", encoding="utf-8") as handle:
        walk(json.load(handle))
    for spec in instrument_files():
        walk(spec)
    return pairs


def forwards(apps, schema_editor):
    pairs = translations()
    for name in MODELS:
        model = apps.get_model("compliance", name)
        for english in model.objects.filter(source_note_id="").exclude(
                source_note="").values_list("source_note", flat=True).distinct():
            if english in pairs:
                model.objects.filter(source_note=english, source_note_id="").update(
                    source_note_id=pairs[english])



class Migration(migrations.Migration):

    dependencies = [
        ('compliance', '0009_standing_checklist_indicators'),
    ]

    operations = [
        migrations.AddField(
            model_name='band',
            name='source_note_id',
            field=models.TextField(blank=True, help_text='Where the rule comes from, and how sure it is.', verbose_name='source (Indonesian)'),
        ),
        migrations.AddField(
            model_name='dimension',
            name='source_note_id',
            field=models.TextField(blank=True, help_text='Where the rule comes from, and how sure it is.', verbose_name='source (Indonesian)'),
        ),
        migrations.AddField(
            model_name='indicator',
            name='source_note_id',
            field=models.TextField(blank=True, help_text='Where the rule comes from, and how sure it is.', verbose_name='source (Indonesian)'),
        ),
        migrations.AddField(
            model_name='instrument',
            name='source_note_id',
            field=models.TextField(blank=True, help_text='Where the rule comes from, and how sure it is.', verbose_name='source (Indonesian)'),
        ),
        migrations.AddField(
            model_name='methodology',
            name='source_note_id',
            field=models.TextField(blank=True, help_text='Where the rule comes from, and how sure it is.', verbose_name='source (Indonesian)'),
        ),
        migrations.AlterField(
            model_name='band',
            name='source_note',
            field=models.TextField(blank=True, help_text='Where the rule comes from, and how sure it is.', verbose_name='source (English)'),
        ),
        migrations.AlterField(
            model_name='dimension',
            name='source_note',
            field=models.TextField(blank=True, help_text='Where the rule comes from, and how sure it is.', verbose_name='source (English)'),
        ),
        migrations.AlterField(
            model_name='indicator',
            name='source_note',
            field=models.TextField(blank=True, help_text='Where the rule comes from, and how sure it is.', verbose_name='source (English)'),
        ),
        migrations.AlterField(
            model_name='instrument',
            name='source_note',
            field=models.TextField(blank=True, help_text='Where the rule comes from, and how sure it is.', verbose_name='source (English)'),
        ),
        migrations.AlterField(
            model_name='methodology',
            name='source_note',
            field=models.TextField(blank=True, help_text='Where the rule comes from, and how sure it is.', verbose_name='source (English)'),
        ),
        migrations.RunPython(forwards, migrations.RunPython.noop),
    ]
