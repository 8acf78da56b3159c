"""The checklist's indicator rows, rendered once and cached under a digest of what they show.

A row's key is a digest of every value its templates read: the row templates' own source, the
language, the URL prefix, the unit, whether the user may edit, the value options, the
indicator (code, text, expected evidence), the answer (value, not applicable, note, version)
and each evidence item. Any change to one of them (a save, a return that locks the
checklist, an attached file, an edited instrument, a new release of the templates) gives a new
key, so a cached row is never stale and nothing has to be invalidated: old keys simply expire.

The CSRF token differs per user and must not enter a shared cache: rows are rendered with a
placeholder in its place, filled with the request's own token when the page is put together.

With a shared cache (``CACHE_URL``, Redis) a row rendered by one application server serves the
others; without one each process keeps its own. One cache round trip per page (``get_many``).
"""
import hashlib
from functools import lru_cache

from django.core.cache import cache
from django.template.loader import get_template, render_to_string
from django.urls import get_script_prefix
from django.utils.safestring import mark_safe
from django.utils.translation import get_language

ROW_TEMPLATE = "assessments/includes/indicator_row.html"
# Every template the row includes (their sources enter the key).
ROW_TEMPLATES = (ROW_TEMPLATE, "assessments/includes/indicator_code.html",
                 "assessments/includes/indicator_status.html",
                 "assessments/includes/answer_form.html",
                 "assessments/includes/answer_state.html",
                 "assessments/includes/evidence_block.html")
TOKEN_PLACEHOLDER = "csrf-token-placeholder-0b6e"
TIMEOUT = 3600  # a row outlives its page view by little: a save gives the next key


@lru_cache(maxsize=1)
def templates_digest() -> str:
    digest = hashlib.blake2b(digest_size=8)
    for name in ROW_TEMPLATES:
        digest.update(get_template(name).template.source.encode())
    return digest.hexdigest()


def row_inputs(assessment, line, can_edit, options) -> tuple:
    """Everything the row templates read, as plain values."""
    indicator, answer = line.indicator, line.answer
    component = indicator.component if indicator.component_id else None
    return (
        templates_digest(), get_language(), get_script_prefix(), assessment.id, bool(can_edit),
        tuple((value, str(label)) for value, label in options),
        (indicator.id, indicator.code, indicator.order, indicator.text, indicator.evidence,
         component.letter if component else None),
        None if answer is None else (answer.value, answer.not_applicable, answer.note,
                                     answer.version),
        tuple((item.id, item.kind, item.original_name, item.size, item.url, str(item))
              for item in line.evidence or ()),
    )


def row_key(inputs) -> str:
    return "row:" + hashlib.blake2b(repr(inputs).encode(), digest_size=20).hexdigest()


def render_rows(token, assessment, lines, can_edit, options) -> dict:
    """{indicator id: the row's HTML} for ``lines``, from the cache where it has them, with
    ``token`` (the request's CSRF token, the one the rest of the page shows) in its forms."""
    keys = {line.indicator.id: row_key(row_inputs(assessment, line, can_edit, options))
            for line in lines}
    found = cache.get_many(list(keys.values()))
    missing = {}
    rows = {}
    for line in lines:
        key = keys[line.indicator.id]
        html = found.get(key)
        if html is None:
            html = render_to_string(ROW_TEMPLATE, {
                "line": line, "assessment": assessment, "can_edit": can_edit,
                "options": options, "csrf_token": TOKEN_PLACEHOLDER})
            missing[key] = html
        rows[line.indicator.id] = html
    if missing:
        cache.set_many(missing, TIMEOUT)
    return {indicator_id: mark_safe(html.replace(TOKEN_PLACEHOLDER, token))
            for indicator_id, html in rows.items()}
