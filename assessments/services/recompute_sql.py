"""The self-scores of a whole round in one set-based PostgreSQL statement.

``recompute_scores`` brought every answer of a round into Python to score it with
``compute_unit``: ~25 × the cost of aggregating the same answers in SQL. Here the same rules run
where the answers are. The rules are ``compliance.scoring``'s, and ``compute_unit`` stays their
reference: ``round_differences`` compares both on a whole round (the tests and ``make bench`` do).

How the arithmetic stays the same as the Python path's, to the cent:
- every figure is ``numeric``, never float; indicator weights (two decimals) enter as integer
  hundredths, which leaves each component's ratio Σ(weight × value) / Σ(weight × max) unchanged;
- divisions run at 40 decimal places (Python's Decimal carries 28 significant digits), and only
  the stored figures are rounded, with ``ROUND(numeric, 2)``: half away from zero, which is
  half-up for these non-negative scores (50.125 -> 50.13);
- a component with nothing applicable has no score (None), an unanswered indicator counts 0,
  a dimension is the mean of its components that have a score (or the unit's survey score), a
  unit the weighted mean of its dimensions that have a score (without dimensions: the mean of
  its component scores), exactly as ``compute_unit`` does.

The round's assessments are locked first (as ``answer_save`` locks the one it changes), so that
the statement reads answers no writer is changing, and only figures that differ are written.
"""
from django.db import connection, transaction

from compliance.specs import methodology_spec

from ..models import Assessment, Round
from .scores import checklist_indicators

SCALE = 40  # decimal places of every division (Python's Decimal: 28 significant digits)


def _values(rows, columns):
    """A VALUES list with placeholders, and its flat parameters."""
    placeholders = ", ".join("(" + ", ".join(["%s"] * columns) + ")" for _row in rows)
    return placeholders, [value for row in rows for value in row]


def _computed(round_id):
    """The common table expressions that score the round: ``cs`` (assessment, component,
    unrounded and rounded score) and ``unit_new`` (assessment, stored and new figures)."""
    round_ = Round.objects.only("methodology_id").get(id=round_id)
    spec = methodology_spec(round_.methodology_id)
    indicators = checklist_indicators()
    params = []
    if indicators:
        ind_values, ind_params = _values(
            [(i.id, i.component_id, int(i.weight * 100)) for i in indicators], 3)
    else:  # no checklist: a row that joins nothing
        ind_values, ind_params = "(NULL::bigint, NULL::bigint, 0)", []
    codes = {i.component_code: i.component_id for i in indicators}
    dimensions = [(index, dim.weight, dim.is_survey)
                  for index, dim in enumerate(spec.dimensions)]
    members = [(index, codes[code]) for index, dim in enumerate(spec.dimensions)
               if not dim.is_survey for code in dim.components if code in codes]
    sql = [f"""
        ind(indicator_id, component_id, w) AS (VALUES {ind_values}),
        comp(component_id, total_w) AS (
            SELECT component_id, SUM(w) FROM ind WHERE component_id IS NOT NULL
            GROUP BY component_id),
        units AS (
            SELECT id, survey_score, self_score, answered_count, status
            FROM assessments_assessment WHERE round_id = %s),
        agg AS (
            SELECT an.assessment_id, ind.component_id,
                   SUM(ind.w * an.value) FILTER (WHERE NOT an.not_applicable) AS num,
                   SUM(ind.w) FILTER (WHERE an.not_applicable) AS na_w,
                   COUNT(*) FILTER (WHERE an.not_applicable OR an.value IS NOT NULL)
                       AS answered
            FROM assessments_answer an
            JOIN units ON units.id = an.assessment_id
            JOIN ind ON ind.indicator_id = an.indicator_id
            GROUP BY an.assessment_id, ind.component_id),
        cs AS (
            SELECT units.id AS assessment_id, comp.component_id,
                   CASE WHEN comp.total_w - COALESCE(agg.na_w, 0) = 0 THEN NULL
                        ELSE CAST(COALESCE(agg.num, 0) * 100 AS numeric(80, {SCALE}))
                             / ((comp.total_w - COALESCE(agg.na_w, 0)) * %s) END AS score
            FROM units CROSS JOIN comp
            LEFT JOIN agg ON agg.assessment_id = units.id
                         AND agg.component_id = comp.component_id),
        answered AS (
            SELECT assessment_id, SUM(answered)::int AS answered FROM agg GROUP BY assessment_id),"""]
    params += ind_params + [round_id, spec.scale_max]
    if dimensions:
        dim_values, dim_params = _values(dimensions, 3)
        if members:
            member_values, member_params = _values(members, 2)
        else:
            member_values, member_params = "(NULL::int, NULL::bigint)", []
        sql.append(f"""
        dim(idx, w, is_survey) AS (VALUES {dim_values}),
        dim_member(idx, component_id) AS (VALUES {member_values}),
        dim_score AS (
            SELECT cs.assessment_id, dim.w, AVG(cs.score) AS score
            FROM cs JOIN dim_member ON dim_member.component_id = cs.component_id
            JOIN dim ON dim.idx = dim_member.idx
            WHERE cs.score IS NOT NULL
            GROUP BY cs.assessment_id, dim.idx, dim.w
            UNION ALL
            SELECT units.id, dim.w, units.survey_score
            FROM units CROSS JOIN dim
            WHERE dim.is_survey AND units.survey_score IS NOT NULL),
        unit AS (
            SELECT assessment_id,
                   CASE WHEN SUM(w) = 0 THEN NULL
                        ELSE CAST(SUM(score * w) AS numeric(80, {SCALE})) / SUM(w) END AS score
            FROM dim_score GROUP BY assessment_id),""")
        params += dim_params + member_params
    else:
        sql.append("""
        unit AS (
            SELECT assessment_id, AVG(score) AS score FROM cs WHERE score IS NOT NULL
            GROUP BY assessment_id),""")
    sql.append("""
        unit_new AS (
            SELECT units.id, units.self_score, units.answered_count, units.status,
                   ROUND(unit.score, 2) AS new_score,
                   COALESCE(answered.answered, 0) AS new_answered,
                   CASE WHEN units.status = %s AND COALESCE(answered.answered, 0) > 0
                        THEN %s ELSE units.status END AS new_status
            FROM units LEFT JOIN unit ON unit.assessment_id = units.id
            LEFT JOIN answered ON answered.assessment_id = units.id)""")
    params += [Assessment.Status.NOT_STARTED.value, Assessment.Status.IN_PROGRESS.value]
    return "WITH " + "".join(sql), params


def recompute_round_sql(round_id, now) -> tuple[int, int, int]:
    """Recompute a round's stored self-scores; returns (assessments, assessments changed,
    component scores written)."""
    computed, params = _computed(round_id)
    statement = computed + """,
        cs_changed AS (
            SELECT cs.assessment_id, cs.component_id, ROUND(cs.score, 2) AS score
            FROM cs LEFT JOIN assessments_componentscore stored
                 ON stored.assessment_id = cs.assessment_id
                AND stored.component_id = cs.component_id
            WHERE stored.id IS NULL OR stored.self_score IS DISTINCT FROM ROUND(cs.score, 2)),
        written AS (
            INSERT INTO assessments_componentscore (assessment_id, component_id, self_score)
            SELECT assessment_id, component_id, score FROM cs_changed
            ON CONFLICT (assessment_id, component_id)
            DO UPDATE SET self_score = EXCLUDED.self_score
            RETURNING 1),
        changed AS (
            UPDATE assessments_assessment a
            SET self_score = n.new_score, answered_count = n.new_answered,
                status = n.new_status, updated_at = %s
            FROM unit_new n
            WHERE a.id = n.id AND (n.new_score IS DISTINCT FROM n.self_score
                                   OR n.new_answered <> n.answered_count
                                   OR n.new_status <> n.status)
            RETURNING 1)
        SELECT (SELECT COUNT(*) FROM units), (SELECT COUNT(*) FROM changed),
               (SELECT COUNT(*) FROM written)"""
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            "SELECT COUNT(*) FROM (SELECT id FROM assessments_assessment WHERE round_id = %s "
            "ORDER BY id FOR UPDATE) locked", [round_id])
        cursor.execute(statement, params + [now])
        return cursor.fetchone()


def round_scores_sql(round_id) -> tuple[dict, dict]:
    """What the statement computes, without writing: ({assessment id: (score, answered)},
    {(assessment id, component id): score}), rounded to two decimals."""
    computed, params = _computed(round_id)
    with connection.cursor() as cursor:
        cursor.execute(computed + " SELECT id, new_score, new_answered FROM unit_new", params)
        units = {row[0]: (row[1], row[2]) for row in cursor.fetchall()}
        cursor.execute(computed + " SELECT assessment_id, component_id, ROUND(score, 2) FROM cs",
                       params)
        components = {(row[0], row[1]): row[2] for row in cursor.fetchall()}
    return units, components


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
