"""The large exports, each as two steps that the direct download and the background job share:
``authorize`` (the scope lookups and the right, asked of the access policy: 404 outside the
scope, 403 without the right) and ``build`` (the file, for that user, in the active language).

The direct views call both at once; a background job (the exports app) calls ``authorize`` when
it is requested, again when the worker starts, and again at every download, then ``build`` in
the worker. Only ids travel in ``params``, so the same job can be authorised again later for a
user who may have lost the role since. ``base_url`` is the site address the request came in on:
the workbooks link each evidence file through it.
"""
import io
from dataclasses import dataclass
from typing import Callable

from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify

from agencies.access import (government_or_404, may_compare, may_download_national_workbook,
                             may_download_province_report, may_read_verified,
                             may_view_government, report_agency_ids, require)
from agencies.models import Government, Province
from compliance.spreadsheets.print_setup import display_name

from .lookups import round_or_404
from .pdf import PDF, render_pdf
from .selectors.government_rapor import government_rapor
from .selectors.rankings import ranking
from .selectors.round_report import history_of
from .spreadsheets.national_export import national_workbook
from .spreadsheets.round_report import round_workbook

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@dataclass(frozen=True)
class File:
    content: bytes
    filename: str
    content_type: str


def _no_progress(_percent):
    pass


def _evidence_url(base_url):
    base = base_url.rstrip("/")

    def build(evidence):
        return base + reverse("evidence-download", args=[evidence.id])
    return build


class GovernmentWorkbook:
    """One government's round workbook: its units the reader may see (an operator only their
    own agency's), verified values only where the reader may read them."""

    @staticmethod
    def authorize(user, params) -> dict:
        government = government_or_404(user, params["government"])
        return {"government": government, "round": round_or_404(params["round"])}

    @staticmethod
    def subject(objects) -> str:
        return f"{objects['government'].name}, {objects['round'].name}"

    @staticmethod
    def build(user, objects, *, base_url, progress=_no_progress) -> File:
        government, round_ = objects["government"], objects["round"]
        data = ranking(round_=round_, province=government.province, group=government.level) \
            if round_.is_published else None
        progress(30)
        content = round_workbook(
            round_=round_, governments=[government], ranking_=data,
            history=history_of([government]),
            verified=may_read_verified(user, round_, government.id),
            agency_ids=report_agency_ids(user, government.id),
            evidence_url=_evidence_url(base_url), made_by=display_name(user))
        return File(content, f"rapor-{round_.year}-{slugify(government.name)}.xlsx", XLSX)


class ProvinceWorkbook:
    """A province's workbook: the governments of the province the reader may see, each with its
    units; the published ranking of the whole province (public anyway)."""

    @staticmethod
    def authorize(user, params) -> dict:
        province = get_object_or_404(Province, id=params["province"])
        everyone = list(Government.objects.filter(province=province)
                        .select_related("province").order_by("name"))
        require(may_download_province_report(user, [g.id for g in everyone]))
        governments = [g for g in everyone if may_view_government(user, g.id)]
        return {"province": province, "governments": governments,
                "round": round_or_404(params["round"])}

    @staticmethod
    def subject(objects) -> str:
        return f"{objects['province'].name}, {objects['round'].name}"

    @staticmethod
    def build(user, objects, *, base_url, progress=_no_progress) -> File:
        province, governments, round_ = (objects["province"], objects["governments"],
                                         objects["round"])
        data = ranking(round_=round_, province=province, group="all") if round_.is_published \
            else None
        progress(20)
        content = round_workbook(round_=round_, governments=governments, ranking_=data,
                                 history=history_of(governments),
                                 verified=all(may_read_verified(user, round_, g.id)
                                              for g in governments),
                                 evidence_url=_evidence_url(base_url),
                                 made_by=display_name(user))
        return File(content, f"laporan-{round_.year}-{slugify(province.name)}.xlsx", XLSX)


class GovernmentRapor:
    """The government's rapor as a PDF: the same readers as the comparison page
    (``may_compare``), verified figures and findings."""

    @staticmethod
    def authorize(user, params) -> dict:
        government = government_or_404(user, params["government"])
        round_ = round_or_404(params["round"])
        require(may_compare(user, government.id, round_))
        return {"government": government, "round": round_}

    @staticmethod
    def subject(objects) -> str:
        return f"{objects['government'].name}, {objects['round'].name}"

    @staticmethod
    def build(user, objects, *, base_url, progress=_no_progress) -> File:
        government, round_ = objects["government"], objects["round"]
        report = government_rapor(government=government, round_=round_)
        progress(40)
        content = render_pdf("assessments/reports/pdf/government.html", {
            "report": report, "government": government, **signature(government)})
        name = slugify(government.name) or "government"
        return File(content, f"rapor-{round_.year}-{name}-{government.id}.pdf", PDF)


class NationalWorkbook:
    """Every government and every unit × component of a round: administrators only (it holds
    every government's rows)."""

    @staticmethod
    def authorize(user, params) -> dict:
        require(may_download_national_workbook(user))
        return {"round": round_or_404(params["round"])}

    @staticmethod
    def subject(objects) -> str:
        return objects["round"].name

    @staticmethod
    def build(user, objects, *, base_url, progress=_no_progress) -> File:
        round_ = objects["round"]
        buffer = io.BytesIO()
        national_workbook(round_, buffer, made_by=display_name(user), progress=progress)
        return File(buffer.getvalue(), f"nasional-{round_.year}-{round_.id}.xlsx", XLSX)


KINDS: dict[str, type] = {
    "national": NationalWorkbook,
    "province": ProvinceWorkbook,
    "government": GovernmentWorkbook,
    "government_rapor": GovernmentRapor,
}


def signature(government) -> dict:
    """The place and date of the signature block: the government's name (its seat is not
    recorded), today."""
    return {"place": government.name, "today": timezone.localdate()}


def direct(kind: str, request, params) -> File:
    """The direct download: authorise and build in the request."""
    exporter = KINDS[kind]
    objects = exporter.authorize(request.user, params)
    return exporter.build(request.user, objects, base_url=request.build_absolute_uri("/"))


ProgressCallback = Callable[[int], None]
