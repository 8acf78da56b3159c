"""Instruments (data): today's checklist becomes one instrument per methodology, and every
round is tied to its methodology's.

For each methodology an instrument "app-checklist-<methodology>" version 1 (purpose
self-assessment, status assumption, the methodology's default) holds its own copy of the
checklist's indicators, on the methodology's scale (1: yes/no, 3: 0–3, 5: 0–5), in:
- the methodology's existing dimensions (2022: input, process, output, complaints), now the
  instrument's, with the component-mean roll-up: each indicator goes to the dimension that
  listed its component;
- or, for a methodology without dimensions (2016, PEKPPP), one dimension "checklist" of
  weight 100 holding every indicator: the mean of the component scores, as before.
Nothing is scored differently: answers keep their values, and each round's figures come out
the same from its instrument.

The methodology whose rounds hold the most answers (the current one, ombudsman-2022, when
none do) keeps the existing indicator rows, so that its answers and evidence stay as they are;
the others get copies (texts, weights and active flags as they are in the database, not as
shipped), and the answers and evidence of their rounds move to the copies. A closed round's
rows are protected by triggers; they are suspended for these updates only (values unchanged,
indicator ids renumbered) and restored in the same transaction. Official results
(GovernmentResult) are not touched.
"""
from django.db import migrations

SCALES = {1: "yes_no", 3: "0_3", 5: "0_5"}
GUARDED = ["assessments_round", "assessments_answer", "assessments_evidence"]
NAMES = {
    "ombudsman-2016": ("Daftar periksa aplikasi 2016–2021 (ya/tidak)",
                       "App checklist 2016–2021 (yes/no)"),
    "ombudsman-2022": ("Daftar periksa aplikasi 2022–2024 (skala 0–3)",
                       "App checklist 2022–2024 (scale 0–3)"),
    "pekppp": ("Daftar periksa aplikasi PEKPPP (skala 0–5)",
               "App checklist for PEKPPP (scale 0–5)"),
}
NOTE = ("The app's own preparation checklist (48 indicators over the 14 Art. 21 components), "
        "not the assessing body's instrument; how it is scored is the app's rule.")
COPIED = ["component_id", "code", "order", "text_id", "text_en", "evidence_id", "evidence_en",
          "weight", "active"]


class SuspendedGuard:
    """The closed-round guard off for the given tables, back on at exit (same transaction)."""

    def __init__(self, schema_editor):
        self.editor = schema_editor
        self.connection = schema_editor.connection
        self.saved = []

    def __enter__(self):
        if self.connection.vendor == "postgresql":
            for table in GUARDED:
                self.editor.execute(f"ALTER TABLE {table} DISABLE TRIGGER {table}_closed_guard")
        elif self.connection.vendor == "sqlite":
            with self.connection.cursor() as cursor:
                cursor.execute(
                    "SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND tbl_name IN "
                    f"({', '.join('%s' for _ in GUARDED)}) AND name LIKE '%%_closed_%%'", GUARDED)
                self.saved = cursor.fetchall()
            for name, _sql in self.saved:
                self.editor.execute(f"DROP TRIGGER {name}")
        return self

    def __exit__(self, *exc):
        if self.connection.vendor == "postgresql":
            # Deferred foreign-key checks must run before the tables can be altered again.
            self.editor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            for table in GUARDED:
                self.editor.execute(f"ALTER TABLE {table} ENABLE TRIGGER {table}_closed_guard")
            self.editor.execute("SET CONSTRAINTS ALL DEFERRED")
        elif self.connection.vendor == "sqlite":
            for _name, sql in self.saved:
                self.editor.execute(sql, params=None)
        return False


def forwards(apps, schema_editor):
    Methodology = apps.get_model("compliance", "Methodology")
    Instrument = apps.get_model("compliance", "Instrument")
    Dimension = apps.get_model("compliance", "Dimension")
    Indicator = apps.get_model("compliance", "Indicator")
    Round = apps.get_model("assessments", "Round")
    Answer = apps.get_model("assessments", "Answer")
    Evidence = apps.get_model("assessments", "Evidence")

    methodologies = list(Methodology.objects.order_by("id"))
    answers = {m.id: Answer.objects.filter(assessment__round__methodology=m).count()
               for m in methodologies}
    keeper = max(methodologies, default=None,
                 key=lambda m: (answers[m.id], m.code == "ombudsman-2022", -m.id))
    originals = list(Indicator.objects.order_by("id"))
    with SuspendedGuard(schema_editor):
        for methodology in methodologies:
            if methodology.scale_max not in SCALES:
                raise ValueError(f"{methodology.code}: no indicator scale for "
                                 f"scale_max={methodology.scale_max}")
            name_id, name_en = NAMES.get(methodology.code, (
                f"Daftar periksa aplikasi {methodology.name_id}",
                f"App checklist {methodology.name_en}"))
            instrument = Instrument.objects.create(
                methodology=methodology, code=f"app-checklist-{methodology.code}", version="1",
                name_id=name_id[:200], name_en=name_en[:200], purpose="self_assessment",
                status="assumption", source_note=NOTE, is_default=True)
            dimension_of = {}
            old_dimensions = list(Dimension.objects.filter(methodology=methodology)
                                  .order_by("order", "id"))
            for dimension in old_dimensions:
                dimension.instrument = instrument
                dimension.rollup = "component_mean"
                dimension.status = "confirmed" if dimension.is_survey else "assumption"
                dimension.source_note = (
                    "A score entered per unit from the survey of service users."
                    if dimension.is_survey else
                    "Which components' indicators it holds, and the mean of their scores, are "
                    "the app's assumption.")
                dimension.save()
                for component in dimension.components.all():
                    dimension_of.setdefault(component.id, dimension)
            fallback = None
            if not old_dimensions:
                fallback = Dimension.objects.create(
                    instrument=instrument, code="checklist", order=1,
                    name_id="Daftar periksa 14 komponen", name_en="Checklist of the 14 components",
                    weight=100, is_survey=False, rollup="component_mean", status="assumption",
                    source_note="The unit score is the mean of the component scores (the app's "
                                "rule).")
            elif any(i.component_id not in dimension_of for i in originals):
                # A component no dimension listed counted in no dimension: weight 0 keeps that.
                fallback = Dimension.objects.create(
                    instrument=instrument, code="unassigned", order=99,
                    name_id="Tanpa dimensi", name_en="In no dimension", weight=0,
                    is_survey=False, rollup="component_mean", status="assumption",
                    source_note="Components that no dimension held before instruments.")
            scale = SCALES[methodology.scale_max]
            moved = {}
            for indicator in originals:
                dimension = dimension_of.get(indicator.component_id, fallback)
                if methodology == keeper:
                    indicator.instrument, indicator.dimension = instrument, dimension
                    indicator.scale = scale
                    indicator.save()
                    continue
                copy = Indicator.objects.create(
                    instrument=instrument, dimension=dimension, scale=scale,
                    **{field: getattr(indicator, field) for field in COPIED})
                moved[indicator.id] = copy.id
            rounds = Round.objects.filter(methodology=methodology)
            rounds.update(instrument=instrument)
            for old, new in moved.items():
                Answer.objects.filter(assessment__round__in=rounds, indicator_id=old).update(
                    indicator_id=new)
                Evidence.objects.filter(assessment__round__in=rounds, indicator_id=old).update(
                    indicator_id=new)


class Migration(migrations.Migration):
    dependencies = [("assessments", "0009_instruments_and_products")]
    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
