"""The self-scores of a whole round in one set-based PostgreSQL statement.

``recompute_scores`` brought every answer of a round into Python to score it with
``compute_unit``: ~25 × the cost of aggregating the same answers in SQL (~68 × on the 2022–2024
instrument, whose Process indicators are answered per sampled product). Here the same rules run
where the answers are. The rules are ``compliance.scoring``'s, and ``compute_unit`` stays their
reference: ``round_differences`` compares both on a whole round (the tests and ``make bench`` do).

What the statement covers (``InstrumentSpec.sql_ready``): dimensions whose roll-up is points or
the mean of component scores, survey dimensions, per-product indicators (a figure holding them
is the mean over the unit's sampled products, or read from the answers without a product when
the unit has none), components split over several dimensions and indicators without a
component. An instrument with another roll-up takes the portable path.

How the arithmetic stays the same as the Python path's, to the cent:
- every figure is ``numeric`` or integer, never float; indicator weights (two decimals) enter
  as integers (hundredths, divided by their common divisor), which leaves each ratio
  Σ(weight × value) / Σ(weight × max) unchanged (``max`` is each indicator's own scale);
- a component's rounded score is exact integer arithmetic (half-up) where no sampled product
  has N/A; otherwise, like the unit's score, it runs through 30-place divisions and is rounded
  at 20 places, then half-up at 2 (``_cents``), so an exact half cent (77.275, or 93.125
  reached through 83.33…) rounds up as ``round2`` does;
- a component with nothing applicable has no score (None), an unanswered indicator counts 0,
  a sampled product without a score drops out of its mean, a dimension is its points or the
  mean of its components that have a score (or the unit's survey score), a unit the weighted
  mean of its dimensions that have a score, exactly as ``compute_unit`` does.

The round's assessments are locked first (as ``answer_save`` locks the one it changes), so that
the statement reads answers no writer is changing. The statement is a read (PostgreSQL runs the
aggregation in parallel workers, which it refuses to a statement that also writes) and returns
only the assessments whose figures differ from the stored ones; those few are written back in
bulk. On a consistent round it returns nothing and nothing is written.
"""
from decimal import Decimal, localcontext
from math import gcd

from django.db import connection, transaction

from compliance.scoring import COMPONENT_MEAN
from compliance.specs import instrument_spec

from ..models import Assessment, ComponentScore, Round
from .scores import checklist_indicators

SCALE = 30  # decimal places of the divisions (Python's Decimal: 28 significant digits)
WORD_BITS = 62  # bits of a bigint word that packed sums may fill
VALUE_MAX = 5  # the largest value an answer can hold (its check constraint)
INDICATOR_SPAN = 2000  # at most this many indicator ids between an instrument's first and last


class SqlUnsupported(Exception):
    """The round's instrument needs the portable path (a roll-up the statement does not know,
    or indicator weights finer than hundredths)."""


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


def _columns(pairs):
    return "".join(f", {expression} AS {name}" for name, expression in pairs)


def _total(terms):
    return "(" + " + ".join(terms) + ")" if terms else "0"


def _pack(bounds):
    """Places for non-negative integer sums bounded by ``bounds`` in as few bigint words as
    first fit gives: [(word, shift, mask)] and the number of words."""
    places, used = [], []
    for bound in bounds:
        bits = max(1, int(bound).bit_length())
        word = next((w for w, taken in enumerate(used) if taken + bits <= WORD_BITS), None)
        if word is None:
            word = len(used)
            used.append(0)
        places.append((word, used[word], (1 << bits) - 1))
        used[word] += bits
    return places, len(used)


class _Atoms:
    """The instrument's indicators grouped into atoms (dimension, component or none, per
    product or not), and how each atom's sums sit in the packed words of a row of ``agg``.

    Weights enter in units of their greatest common divisor in hundredths (1 for the shipped
    instruments, whose weights are all equal), which leaves every ratio unchanged and the sums
    small. Each (assessment, sample) group holds one answer per indicator at most (the
    answers' unique constraints) and a value of at most 5 (their check constraint), so an
    atom's sum of weight × value is bounded, and several atoms share a bigint word, each in
    its own bits: one SUM per word instead of one filtered SUM per atom. What an answer adds
    to a word is read from a constant array indexed by its indicator and value (``sums``), not
    joined from a table of indicators and multiplied: on the 2022–2024 instrument's nation
    (808,584 answers) that takes the statement from 1,278 to 1,172 ms of CPU (one process)."""

    def __init__(self, indicators):
        keys = {}
        self.of = {}
        for i in indicators:
            self.of[i.id] = keys.setdefault((i.dimension, i.component_id, bool(i.per_product)),
                                            len(keys))
        self.keys = list(keys)
        hundredths = {i.id: int(i.weight * 100) for i in indicators}
        if any(value < 0 or Decimal(value) != i.weight * 100
               for i, value in ((i, hundredths[i.id]) for i in indicators)):
            raise SqlUnsupported("indicator weights must be non-negative hundredths")
        unit = gcd(*hundredths.values()) or 1
        self.weight = {key: value // unit for key, value in hundredths.items()}
        count = len(self.keys)
        self.totals = [0] * count  # Σ weight × max per atom
        value_bounds = [0] * count  # Σ weight × 5 per atom
        for i in indicators:
            a = self.of[i.id]
            self.totals[a] += self.weight[i.id] * i.scale_max
            value_bounds[a] += self.weight[i.id] * max(VALUE_MAX, i.scale_max)
        self.per_product = {a for a, key in enumerate(self.keys) if key[2]}
        # The answered counts (per unit, per product) share the words: an answer with a value
        # counts in the value words, an N/A one in the N/A words.
        counted = [sum(1 for i in indicators if not i.per_product),
                   sum(1 for i in indicators if i.per_product)]
        places, self.n_words = _pack(value_bounds + counted)
        self.n_places, self.cn_places = places[:count], places[count:]
        places, self.x_words = _pack(self.totals + counted)
        self.x_places, self.cx_places = places[:count], places[count:]
        self.indicators = indicators

    def sums(self, answer):
        """The packed sums of one (assessment, sample) group of answers (``answer`` their
        alias): [(column, SQL aggregate)]. Each answer adds, from constant arrays indexed by its
        indicator and value, its weight × value and its count (or, N/A, its weight × max and
        its count) to the fields of its atom; an answer outside the instrument's active
        indicators (or, with a product, one not per product) adds nothing, as if absent."""
        low = min((i.id for i in self.indicators), default=0)
        high = max((i.id for i in self.indicators), default=-1)
        if high - low >= INDICATOR_SPAN:
            raise SqlUnsupported(f"indicator ids spread over {high - low + 1}")
        by_id = {i.id: i for i in self.indicators}
        codes = VALUE_MAX + 1  # the values 0..5

        def field(places, place_of, counts, i, amount):
            word_places = [0] * len(places)
            a = self.of[i.id]
            word, shift, _mask = place_of[a]
            word_places[word] += amount << shift
            word, shift, _mask = counts[1 if i.per_product else 0]
            word_places[word] += 1 << shift
            return word_places

        def array(values):
            return "'{" + ",".join(str(value) for value in values) + "}'::bigint[]"

        def tables(words, place_of, counts, amounts, sampled):
            """For each word, the array of its contributions (per indicator, then per value
            when ``amounts`` gives several)."""
            columns = [[] for _ in range(words)]
            for pk in range(low, high + 1):
                i = by_id.get(pk)
                for amount in amounts(i):
                    if i is None or (sampled and not i.per_product):
                        contribution = [0] * words
                    else:
                        contribution = field(columns, place_of, counts, i, amount)
                    for w in range(words):
                        columns[w].append(contribution[w])
            return [array(values) for values in columns]

        def values(i):
            weight = self.weight[i.id] if i is not None else 0
            return [weight * value for value in range(codes)]

        def not_applicable(i):
            return [self.weight[i.id] * i.scale_max if i is not None else 0]

        n_unit = tables(self.n_words, self.n_places, self.cn_places, values, False)
        n_sample = tables(self.n_words, self.n_places, self.cn_places, values, True)
        x_unit = tables(self.x_words, self.x_places, self.cx_places, not_applicable, False)
        x_sample = tables(self.x_words, self.x_places, self.cx_places, not_applicable, True)
        by_value = f"(({answer}.indicator_id - {low}) * {codes} + {answer}.value + 1)"
        by_indicator = f"({answer}.indicator_id - {low} + 1)"
        unit = f"{answer}.product_sample_id IS NULL"
        return ([(f"n{w}", f"SUM(CASE WHEN {unit} THEN ({n_unit[w]})[{by_value}] "
                           f"ELSE ({n_sample[w]})[{by_value}] END)::bigint")
                 for w in range(self.n_words)]
                + [(f"x{w}", f"COALESCE(SUM(CASE WHEN {unit} THEN ({x_unit[w]})[{by_indicator}] "
                             f"ELSE ({x_sample[w]})[{by_indicator}] END) "
                             f"FILTER (WHERE {answer}.not_applicable), 0)::bigint")
                   for w in range(self.x_words)])

    @staticmethod
    def _unpack(alias, column, place):
        word, shift, mask = place
        return f"((COALESCE({alias}.{column}{word}, 0) >> {shift}) & {mask})"

    def n(self, alias, atoms):
        return _total([self._unpack(alias, "n", self.n_places[a]) for a in atoms])

    def x(self, alias, atoms):
        return _total([self._unpack(alias, "x", self.x_places[a]) for a in atoms])

    def answered(self, alias, per_product):
        counts = []
        for column, place in (("n", self.cn_places[1 if per_product else 0]),
                              ("x", self.cx_places[1 if per_product else 0])):
            counts.append(self._unpack(alias, column, place))
        return "(" + " + ".join(counts) + ")"


def _points(n, x, total):
    """100 × n / (total − x), NULL when nothing is applicable (SQL integer expressions). Without
    N/A (the usual case) the denominator is the constant ``total``, and a multiplication by its
    reciprocal (40 places) replaces the division."""
    if not total:
        return "NULL::numeric"
    return (f"CASE WHEN {x} = 0 THEN {n} * {_reciprocal(total)} ELSE "
            f"CAST({n} * 100 AS numeric(60, {SCALE})) / NULLIF({total} - {x}, 0) END")


def _integer_cents(n, d):
    """100 × n / d in cents, half-up, exactly: ⌊(20000 n + d) / 2d⌋ (NULL when d is 0)."""
    return f"CASE WHEN {d} > 0 THEN (20000 * {n} + {d}) / (2 * {d}) END"


def _scored(round_id, stored=False):
    """One SELECT with a row per assessment of the round: its stored figures (self_score,
    answered_count, status), the new ones (new_score, new_answered, new_status) and its
    rounded component scores c0, c1, … (in the order of the returned component ids); with
    ``stored``, also the stored component scores o0, o1, … (-1 for a stored NULL, NULL for no
    row), gathered per assessment in one more pass.

    The answers are aggregated in one pass (the shape of the plain GROUP BY) per assessment
    and product sample (none for a per-unit answer), into a few packed integer sums per atom
    (``_Atoms``): Σ weight × value over the applicable answers, Σ weight × max over the N/A
    ones. Every figure ``instrument_unit`` computes is the points rule over a union of atoms —
    a points dimension, a component (over every dimension it spans), one component's part of
    a component-mean dimension — so it is a sum of atom sums and one division.

    A figure holding per-product indicators is, for a unit with sampled products, computed per
    sample (the per-unit atoms from the unit's row, the per-product ones from the sample's; a
    sample without answers counts, its indicators unanswered) and averaged over the samples
    that have a score; for a unit without samples, from the answers without a product, as
    ``_over_products`` reads them. The samples without N/A share the unit's denominator, so
    their mean is one exact fraction (Σ numerators / (samples × denominator)); a sample with
    N/A adds its own quotient. A component's rounded score is then integer arithmetic where
    no sample has N/A: ⌊(20000 n + d) / 2d⌋ cents for 100 n / d, half-up."""
    round_ = Round.objects.only("instrument_id").get(id=round_id)
    spec = instrument_spec(round_.instrument_id)
    if not spec.sql_ready:
        raise SqlUnsupported(f"instrument {spec.code} {spec.version}")
    indicators = checklist_indicators(round_.instrument_id)
    atoms = _Atoms(indicators)
    keys, per_product = atoms.keys, atoms.per_product
    products = bool(per_product)  # whether the statement reads the product samples
    components = sorted({i.component_id for i in indicators if i.component_id is not None})

    # The figures. Points figures: (name, atoms, kind) for the points dimensions ("d", the
    # value) and the components ("s", the cents); mean figures: (name, groups of atoms) for
    # the component-mean dimensions (the indicators without a component are one more group,
    # as ``_component_mean`` groups them).
    point_figures, mean_figures, dimension_names = [], [], {}
    for j, dim in enumerate(spec.dimensions):
        if dim.is_survey:
            continue
        members = [a for a, key in enumerate(keys) if key[0] == dim.code]
        if dim.rollup == COMPONENT_MEAN:
            grouped = {}
            for a in members:
                grouped.setdefault(keys[a][1], []).append(a)
            mean_figures.append((f"d{j}", list(grouped.values())))
        else:
            point_figures.append((f"d{j}", members, "value"))
    for k, component_id in enumerate(components):
        point_figures.append((f"s{k}", [a for a, key in enumerate(keys) if key[1] == component_id],
                              "cents"))

    def varies(members):
        return products and any(a in per_product for a in members)

    def total(members):
        return sum(atoms.totals[a] for a in members)

    def own_atoms(members):
        return [a for a in members if a not in per_product]

    def sample_atoms(members):
        return [a for a in members if a in per_product]

    def group_points(groups, alias_of):
        """Each group's points (numeric), the atoms read from ``alias_of(atom)``'s row."""
        columns = []
        for group in groups:
            by_alias = {}
            for a in group:
                by_alias.setdefault(alias_of(a), []).append(a)
            n = _total([atoms.n(alias, members) for alias, members in by_alias.items()])
            x = _total([atoms.x(alias, members) for alias, members in by_alias.items()])
            columns.append(_points(n, x, total(group)))
        return columns

    ctes = [f"""agg AS (
            SELECT an.assessment_id AS aid, an.product_sample_id AS pid{_columns(atoms.sums("an"))}
            FROM assessments_answer an
            JOIN assessments_assessment r ON r.id = an.assessment_id
            WHERE r.round_id = %(round)s{"" if products else " AND an.product_sample_id IS NULL"}
            GROUP BY an.assessment_id, an.product_sample_id)"""]

    def sample_alias(a):
        return "p" if a in per_product else "u"

    varying_points = [(name, members) for name, members, _kind in point_figures
                      if varies(members)]
    varying_means = [(name, groups) for name, groups in mean_figures
                     if varies([a for group in groups for a in group])]
    pm_columns = []
    if products:
        # Per sample: a points figure's numerator, its N/A weight on the sample's own
        # indicators and its denominator (integers); a mean figure's groups (numeric).
        integers, grouped = [], []
        for name, members in varying_points:
            mine, sampled = own_atoms(members), sample_atoms(members)
            integers += [
                (f"n_{name}", f"{atoms.n('u', mine)} + {atoms.n('p', sampled)}"),
                (f"xp_{name}", atoms.x("p", sampled)),
                (f"d_{name}", f"{total(members)} - {atoms.x('u', mine)}"
                              f" - {atoms.x('p', sampled)}")]
        for name, groups in varying_means:
            grouped += [(f"g_{name}_{g}", column) for g, column in
                        enumerate(group_points(groups, sample_alias))]
        means = [(f"p_{name}", _mean([f"g_{name}_{g}" for g in range(len(groups))]))
                 for name, groups in varying_means]
        integers.append(("answered", atoms.answered("p", True)))
        aggregates = [("product_answered", "SUM(answered)::int")]
        for name, _members in varying_points:
            clean, dirty = f"xp_{name} = 0", f"xp_{name} > 0 AND d_{name} > 0"
            aggregates += [
                (f"cn_{name}", f"(SUM(n_{name}) FILTER (WHERE {clean}))::bigint"),
                (f"cc_{name}", f"COUNT(*) FILTER (WHERE {clean})"),
                (f"dq_{name}", f"SUM(CASE WHEN {dirty} THEN CAST(n_{name} * 100 AS "
                               f"numeric(60, {SCALE})) / d_{name} END)"),
                (f"dc_{name}", f"COUNT(*) FILTER (WHERE {dirty})")]
        for name, _groups in varying_means:
            aggregates.append((f"m_{name}", f"SUM(p_{name}) / NULLIF(COUNT(p_{name}), 0)"))
        ctes.append(f"""sampled AS (
            SELECT aid{_columns(aggregates)}
            FROM (
                SELECT *{_columns(means)}
                FROM (
                    SELECT ps.assessment_id AS aid{_columns(integers + grouped)}
                    FROM assessments_productsample ps
                    JOIN assessments_assessment r ON r.id = ps.assessment_id
                    LEFT JOIN agg u ON u.aid = ps.assessment_id AND u.pid IS NULL
                    LEFT JOIN agg p ON p.aid = ps.assessment_id AND p.pid = ps.id
                    WHERE r.round_id = %(round)s
                    OFFSET 0) per_sample
                OFFSET 0) p
            GROUP BY aid)""")
        pm_columns = [name for name, _expression in aggregates[1:]]

    # Per assessment: the integers of the unit's own row, then each figure.
    own = []
    figure_columns = []
    for name, members, kind in point_figures:
        own += [(f"un_{name}", atoms.n("u", members)), (f"ux_{name}", atoms.x("u", members))]
        size = total(members)
        if kind == "value":
            alone = _points(f"un_{name}", f"ux_{name}", size)
        else:
            alone = _integer_cents(f"un_{name}", f"({size} - ux_{name})")
        if not varies(members):
            figure_columns.append((name, alone))
            continue
        own.append((f"du_{name}", f"{size} - {atoms.x('u', own_atoms(members))}"))
        cn, cc, dq, dc, du = (f"cn_{name}", f"cc_{name}", f"dq_{name}", f"dc_{name}",
                              f"du_{name}")
        clean = f"CASE WHEN {du} > 0 THEN {cc} ELSE 0 END"
        mixed = (f"(CASE WHEN {du} > 0 AND {cc} > 0 THEN CAST({cn} * 100 AS "
                 f"numeric(60, {SCALE})) / {du} ELSE 0 END + {dq}) / ({clean} + {dc})")
        if kind == "value":
            exact = (f"CASE WHEN {du} > 0 AND {cc} > 0 THEN CAST({cn} * 100 AS "
                     f"numeric(60, {SCALE})) / ({cc} * {du}) END")
        else:
            exact = f"CASE WHEN {cc} > 0 THEN {_integer_cents(cn, f'({cc} * {du})')} END"
            mixed = f"(({_cents(mixed)}) * 100)::bigint"
        figure_columns.append((name, f"CASE WHEN NOT has_products THEN {alone} "
                                     f"WHEN {dc} = 0 THEN {exact} ELSE {mixed} END"))
    grouped_columns = []
    for name, groups in mean_figures:
        guard = ("CASE WHEN pm.aid IS NULL THEN {} END"
                 if varies([a for group in groups for a in group]) else "{}")
        columns = [(f"ug_{name}_{g}", guard.format(column))
                   for g, column in enumerate(group_points(groups, lambda _a: "u"))]
        own += columns
        alone = _mean([column for column, _expression in columns]) if columns \
            else "NULL::numeric"
        figure_columns.append((name, f"CASE WHEN has_products THEN m_{name} ELSE {alone} END"
                               if varies([a for group in groups for a in group]) else alone))
    dimensions = []
    for j, dim in enumerate(spec.dimensions):
        if dim.is_survey:
            dimensions.append(f"survey_score AS d{j}")
    cents = [(f"c{k}", f"s{k} * 0.01") for k in range(len(components))]
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
    answered = atoms.answered("u", False)
    if products:
        answered += (f" + CASE WHEN pm.aid IS NULL THEN {atoms.answered('u', True)} "
                     f"ELSE pm.product_answered END")
        product_join = "\n                    LEFT JOIN sampled pm ON pm.aid = a.id"
        has_products = "pm.aid IS NOT NULL"
    else:
        answered += f" + {atoms.answered('u', True)}"
        product_join, has_products = "", "false"
    # Each layer is fenced (OFFSET 0) so that its columns are computed once per assessment,
    # not substituted as expressions into the next layer's every use, and passes on only what
    # the next one reads.
    kept = ["id", "self_score", "answered_count", "status", "new_answered"] + [
        f"o{k}" for k in range(len(components)) if stored]
    figured = [name for name, *_rest in point_figures + mean_figures if name.startswith("d")]
    sql = f"""
        WITH {", ".join(ctes)}
        SELECT {", ".join(kept)}{"".join(f", c{k}" for k in range(len(components)))},
               CASE WHEN status = %(not_started)s AND new_answered > 0
                    THEN %(in_progress)s ELSE status END AS new_status,
               {_cents(unit)} AS new_score
        FROM (
            SELECT {", ".join(kept + figured)}{"".join(f", {column}" for column in dimensions)}{
                _columns(cents)}
            FROM (
                SELECT {", ".join(kept)}, survey_score{_columns(figure_columns)}
                FROM (
                    SELECT a.id, a.survey_score, a.self_score, a.answered_count, a.status,
                           ({answered})::int AS new_answered,
                           {has_products} AS has_products{"".join(
                               f", pm.{column}" for column in pm_columns)}{stored_columns}
                           {_columns(own)}
                    FROM assessments_assessment a
                    LEFT JOIN agg u ON u.aid = a.id AND u.pid IS NULL{product_join}{stored_join}
                    WHERE a.round_id = %(round)s
                    OFFSET 0) own
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
