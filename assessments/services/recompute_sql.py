"""The self-scores of a whole round in one set-based PostgreSQL statement.

``recompute_scores`` brought every answer of a round into Python to score it with
``compute_unit``: ~25 × the cost of aggregating the same answers in SQL. Here the same rules run
where the answers are. The rules are ``compliance.scoring``'s, and ``compute_unit`` stays their
reference: ``round_differences`` compares both on a whole round (the tests and ``make bench`` do).

How the arithmetic stays the same as the Python path's, to the cent:
- every figure is ``numeric`` or integer, never float; indicator weights (two decimals) enter
  as integer hundredths, which leaves each component's ratio Σ(weight × value) / Σ(weight × max)
  unchanged (``max`` is each indicator's own scale);
- a component's rounded score is exact integer arithmetic (half-up); the unit's score runs
  through 30-place divisions and is rounded at 20 places, then half-up at 2 (``_cents``), so an
  exact half cent (77.275, or 93.125 reached through 83.33…) rounds up as ``round2`` does;
- a component with nothing applicable has no score (None), an unanswered indicator counts 0,
  a dimension is the mean of its components that have a score (or the unit's survey score), a
  unit the weighted mean of its dimensions that have a score (without dimensions: the mean of
  its component scores), exactly as ``compute_unit`` does.

The round's assessments are locked first (as ``answer_save`` locks the one it changes), so that
the statement reads answers no writer is changing. The statement is a read (PostgreSQL runs the
aggregation in parallel workers, which it refuses to a statement that also writes) and returns
only the assessments whose figures differ from the stored ones; those few are written back in
bulk. On a consistent round it returns nothing and nothing is written.
"""
from decimal import Decimal, localcontext

from django.db import connection, transaction

from compliance.scoring import COMPONENT_MEAN
from compliance.specs import instrument_spec

from ..models import Assessment, ComponentScore, Round
from .scores import checklist_indicators

SCALE = 30  # decimal places of the divisions (Python's Decimal: 28 significant digits)


class SqlUnsupported(Exception):
    """The round's instrument needs the portable path (points roll-ups or per-product
    indicators)."""


def _count(terms):
    """How many of the terms are not NULL (an SQL expression)."""
    return " + ".join(f"({term} IS NOT NULL)::int" for term in terms)


def _mean(terms):
    """The mean of the terms that are not NULL, NULL when none is (an SQL expression)."""
    count = " + ".join(f"({term} IS NOT NULL)::int" for term in terms)
    total = " + ".join(f"COALESCE({term}, 0)" for term in terms)
    return f"({total}) / NULLIF({count}, 0)"


def _cents(expression):
    """Half-up to two decimals, through 20 places: the 30-place divisions and 40-place
    reciprocals leave an error in their last digits (100 / 3 × 3 is 99.99…9), and a score, a
    fraction of small numbers, is never within 10^-20 of a half cent without being on it
    (93.125 stays 93.125 -> 93.13, where rounding 93.1249…9 directly would give 93.12)."""
    return f"ROUND(ROUND({expression}, 20), 2)"


def _reciprocal(denominator: int) -> str:
    """100 / denominator to 40 places, as an SQL literal (exact digits, from Decimal)."""
    with localcontext() as context:
        context.prec = 80
        return str((Decimal(100) / Decimal(denominator)).quantize(Decimal(1).scaleb(-40)))


def _decimal(value) -> str:
    """A Decimal from the instrument (a dimension's weight) as an SQL numeric literal."""
    value = Decimal(value)
    if not value.is_finite():
        raise SqlUnsupported(f"weight {value}")
    return f"CAST('{value}' AS numeric)"


def _points(numerators, not_applicable, total):
    """100 × Σ numerators / (total − Σ not_applicable), NULL when nothing is applicable: the
    points rule over some atoms' sums (SQL column names, weights in hundredths; ``total`` the
    atoms' Σ weight × max). Without N/A (the usual case) the denominator is the constant
    ``total``, and a multiplication by its reciprocal (40 places) replaces the division."""
    if not total:
        return "NULL::numeric"
    n = " + ".join(f"COALESCE({term}, 0)" for term in numerators)
    x = " + ".join(f"COALESCE({term}, 0)" for term in not_applicable)
    return (f"CASE WHEN ({x}) = 0 THEN ({n}) * {_reciprocal(total)} ELSE "
            f"CAST(({n}) * 100 AS numeric(60, {SCALE})) / NULLIF({total} - ({x}), 0) END")


def _columns(pairs):
    return "".join(f", {expression} AS {name}" for name, expression in pairs)


def _scored(round_id, stored=False):
    """One SELECT with a row per assessment of the round: its stored figures (self_score,
    answered_count, status), the new ones (new_score, new_answered, new_status) and its
    rounded component scores c0, c1, … (in the order of the returned component ids); with
    ``stored``, also the stored component scores o0, o1, … (-1 for a stored NULL, NULL for no
    row), gathered per assessment in one more pass.

    The indicators fall into atoms: (dimension, component or none, per product or not). The
    answers are aggregated in one pass (the shape of the plain GROUP BY) per assessment and
    product sample (none for a per-unit answer), with a pair of filtered integer sums per atom
    (Σ weight × value over the applicable answers, Σ weight × max over the N/A ones; weights in
    hundredths, which leaves each ratio unchanged). Every figure ``instrument_unit`` computes
    is the points rule over a union of atoms — a points dimension, one component's part of a
    component-mean dimension, a component (over every dimension it spans) — so it is a sum of
    atom columns and one division. A figure holding per-product indicators is, for a unit with
    sampled products, computed once per sample (per-unit atoms from the unit's row, per-product
    ones from the sample's) and averaged over the samples that have one (a sample without
    answers counts, its indicators unanswered); for a unit without samples, from the answers
    without a product, as ``_over_products`` reads them."""
    round_ = Round.objects.only("instrument_id").get(id=round_id)
    spec = instrument_spec(round_.instrument_id)
    if not spec.sql_ready:
        raise SqlUnsupported(f"instrument {spec.code} {spec.version}")
    indicators = checklist_indicators(round_.instrument_id)
    atoms = {}  # (dimension code, component id, per product) -> atom number
    for i in indicators:
        atoms.setdefault((i.dimension, i.component_id, bool(i.per_product)), len(atoms))
    keys = list(atoms)
    totals = [0] * len(keys)  # Σ weight (hundredths) × max per atom
    for i in indicators:
        totals[atoms[(i.dimension, i.component_id, bool(i.per_product))]] += (
            int(i.weight * 100) * i.scale_max)
    per_product = {a for a, key in enumerate(keys) if key[2]}
    products = bool(per_product)  # whether the statement reads the product samples
    components = sorted({i.component_id for i in indicators if i.component_id is not None})

    def points(members, source):
        """The points rule over the atoms ``members``; ``source(atom)``: the alias whose row
        holds that atom's sums."""
        return _points([f"{source(a)}.n{a}" for a in members],
                       [f"{source(a)}.x{a}" for a in members],
                       sum(totals[a] for a in members))

    def unit_source(_atom):
        return "u"

    def product_source(atom):
        return "p" if atom in per_product else "u"

    # Every figure as (name, groups of atoms, mean over the groups, per product): a points
    # dimension is one group; a component-mean dimension one group per component (the
    # indicators without a component are one more, as ``_component_mean`` groups them).
    figures = []
    for j, dim in enumerate(spec.dimensions):
        if dim.is_survey:
            continue
        members = [a for a, key in enumerate(keys) if key[0] == dim.code]
        if dim.rollup == COMPONENT_MEAN:
            grouped = {}
            for a in members:
                grouped.setdefault(keys[a][1], []).append(a)
            groups = list(grouped.values())
        else:
            groups = [members] if members else []
        figures.append((f"d{j}", groups, dim.rollup == COMPONENT_MEAN,
                        any(a in per_product for a in members)))
    for k, component_id in enumerate(components):
        members = [a for a, key in enumerate(keys) if key[1] == component_id]
        figures.append((f"s{k}", [members], False, any(a in per_product for a in members)))

    def first_columns(name, groups, mean, source, prefix, guard="{}"):
        """The columns read from the answer rows: each group's points for a mean of groups,
        else the figure itself."""
        if not groups:
            return [(f"{prefix}{name}", "NULL::numeric")]
        if not mean:
            return [(f"{prefix}{name}", guard.format(points(groups[0], source)))]
        return [(f"{prefix}{name}_{g}", guard.format(points(group, source)))
                for g, group in enumerate(groups)]

    def second_columns(name, groups, mean, prefix):
        """The mean of the groups, from the first columns."""
        if not groups or not mean:
            return []
        return [(f"{prefix}{name}",
                 _mean([f"{prefix}{name}_{g}" for g in range(len(groups))]))]

    if indicators:
        ind_values = ", ".join(
            f"({int(i.id)}, {atoms[(i.dimension, i.component_id, bool(i.per_product))]}, "
            f"{int(i.weight * 100)}, {int(i.scale_max)}, {'true' if i.per_product else 'false'})"
            for i in indicators)
    else:
        ind_values = "(NULL::bigint, NULL::int, 0, 1, false)"
    sums = []
    for a in range(len(keys)):
        sums.append((f"n{a}", f"SUM(ind.w * an.value) FILTER (WHERE ind.k = {a}"
                              f" AND NOT an.not_applicable)"))
        sums.append((f"x{a}", f"SUM(ind.w * ind.m) FILTER (WHERE ind.k = {a}"
                              f" AND an.not_applicable)"))
    given = "(an.not_applicable OR an.value IS NOT NULL)"
    ctes = [f"""agg AS (
            SELECT an.assessment_id AS aid, an.product_sample_id AS pid,
                   (COUNT(*) FILTER (WHERE NOT ind.pp AND {given}))::int AS cu,
                   (COUNT(*) FILTER (WHERE ind.pp AND {given}))::int AS cp{_columns(sums)}
            FROM assessments_answer an
            JOIN assessments_assessment r ON r.id = an.assessment_id
            JOIN (VALUES {ind_values}) AS ind(indicator_id, k, w, m, pp)
              ON ind.indicator_id = an.indicator_id
            WHERE r.round_id = %(round)s{"" if products else
                                          " AND an.product_sample_id IS NULL"}
            GROUP BY an.assessment_id, an.product_sample_id)"""]
    varying = [figure for figure in figures if figure[3]]
    product_join, has_products = "", "false"
    if products:
        # Per sample: the per-product figures (each group first where a mean of groups).
        first = [column for name, groups, mean, _v in varying
                 for column in first_columns(name, groups, mean, product_source, "p")]
        second = [column for name, groups, mean, _v in varying
                  for column in second_columns(name, groups, mean, "p")]
        means = [(f"m{name}", f"SUM(p{name}) / NULLIF(COUNT(p{name}), 0)")
                 for name, _g, _m, _v in varying]
        ctes.append(f"""per_sample AS (
            SELECT *{_columns(second)}
            FROM (
                SELECT ps.assessment_id AS aid, COALESCE(p.cp, 0) AS cp{_columns(first)}
                FROM assessments_productsample ps
                JOIN assessments_assessment r ON r.id = ps.assessment_id
                LEFT JOIN agg u ON u.aid = ps.assessment_id AND u.pid IS NULL
                LEFT JOIN agg p ON p.aid = ps.assessment_id AND p.pid = ps.id
                WHERE r.round_id = %(round)s
                OFFSET 0) grouped
            OFFSET 0)""")
        ctes.append(f"""sampled AS (
            SELECT aid, SUM(cp)::int AS product_answered{_columns(means)}
            FROM per_sample GROUP BY aid)""")
        product_join = "\n                    LEFT JOIN sampled pm ON pm.aid = a.id"
        has_products = "pm.aid IS NOT NULL"
    # Per assessment: the figures from the unit's own row (for a per-product figure only where
    # the unit has no samples), then each figure from one or the other.
    unit_first, unit_mean, unit_second = [], [], []
    for name, groups, mean, vary in figures:
        guard = "CASE WHEN pm.aid IS NULL THEN {} END" if vary and products else "{}"
        unit_first += first_columns(name, groups, mean, unit_source, "u", guard)
        unit_mean += second_columns(name, groups, mean, "u")
        unit_second.append((name, f"CASE WHEN has_products THEN m{name} ELSE u{name} END"
                            if vary and products else f"u{name}"))
    dimensions = []
    for j, dim in enumerate(spec.dimensions):
        if dim.is_survey:
            dimensions.append(f"survey_score AS d{j}")
    cents = [(f"c{k}", _cents(f"s{k}")) for k in range(len(components))]
    terms = [f"d{j}" for j in range(len(spec.dimensions))]
    if not terms:
        unit = "NULL::numeric"
    else:
        weights = [_decimal(dim.weight) for dim in spec.dimensions]
        numerator = " + ".join(f"COALESCE({term} * {w}, 0)" for term, w in zip(terms, weights))
        denominator = " + ".join(f"CASE WHEN {term} IS NULL THEN 0 ELSE {w} END"
                                 for term, w in zip(terms, weights))
        # One dimension with a score (and a weight): the unit is that score, exactly.
        scored = " + ".join(f"CASE WHEN {term} IS NULL OR {w} = 0 THEN 0 ELSE 1 END"
                            for term, w in zip(terms, weights))
        only = "COALESCE(" + ", ".join(terms) + ")"
        unit = (f"CASE WHEN ({scored}) = 1 AND ({_count(terms)}) = 1 THEN {only} ELSE "
                f"CAST({numerator} AS numeric(70, {SCALE + 2})) / NULLIF({denominator}, 0) END")
    stored_columns, stored_join = "", ""
    if stored and components:
        stored_columns = "".join(f", old.o{k}" for k in range(len(components)))
        stored_join = f"""
                    LEFT JOIN (
                        SELECT cs.assessment_id{"".join(
                            f", MAX(COALESCE(cs.self_score, -1)) FILTER "
                            f"(WHERE cs.component_id = {int(component_id)}) AS o{k}"
                            for k, component_id in enumerate(components))}
                        FROM assessments_componentscore cs
                        JOIN assessments_assessment r ON r.id = cs.assessment_id
                        WHERE r.round_id = %(round)s
                        GROUP BY cs.assessment_id) old ON old.assessment_id = a.id"""
    pm_columns = "".join(f", pm.m{name}" for name, *_rest in varying) if products else ""
    answered = ("COALESCE(u.cu, 0) + CASE WHEN pm.aid IS NULL THEN COALESCE(u.cp, 0) "
                "ELSE pm.product_answered END" if products
                else "COALESCE(u.cu, 0) + COALESCE(u.cp, 0)")
    # Each layer is fenced (OFFSET 0) so that its columns are computed once per assessment,
    # not substituted as expressions into the next layer's every use.
    sql = f"""
        WITH {", ".join(ctes)}
        SELECT *, CASE WHEN status = %(not_started)s AND new_answered > 0
                       THEN %(in_progress)s ELSE status END AS new_status,
               {_cents(unit)} AS new_score
        FROM (
            SELECT *{"".join(f", {column}" for column in dimensions)}{_columns(cents)}
            FROM (
                SELECT *{_columns(unit_second)}
                FROM (
                SELECT *{_columns(unit_mean)}
                FROM (
                    SELECT a.id, a.survey_score, a.self_score, a.answered_count, a.status,
                           ({answered})::int AS new_answered,
                           {has_products} AS has_products{pm_columns}{stored_columns}
                           {_columns(unit_first)}
                    FROM assessments_assessment a
                    LEFT JOIN agg u ON u.aid = a.id AND u.pid IS NULL{product_join}{stored_join}
                    WHERE a.round_id = %(round)s
                    OFFSET 0) own
                OFFSET 0) grouped
                OFFSET 0) figured
            OFFSET 0) dimensioned
        OFFSET 0"""
    params = {"round": round_id, "not_started": Assessment.Status.NOT_STARTED.value,
              "in_progress": Assessment.Status.IN_PROGRESS.value}
    return sql, params, components


def _session(cursor):
    """For this transaction only: room to aggregate a round in memory (the default 4 MB
    spills to disk), and no JIT compilation, which costs more than it saves on one pass."""
    cursor.execute("SET LOCAL work_mem = '64MB'")
    cursor.execute("SET LOCAL jit = off")


def _changes(cursor, round_id):
    """The figures that differ from the stored ones: ([(assessment id, score, answered,
    status)], [(assessment id, component id, score)])."""
    scored, params, components = _scored(round_id, stored=True)
    differs = "".join(f" OR o{k} IS NULL OR o{k} <> COALESCE(c{k}, -1)"
                      for k in range(len(components)))
    cursor.execute(f"""
        SELECT * FROM ({scored}) t
        WHERE new_score IS DISTINCT FROM self_score OR new_answered <> answered_count
              OR new_status <> status{differs}""", params)
    names = [column.name for column in cursor.description]
    units, scores = [], []
    for row in cursor.fetchall():
        found = dict(zip(names, row))
        if (found["new_score"], found["new_answered"], found["new_status"]) != (
                found["self_score"], found["answered_count"], found["status"]):
            units.append((found["id"], found["new_score"], found["new_answered"],
                          found["new_status"]))
        for k, component_id in enumerate(components):
            new, old = found[f"c{k}"], found[f"o{k}"]
            if old is None or old != (-1 if new is None else new):
                scores.append((found["id"], component_id, new))
    return units, scores


def recompute_round_sql(round_id, now) -> tuple[int, int, int]:
    """Recompute a round's stored self-scores; returns (assessments, assessments changed,
    component scores written)."""
    with transaction.atomic(), connection.cursor() as cursor:
        _session(cursor)
        cursor.execute(
            "SELECT COUNT(*) FROM (SELECT id FROM assessments_assessment WHERE round_id = %s "
            "ORDER BY id FOR UPDATE) locked", [round_id])
        assessments = cursor.fetchone()[0]
        units, scores = _changes(cursor, round_id)
        if scores:
            ComponentScore.objects.bulk_create(
                [ComponentScore(assessment_id=a, component_id=c, self_score=score)
                 for a, c, score in scores], batch_size=1000, update_conflicts=True,
                unique_fields=["assessment", "component"], update_fields=["self_score"])
        if units:
            Assessment.objects.bulk_update(
                [Assessment(id=a, self_score=score, answered_count=answered, status=status,
                            updated_at=now) for a, score, answered, status in units],
                ["self_score", "answered_count", "status", "updated_at"], batch_size=1000)
    return assessments, len(units), len(scores)


def round_scores_sql(round_id) -> tuple[dict, dict]:
    """What the statement computes, without writing: ({assessment id: (score, answered)},
    {(assessment id, component id): score}), rounded to two decimals."""
    scored, params, components = _scored(round_id)
    units, scores = {}, {}
    with transaction.atomic(), connection.cursor() as cursor:
        _session(cursor)
        cursor.execute(scored, params)
        names = [column.name for column in cursor.description]
        for row in cursor.fetchall():
            found = dict(zip(names, row))
            units[found["id"]] = (found["new_score"], found["new_answered"])
            for k, component_id in enumerate(components):
                scores[(found["id"], component_id)] = found[f"c{k}"]
    return units, scores


def round_differences(round_id) -> list:
    """Every figure of the round on which the SQL statement and ``compute_unit`` disagree at two
    decimals (an empty list is the expected answer): (what, key, SQL, Python)."""
    from .scores import round_scores_python

    sql_units, sql_components = round_scores_sql(round_id)
    py_units, py_components = round_scores_python(round_id)
    differences = []
    for what, sql, python in (("unit", sql_units, py_units),
                              ("component", sql_components, py_components)):
        for key in sorted(set(sql) | set(python)):
            if sql.get(key, "missing") != python.get(key, "missing"):
                differences.append((what, key, sql.get(key, "missing"),
                                    python.get(key, "missing")))
    return differences
