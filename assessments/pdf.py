"""PDF documents (the rapors) rendered on the server with WeasyPrint.

The PDF templates carry their own CSS and name no external resource: the fetcher below refuses
every URL, so a template that reached for a stylesheet, an image or a font by URL fails loudly
in the tests instead of fetching anything when it runs. Fonts come from the system (Debian's
``fonts-dejavu-core``); WeasyPrint needs Pango (``libpango-1.0-0``, ``libpangoft2-1.0-0``).
"""
from django.template.loader import render_to_string
from weasyprint import HTML
from weasyprint.urls import FatalURLFetchingError, URLFetcher

PDF = "application/pdf"


class NoFetching(URLFetcher):
    def fetch(self, url, headers=None):
        raise FatalURLFetchingError(f"a PDF template may not load {url[:80]!r}")


def render_pdf(template_name: str, context: dict, request=None) -> bytes:
    """The template rendered in the active language, as PDF bytes."""
    html = render_to_string(template_name, context, request=request)
    return HTML(string=html, url_fetcher=NoFetching()).write_pdf()
