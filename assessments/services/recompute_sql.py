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

from compliance.specs import instrument_spec

from ..models import Assessment, ComponentScore, Round
from .scores import checklist_indicators

SCALE = 30  # decimal places of the divisions (Python's Decimal: 28 significant digits)


class SqlUnsupported(Exception):
    """The round's instrument needs the portable path (points roll-ups or per-product
    indicators)."""


def _values(rows, columns):
    """A VALUES list with placeholders, and its flat parameters."""
    placeholders = ", ".join("(" + ", ".join(["%s"] * columns) + ")" for _row in rows)
    return placeholders, [value for row in rows for value in row]


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


def _scored(round_id, stored=False):
    """One SELECT with a row per assessment of the round: its stored figures (self_score,
    answered_count, status), the new ones (new_score, new_answered, new_status) and its
    rounded component scores c0, c1, … (in the order of the returned component ids); with
    ``stored``, also the stored component scores o0, o1, … (-1 for a stored NULL, NULL for no
    row), gathered per assessment in one more pass.

    The answers are aggregated per assessment in one pass (the shape of the plain GROUP BY),
    with a pair of filtered integer sums per component (weights in hundredths, which leaves
    each ratio unchanged); the scores are then expressions over that row. A component's
    rounded score is integer arithmetic: ⌊(20000 n + d) / 2d⌋ cents for 100 n / d, half-up."""
    round_ = Round.objects.only("instrument_id").get(id=round_id)
    spec = instrument_spec(round_.instrument_id)
    if not spec.sql_ready:
        raise SqlUnsupported(f"instrument {spec.code} {spec.version}")
    indicators = checklist_indicators(round_.instrument_id)
    components = sorted({i.component_id for i in indicators})
    position = {component_id: k for k, component_id in enumerate(components)}
    totals = [0] * len(components)  # Σ weight (hundredths) × max per component
    for indicator in indicators:
        totals[position[indicator.component_id]] += (int(indicator.weight * 100)
                                                     * indicator.scale_max)
    if indicators:
        ind_values, params = _values(
            [(i.id, position[i.component_id], int(i.weight * 100), i.scale_max)
             for i in indicators], 4)
    else:
        ind_values, params = "(NULL::bigint, NULL::int, 0, 1)", []
    sums, scores, cents = [], [], []
    for k, total in enumerate(totals):
        sums.append(f"SUM(ind.w * an.value) FILTER (WHERE ind.k = {k} AND NOT an.not_applicable)"
                    f" AS n{k}, SUM(ind.w * ind.m) FILTER (WHERE ind.k = {k}"
                    f" AND an.not_applicable) AS a{k}")
        denominator = f"({total} - COALESCE(a{k}, 0))"
        # Without N/A (the usual case) the denominator is the component's constant, and a
        # multiplication by its reciprocal (40 places) replaces the division.
        reciprocal = _reciprocal(total) if total else "NULL::numeric"
        scores.append(f"CASE WHEN a{k} IS NULL THEN COALESCE(n{k}, 0) * {reciprocal} ELSE "
                      f"CAST(COALESCE(n{k}, 0) * 100 AS numeric(60, {SCALE}))"
                      f" / NULLIF({denominator}, 0) END AS s{k}")
        cents.append(f"((20000 * COALESCE(n{k}, 0) + {denominator})"
                     f" / NULLIF(2 * {denominator}, 0)) * 0.01 AS c{k}")
    unit_params, dimensions = [], []
    codes = {i.component_code: position[i.component_id] for i in indicators}
    for j, dim in enumerate(spec.dimensions):
        if dim.is_survey:
            dimensions.append(f"survey_score AS d{j}")
        else:
            # A component's indicators all sit in one dimension in the app's checklists; a
            # component split across dimensions would need per-dimension sums (sql_ready).
            members = [f"s{codes[code]}" for code in dim.components if code in codes]
            dimensions.append(f"{_mean(members) if members else 'NULL::numeric'} AS d{j}")
    terms = [f"d{j}" for j in range(len(spec.dimensions))]
    if not terms:
        unit = "NULL::numeric"
    else:
        numerator = " + ".join(f"COALESCE({term} * CAST(%s AS numeric), 0)" for term in terms)
        weights = " + ".join(f"CASE WHEN {term} IS NULL THEN 0 ELSE CAST(%s AS numeric) END"
                             for term in terms)
        # One dimension with a score (and a weight): the unit is that score, exactly.
        scored = " + ".join(f"CASE WHEN {term} IS NULL OR CAST(%s AS numeric) = 0 THEN 0 "
                            f"ELSE 1 END" for term in terms)
        only = "COALESCE(" + ", ".join(terms) + ")"
        unit = (f"CASE WHEN ({scored}) = 1 AND ({_count(terms)}) = 1 THEN {only} ELSE "
                f"CAST({numerator} AS numeric(70, {SCALE + 2})) / NULLIF({weights}, 0) END")
        weights_list = [dim.weight for dim in spec.dimensions]
        unit_params = weights_list * 3  # as the placeholders run: scored, numerator, weights
    sum_columns = "".join(f", agg.n{k}, agg.a{k}" for k in range(len(components)))
    stored_join = ""
    if stored and components:
        sum_columns += "".join(f", old.o{k}" for k in range(len(components)))
        stored_join = f"""
                    LEFT JOIN (
                        SELECT cs.assessment_id{"".join(
                            f", MAX(COALESCE(cs.self_score, -1)) FILTER "
                            f"(WHERE cs.component_id = {component_id}) AS o{k}"
                            for k, component_id in enumerate(components))}
                        FROM assessments_componentscore cs
                        JOIN assessments_assessment r ON r.id = cs.assessment_id
                        WHERE r.round_id = %s
                        GROUP BY cs.assessment_id) old ON old.assessment_id = u.id"""
    # Each layer is fenced (OFFSET 0) so that its columns are computed once per assessment,
    # not substituted as expressions into the next layer's every use.
    sql = f"""
        SELECT *, CASE WHEN status = %s AND new_answered > 0 THEN %s ELSE status END
                      AS new_status,
               {_cents(unit)} AS new_score
        FROM (
            SELECT *{"".join(f", {column}" for column in dimensions)}
            FROM (
                SELECT *{"".join(f", {column}" for column in scores + cents)}
                FROM (
                    SELECT u.id, u.survey_score, u.self_score, u.answered_count, u.status,
                           COALESCE(agg.new_answered, 0) AS new_answered{sum_columns}
                    FROM assessments_assessment u
                    LEFT JOIN (
                        SELECT an.assessment_id,
                               (COUNT(*) FILTER (WHERE an.not_applicable
                                                 OR an.value IS NOT NULL))::int
                                   AS new_answered{"".join(f", {column}" for column in sums)}
                        FROM assessments_answer an
                        JOIN assessments_assessment r ON r.id = an.assessment_id
                        JOIN (VALUES {ind_values}) AS ind(indicator_id, k, w, m)
                          ON ind.indicator_id = an.indicator_id
                        WHERE r.round_id = %s
                        GROUP BY an.assessment_id) agg ON agg.assessment_id = u.id{stored_join}
                    WHERE u.round_id = %s
                    OFFSET 0) per_unit
                OFFSET 0) scored
            OFFSET 0) dimensioned
        OFFSET 0"""
    params = ([Assessment.Status.NOT_STARTED.value, Assessment.Status.IN_PROGRESS.value]
              + unit_params + params + [round_id]
              + ([round_id] if stored_join else []) + [round_id])
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
