"""The checklist's indicator rows and component cards, rendered once and cached under a digest
of what they show.

A row's key is a digest of every value its templates read: the row templates' own source, the
language, the URL prefix, the unit, whether the user may edit, the value options, the
indicator (code, text, expected evidence), the answer (value, not applicable, note, version)
and each evidence item. Any change to one of them (a save, a return that locks the
checklist, an attached file, an edited instrument, a new release of the templates) gives a new
key, so a cached row is never stale and nothing has to be invalidated: old keys simply expire.

The CSRF token differs per user and must not enter a shared cache: rows are rendered with a
placeholder in its place, filled with the request's own token when the page is put together.

A component's card (its header, score and rows) is cached the same way, its key made of its
own inputs (the component, its stored score, the language) and its rows' keys: a save changes
one row and its component's score, so one card is put together again from its rows and the
other cards come whole.

With a shared cache (``CACHE_URL``, Redis) a row rendered by one application server serves the
others; without one each process keeps its own. One cache round trip per page (``get_many`` of
the cards), two after a change (the changed card's rows).
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


BLOCK_TEMPLATE = "assessments/includes/checklist_block.html"
BLOCK_TEMPLATES = (BLOCK_TEMPLATE, "assessments/includes/component_score.html")


@lru_cache(maxsize=2)
def templates_digest(names=ROW_TEMPLATES) -> str:
    digest = hashlib.blake2b(digest_size=8)
    for name in names:
        digest.update(get_template(name).template.source.encode())
    return digest.hexdigest()


def page_inputs(assessment, can_edit, options) -> tuple:
    """What every row of one page shares: the templates, the language, the URL prefix, the
    unit, the edit right and the value options."""
    return (templates_digest(), get_language(), get_script_prefix(), assessment.id,
            bool(can_edit), tuple((value, str(label)) for value, label in options))


def row_inputs(shared, line) -> tuple:
    """Everything the row templates read, as plain values (``shared``: ``page_inputs``)."""
    indicator, answer = line.indicator, line.answer
    component = indicator.component if indicator.component_id else None
    return (
        shared,
        (indicator.id, indicator.code, indicator.order, indicator.text, indicator.evidence,
         component.letter if component else None),
        None if answer is None else (answer.value, answer.not_applicable, answer.note,
                                     answer.version),
        tuple((item.id, item.kind, item.original_name, item.size, item.url, str(item))
              for item in line.evidence or ()),
    )


def block_inputs(shared, block, row_keys) -> tuple:
    """Everything a block's card reads besides its rows (given by their keys)."""
    component, dimension = block.component, block.dimension
    return (
        templates_digest(BLOCK_TEMPLATES), shared[1:3],
        None if component is None else (component.id, component.code, component.letter,
                                        component.name_id, component.name_en,
                                        component.must_publish),
        None if component is not None or dimension is None
        else (dimension.id, dimension.code, str(dimension.name)),
        None if block.score is None else str(block.score),
        tuple(row_keys),
    )


def cache_key(kind, inputs) -> str:
    return f"{kind}:" + hashlib.blake2b(repr(inputs).encode(), digest_size=20).hexdigest()


def render_blocks(token, assessment, blocks, can_edit, options) -> list:
    """The HTML of each of the checklist's blocks (a component's card with its rows), from the
    cache where it has them, with ``token`` (the request's CSRF token, the one the rest of the
    page shows) in their forms. A save changes one row and its block's score: that block is
    put together again from its rows (the others' rows from the cache too), the rest come
    whole. Two cache round trips at most (blocks, then the missing blocks' rows)."""
    shared = page_inputs(assessment, can_edit, options)
    row_keys = [[cache_key("row", row_inputs(shared, line)) for line in block.lines]
                for block in blocks]
    block_keys = [cache_key("block", block_inputs(shared, block, keys))
                  for block, keys in zip(blocks, row_keys)]
    found = cache.get_many(block_keys)
    missing = [index for index, key in enumerate(block_keys) if key not in found]
    if missing:
        wanted = [key for index in missing for key in row_keys[index]]
        rows = cache.get_many(wanted)
        new_rows, new_blocks = {}, {}
        for index in missing:
            block = blocks[index]
            html = []
            for line, key in zip(block.lines, row_keys[index]):
                row = rows.get(key)
                if row is None:
                    row = new_rows[key] = rows[key] = render_to_string(ROW_TEMPLATE, {
                        "line": line, "assessment": assessment, "can_edit": can_edit,
                        "options": options, "csrf_token": TOKEN_PLACEHOLDER})
                html.append(mark_safe(row))
            found[block_keys[index]] = new_blocks[block_keys[index]] = render_to_string(
                BLOCK_TEMPLATE, {"block": block, "rows": html})
        cache.set_many({**new_rows, **new_blocks}, TIMEOUT)
    return [mark_safe(found[key].replace(TOKEN_PLACEHOLDER, token)) for key in block_keys]
