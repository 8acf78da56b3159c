"""The rules every methodology applies besides its weights and bands: rounding, band lookup,
the government's score and ranking with ties, each with its status and source
(docs/methodology.md, "Rules across methodologies"). Kept as data so the public Methodology
page states them beside the figures they govern; ``compliance/scoring.py`` implements them.
Their texts and source notes are translated through the catalogue (locale/), not kept twice
like the data files' ``source_note``/``source_note_id``."""
from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

from .models import RuleStatus


@dataclass(frozen=True)
class MethodRule:
    code: str
    title: str
    text: str
    status: str
    source_note: str
    methodologies: tuple = ()  # empty: every methodology

    def applies_to(self, code: str) -> bool:
        return not self.methodologies or code in self.methodologies

    def get_status_display(self):
        return RuleStatus(self.status).label

    @property
    def localized_source_note(self):
        """As the data's rules (``SourceNoted``): the note in the active language."""
        return str(self.source_note)


RULES = (
    MethodRule(
        "rounding", _("Rounding"),
        _("Scores are computed in exact decimals and rounded half-up to two decimals once, at "
          "the end of each published figure (a unit's score, a government's score), never on "
          "the way."),
        RuleStatus.CONFIRMED,
        _("Scores are published with two decimals; the published tables reproduce with one "
          "rounding at the end. See docs/methodology.md.")),
    MethodRule(
        "band-lookup", _("Band lookup"),
        _("The band is read on the rounded score; each band's lower bound is inclusive."),
        RuleStatus.CONFIRMED,
        _("Published bands and the results printed with them (Sulawesi Tenggara 2021 and "
          "2022, Muna Barat 2024).")),
    MethodRule(
        "band-lookup-index", _("Band lookup on the index"),
        _("Scores are stored on 0–100; the grade is read on the published 0–5 index (score "
          "÷ 20) rounded to two decimals, lower bound inclusive."),
        RuleStatus.CONFIRMED,
        _("PermenPAN-RB 29/2022; checked against Madiun 2025 (4.7375 → 4.74, 94.75)."),
        ("pekppp",)),
    MethodRule(
        "government-score", _("Government score"),
        _("A government's score is the plain mean of its assessed units' scores, rounded."),
        RuleStatus.CONFIRMED,
        _("Reproduces the published 2022 onward totals (Muna Barat 2023: 299.03 over seven "
          "units → 42.72; Lebong 2023: 643.97 → 92.00)."),
        ("ombudsman-2022", "ombudsman-2025", "pekppp")),
    MethodRule(
        "government-score-2016", _("Government score"),
        _("A government's score is the plain mean of its assessed units' scores, rounded; "
          "the published 2021 totals fit a mean over service products better. Results of "
          "these years enter the app as imported official results."),
        RuleStatus.ASSUMPTION,
        _("The public record does not say how 2016–2021 totals were formed; the app's "
          "reading."),
        ("ombudsman-2016",)),
    MethodRule(
        "ranking", _("Ranking and ties"),
        _("Higher score first; equal scores share a rank (1, 2, 2, 4). Ranks are per peer "
          "group (provinces, kabupaten, kota), nationally and within a province."),
        RuleStatus.CONFIRMED,
        _("Published rankings (Muna Barat 2021: 13th of 15 kabupaten, 16th of 18 in the "
          "province).")),
    MethodRule(
        "follow-up-products", _("Follow-up of the Ombudsman's products"),
        _("The indicator “follow-up of the Ombudsman's corrective actions, suggestions and "
          "recommendations” takes the share of the government's products due by today that "
          "were followed up by their due date, on its 0–3 scale rounded down: all → 3, at "
          "least two thirds → 2, at least one third → 1, less → 0; no product due → not "
          "applicable. A product counts once followed up, whether or not an assessor has "
          "verified it; an assessor's verification writes the value into the government's "
          "units that are not finalised."),
        RuleStatus.ASSUMPTION,
        _("The 2025 instrument names the follow-up of the Ombudsman's products in the "
          "Complaints dimension (single source); how it becomes a value is not public: the "
          "app's rule. See docs/methodology.md."),
        ("ombudsman-2025",)),
    MethodRule(
        "tie-order", _("Order of tied governments"),
        _("Governments that share a rank are listed by name."),
        RuleStatus.ASSUMPTION,
        _("The published tables do not say how ties are ordered; the app's order.")),
)


def rules_for(methodology_code: str) -> list[MethodRule]:
    return [rule for rule in RULES if rule.applies_to(methodology_code)]
