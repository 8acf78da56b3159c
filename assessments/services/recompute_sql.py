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

The shape, for speed: the answers are aggregated once per assessment (the plain GROUP BY's
shape), each answer adding to one packed word read from a constant array (``_Words``); only the
units with an N/A on a sampled product's answer are scored sample by sample, their answers read
again through the sample index (the others' samples share one denominator, so their mean is a
fraction of the unit's sums); the stored component scores are joined to the new figures and
compared row by row, not grouped per assessment. On the 2022–2024 instrument's nation (19,252
units, 808,584 answers, 3,868 units with such an N/A), in CPU of one process: the plain GROUP BY
~250 ms; the aggregation ~440; the whole statement with the comparison ~950 (~1,160 when the
answers were aggregated per assessment and sample, every sample scored on its own and the stored
component scores grouped per assessment).

The round's assessments are locked first (as ``answer_save`` locks the one it changes), so that
the statement reads answers no writer is changing. The statement is a read (PostgreSQL runs the
aggregation in parallel workers, which it refuses to a statement that also writes) and returns
only the assessments whose figures differ from the stored ones; their stored component scores
are read, and what differs is written back in bulk. On a consistent round it returns nothing
and nothing is written.
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
COMPONENT_SPAN = 2000  # component ids spread wider are placed by a CASE, not a constant array
SLOTS = VALUE_MAX + 3  # an answer's slots: unanswered, N/A, then the values 0..5


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


def _bits(bound):
    return max(1, int(bound).bit_length())


class _Words:
    """Non-negative integer sums packed in bigint words, each sum (field) in its own bits: one
    SUM per word instead of one per field. The indicators are shared out among the words by
    ranges of ids, so that an answer adds to one word only (a field that indicators of two
    words add to has a part in each); what it adds is read from that word's constant array,
    indexed by its indicator, its kind (``kinds`` 2: without a product, or for a sample) and its
    slot (unanswered, N/A, or the value 0..5), not joined from a table of indicators and
    multiplied. One lookup per answer instead of one per word: on the 2022–2024 instrument's
    nation (808,584 answers) the aggregation takes ~440 ms of CPU in four routed words, ~490
    in three words each looked up by every answer (the plain GROUP BY: ~250).

    ``fields(indicator)``: {field: the most that indicator's answers can add to it};
    ``adds(indicator, kind, slot)``: {field: what such an answer adds}."""

    def __init__(self, indicators, fields, adds, kinds):
        self.kinds, self.adds = kinds, adds
        words = []  # [first id, last id, {field: bound}]
        for i in sorted(indicators, key=lambda i: i.id):
            bounds = fields(i)
            if not bounds:
                continue
            if words:
                merged = dict(words[-1][2])
                for name, bound in bounds.items():
                    merged[name] = merged.get(name, 0) + bound
                if sum(_bits(bound) for bound in merged.values()) <= WORD_BITS:
                    words[-1][1:] = [i.id, merged]
                    continue
            if sum(_bits(bound) for bound in bounds.values()) > WORD_BITS:
                raise SqlUnsupported(f"indicator {i.id}: its sums need more than a word")
            words.append([i.id, i.id, dict(bounds)])
        for w in range(1, len(words)):  # contiguous ranges: an id between two is nobody's
            words[w][0] = words[w - 1][1] + 1
        self.words = words
        self.place = {}  # field -> [(word, shift, mask)]
        for w, (_first, _last, bounds) in enumerate(words):
            shift = 0
            for name, bound in bounds.items():
                self.place.setdefault(name, []).append((w, shift, (1 << _bits(bound)) - 1))
                shift += _bits(bound)
        self.count = len(words)

    def field(self, alias, name):
        """A field's value from a row of words (``alias``), or, alias ``f``, from the columns
        of ``unpacked`` (each field taken out of its word once per row, not at each use)."""
        if alias == "f":
            return _total([f"COALESCE(f.f{word}_{shift}, 0)"
                           for word, shift, _mask in self.place.get(name, [])])
        return _total([self._unpack(f"{alias}.w{word}", shift, mask)
                       for word, shift, mask in self.place.get(name, [])])

    @staticmethod
    def _unpack(word, shift, mask):
        return f"((COALESCE({word}, 0) >> {shift}) & {mask})"

    def unpacked(self):
        """Every field of a row of words as a column: [(column, SQL expression)]."""
        return [(f"f{word}_{shift}", self._unpack(f"w{word}", shift, mask))
                for places in self.place.values() for word, shift, mask in places]

    def total(self, alias, names):
        return _total([self.field(alias, name) for name in names if name in self.place])

    def sums(self, answer, by_id):
        """[(column, SQL aggregate)], one per word, over the answers aliased ``answer``."""
        stride = self.kinds * SLOTS
        kind = f"({answer}.product_sample_id IS NOT NULL)::int * {SLOTS} + " \
            if self.kinds == 2 else ""
        index = (f"{answer}.indicator_id * {stride} + {kind}"
                 f"COALESCE({answer}.value + 2, {answer}.not_applicable::int)")
        columns = []
        for w, (first, last, _bounds) in enumerate(self.words):
            values = []
            for pk in range(first, last + 1):
                i = by_id.get(pk)
                for k in range(self.kinds):
                    for slot in range(SLOTS):
                        word = 0
                        for name, amount in (self.adds(i, k, slot) if i else {}).items():
                            shift = next(s for word_, s, _m in self.place[name] if word_ == w)
                            word += amount << shift
                        values.append(word)
            array = (f"'[{first * stride}:{(last + 1) * stride - 1}]="
                     "{" + ",".join(str(value) for value in values) + "}'::bigint[]")
            lookup = f"({array})[{index}]"
            if self.count > 1:
                lookup = f"CASE WHEN {answer}.indicator_id BETWEEN {first} AND {last} " \
                         f"THEN {lookup} END"
            columns.append((f"w{w}", f"SUM({lookup})::bigint"))
        return columns


class _Atoms:
    """The instrument's indicators grouped into atoms (dimension, component or none, per
    product or not), and the packed sums the statement reads per assessment and, for the few
    samples scored one by one, per sample.

    Weights enter in units of their greatest common divisor in hundredths (1 for the shipped
    instruments, whose weights are all equal), which leaves every ratio unchanged and the sums
    small. Per assessment (``main``), from its answers without a product: per atom Σ weight ×
    value over the answered indicators (``n``) and Σ weight × max over the N/A ones (``x``),
    and the answered counts of per-unit and per-product indicators; from its answers for a
    sampled product, summed over all its samples: per per-product atom Σ weight × value
    (``sn``), the answered count and the N/A count (``sc``, ``sx``). Per sample (``sample``):
    ``n`` and ``x`` of each per-product atom. The bounds follow from the answers' unique
    constraints (one answer per indicator, and per sample), their check constraint (a value of
    at most 5) and ``samples``, the most samples a unit of the round has (an answer for a
    sample of another unit, which the app refuses, would be counted as one of this unit's)."""

    def __init__(self, indicators, samples=0):
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
        self.totals = [0] * len(self.keys)  # Σ weight × max per atom
        for i in indicators:
            self.totals[self.of[i.id]] += self.weight[i.id] * i.scale_max
        self.per_product = {a for a, key in enumerate(self.keys) if key[2]}
        self.samples = max(1, samples)
        low = min((i.id for i in indicators), default=0)
        high = max((i.id for i in indicators), default=-1)
        if high - low >= INDICATOR_SPAN:
            raise SqlUnsupported(f"indicator ids spread over {high - low + 1}")
        self.by_id = {i.id: i for i in indicators}
        products = bool(self.per_product)
        self.main = _Words(indicators, self._main_fields, self._main_adds, 2 if products else 1)
        self.sample = _Words([i for i in indicators if i.per_product], self._sample_fields,
                             self._sample_adds, 1)

    def _value_bound(self, i):
        return self.weight[i.id] * max(VALUE_MAX, i.scale_max)

    def _main_fields(self, i):
        a = self.of[i.id]
        fields = {("n", a): self._value_bound(i), ("x", a): self.weight[i.id] * i.scale_max,
                  ("c", bool(i.per_product)): 1}
        if i.per_product:
            fields.update({("sn", a): self._value_bound(i) * self.samples,
                           ("sc",): self.samples, ("sx",): self.samples})
        return fields

    def _main_adds(self, i, kind, slot):
        """What one answer adds to the per-assessment fields: ``kind`` 0 without a product, 1
        for a sample (a per-unit indicator answered for a sample adds nothing, as if absent)."""
        a, weight = self.of[i.id], self.weight[i.id]
        if slot == 0 or (kind and not i.per_product):
            return {}
        if not kind:
            added = {("c", bool(i.per_product)): 1}
            added.update({("x", a): weight * i.scale_max} if slot == 1
                         else {("n", a): weight * (slot - 2)})
            return added
        return ({("sc",): 1, ("sx",): 1} if slot == 1
                else {("sc",): 1, ("sn", a): weight * (slot - 2)})

    def _sample_fields(self, i):
        a = self.of[i.id]
        return {("n", a): self._value_bound(i), ("x", a): self.weight[i.id] * i.scale_max}

    def _sample_adds(self, i, _kind, slot):
        a, weight = self.of[i.id], self.weight[i.id]
        if slot == 0 or not i.per_product:
            return {}
        return {("x", a): weight * i.scale_max} if slot == 1 else {("n", a): weight * (slot - 2)}

    def main_sums(self, answer):
        """The per-assessment words over its answers (``answer`` their alias)."""
        return self.main.sums(answer, self.by_id)

    def sample_sums(self, answer):
        """The per-sample words over one sample's answers."""
        return self.sample.sums(answer, self.by_id)

    def n(self, alias, atoms):
        """Σ weight × value of the atoms, from a row of the per-assessment words (alias "u"),
        from its unpacked columns (alias "f", ``_Words.field``) or from one sample's words
        (alias "p")."""
        words = self.sample if alias == "p" else self.main
        return words.total(alias, [("n", a) for a in atoms])

    def x(self, alias, atoms):
        """Σ weight × max of the atoms' N/A answers, read as ``n`` is."""
        words = self.sample if alias == "p" else self.main
        return words.total(alias, [("x", a) for a in atoms])

    def summed(self, alias, atoms):
        """Σ weight × value of per-product atoms over all the unit's samples."""
        return self.main.total(alias, [("sn", a) for a in atoms])

    def field(self, alias, name):
        return self.main.field(alias, name)


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


def _scored(round_id, samples=0):
    """One SELECT with a row per assessment of the round: its stored figures (self_score,
    answered_count, status), the new ones (new_score, new_answered, new_status), its rounded
    component scores c0, c1, … (in the order of the returned component ids) and ``overflow``,
    true for a unit with more than ``samples`` sampled products (its figures are then not to be
    trusted: the packed sums were sized for at most ``samples``).

    The answers are aggregated in one pass per assessment (the shape of the plain GROUP BY),
    into a few packed integer sums per atom (``_Atoms``), the answers without a product kept
    apart from those for a sample. Every figure ``instrument_unit`` computes is the points rule
    over a union of atoms — a points dimension, a component (over every dimension it spans),
    one component's part of a component-mean dimension — so it is a sum of atom sums and one
    division.

    A figure holding per-product indicators is, for a unit with sampled products, the mean over
    its samples of the figure computed per sample (the per-unit atoms from the unit's answers,
    the per-product ones from the sample's; a sample without answers counts, its indicators
    unanswered); for a unit without samples, it is read from the answers without a product, as
    ``_over_products`` reads them. A unit none of whose sampled answers is N/A gives every
    sample the same denominator, so the mean is one exact fraction of the per-assessment sums:
    (samples × the unit's numerator + Σ the samples' numerators) / (samples × denominator), and
    a component's rounded score is integer arithmetic, ⌊(20000 n + d) / 2d⌋ cents for 100 n / d,
    half-up. The units with an N/A on a sampled product (a few percent) have their samples
    scored one by one (``sampled``), their answers read through the sample index: the samples
    without N/A in a figure still share one exact fraction, each with N/A adds its own
    quotient, and the mean of a component-mean figure is taken over the samples' scores."""
    round_ = Round.objects.only("instrument_id").get(id=round_id)
    spec = instrument_spec(round_.instrument_id)
    if not spec.sql_ready:
        raise SqlUnsupported(f"instrument {spec.code} {spec.version}")
    indicators = checklist_indicators(round_.instrument_id)
    atoms = _Atoms(indicators, samples)
    keys, per_product = atoms.keys, atoms.per_product
    products = bool(per_product)  # whether the statement reads the product samples
    components = sorted({i.component_id for i in indicators if i.component_id is not None})

    # The figures. Points figures: (name, atoms, kind) for the points dimensions ("d", the
    # value) and the components ("s", the cents); mean figures: (name, groups of atoms) for
    # the component-mean dimensions (the indicators without a component are one more group,
    # as ``_component_mean`` groups them).
    point_figures, mean_figures = [], []
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
            SELECT an.assessment_id AS aid{_columns(atoms.main_sums("an"))}
            FROM assessments_answer an
            JOIN assessments_assessment r ON r.id = an.assessment_id
            WHERE r.round_id = %(round)s{"" if products else " AND an.product_sample_id IS NULL"}
            GROUP BY an.assessment_id)"""]

    def sample_alias(a):
        return "p" if a in per_product else "u"

    varying_points = [(name, members) for name, members, _kind in point_figures
                      if varies(members)]
    varying_means = [(name, groups) for name, groups in mean_figures
                     if varies([a for group in groups for a in group])]
    # Per assessment with samples: each varying figure's sums over its samples.
    sample_columns = []
    if products:
        # The units with an N/A on a sampled product, per sample: a points figure's numerator,
        # its N/A weight on the sample's own indicators and its denominator (integers); a mean
        # figure's groups (numeric).
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
        aggregates = []
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
        ctes.append("""samples AS (
            SELECT ps.assessment_id AS aid, COUNT(*) AS n
            FROM assessments_productsample ps
            JOIN assessments_assessment r ON r.id = ps.assessment_id
            WHERE r.round_id = %(round)s
            GROUP BY ps.assessment_id)""")
        ctes.append(f"""flagged AS (
            SELECT ps.assessment_id AS aid, ps.id AS pid
            FROM assessments_productsample ps
            JOIN agg u ON u.aid = ps.assessment_id
            WHERE {atoms.field("u", ("sx",))} > 0)""")
        ctes.append(f"""sampled AS (
            SELECT aid{_columns(aggregates)}
            FROM (
                SELECT *{_columns(means)}
                FROM (
                    SELECT f.aid{_columns(integers + grouped)}
                    FROM flagged f
                    JOIN agg u ON u.aid = f.aid
                    LEFT JOIN (
                        SELECT an.assessment_id AS aid, an.product_sample_id AS pid{
                            _columns(atoms.sample_sums("an"))}
                        FROM assessments_answer an
                        WHERE an.product_sample_id = ANY(ARRAY(SELECT pid FROM flagged))
                        GROUP BY an.assessment_id, an.product_sample_id
                    ) p ON p.aid = f.aid AND p.pid = f.pid
                    OFFSET 0) per_sample
                OFFSET 0) p
            GROUP BY aid)""")
        # The units without N/A on a sampled product: their samples' sums, from ``agg``.
        for name, members in varying_points:
            mine, sampled = own_atoms(members), sample_atoms(members)
            sample_columns += [
                (f"cn_{name}", f"CASE WHEN pm.aid IS NULL THEN ns.n * {atoms.n('f', mine)} "
                               f"+ {atoms.summed('f', sampled)} ELSE pm.cn_{name} END"),
                (f"cc_{name}", f"COALESCE(pm.cc_{name}, ns.n)"),
                (f"dq_{name}", f"pm.dq_{name}"),
                (f"dc_{name}", f"COALESCE(pm.dc_{name}, 0)")]
        for name, groups in varying_means:
            # Σ over the samples of each group's points: the points of the summed numerators
            # over the shared denominator; their mean over the groups with a score is the sum
            # of the samples' scores.
            summed = []
            for group in groups:
                mine, sampled = own_atoms(group), sample_atoms(group)
                numerator = _total([term for term in (
                    f"ns.n * {atoms.n('f', mine)}" if mine else "",
                    atoms.summed("f", sampled) if sampled else "") if term])
                summed.append(_points(numerator, atoms.x("f", mine), total(group)))
            sample_columns.append(
                (f"m_{name}", f"CASE WHEN pm.aid IS NULL THEN ({_mean(summed)}) / ns.n "
                              f"ELSE pm.m_{name} END"))

    # Per assessment: the integers of the unit's own answers, then each figure.
    own = []
    figure_columns = []
    for name, members, kind in point_figures:
        own += [(f"un_{name}", atoms.n("f", members)), (f"ux_{name}", atoms.x("f", members))]
        size = total(members)
        if kind == "value":
            alone = _points(f"un_{name}", f"ux_{name}", size)
        else:
            alone = _integer_cents(f"un_{name}", f"({size} - ux_{name})")
        if not varies(members):
            figure_columns.append((name, alone))
            continue
        own.append((f"du_{name}", f"{size} - {atoms.x('f', own_atoms(members))}"))
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
    for name, groups in mean_figures:
        varying = varies([a for group in groups for a in group])
        guard = "CASE WHEN ns.aid IS NULL THEN {} END" if varying else "{}"
        columns = [(f"ug_{name}_{g}", guard.format(column))
                   for g, column in enumerate(group_points(groups, lambda _a: "f"))]
        own += columns
        alone = _mean([column for column, _expression in columns]) if columns \
            else "NULL::numeric"
        figure_columns.append((name, f"CASE WHEN has_products THEN m_{name} ELSE {alone} END"
                               if varying else alone))
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
    answered = atoms.field("f", ("c", False))
    if products:
        answered += (f" + CASE WHEN ns.aid IS NULL THEN {atoms.field('f', ('c', True))} "
                     f"ELSE {atoms.field('f', ('sc',))} END")
        sample_joins = ("\n                    LEFT JOIN samples ns ON ns.aid = a.id"
                        "\n                    LEFT JOIN sampled pm ON pm.aid = a.id")
        has_products = "ns.aid IS NOT NULL"
        overflow = f"COALESCE(ns.n > {atoms.samples}, false)"
    else:
        answered += f" + {atoms.field('f', ('c', True))}"
        sample_joins, has_products, overflow = "", "false", "false"
    # Each layer is fenced (OFFSET 0) so that its columns are computed once per assessment,
    # not substituted as expressions into the next layer's every use, and passes on only what
    # the next one reads.
    kept = ["id", "self_score", "answered_count", "status", "new_answered", "overflow"]
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
                           ({answered})::int AS new_answered, {overflow} AS overflow,
                           {has_products} AS has_products{_columns(sample_columns)}
                           {_columns(own)}
                    FROM assessments_assessment a
                    LEFT JOIN (
                        SELECT aid{_columns(atoms.main.unpacked())} FROM agg OFFSET 0
                    ) f ON f.aid = a.id{sample_joins}
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


def _most_samples(cursor, round_id) -> int:
    """The most sampled products a unit of the round has (what the packed sums are sized for)."""
    cursor.execute("""
        SELECT COALESCE(MAX(n), 0) FROM (
            SELECT COUNT(*) AS n FROM assessments_productsample ps
            JOIN assessments_assessment r ON r.id = ps.assessment_id
            WHERE r.round_id = %s GROUP BY ps.assessment_id) counted""", [round_id])
    return cursor.fetchone()[0]


def _rows(cursor, round_id, statement):
    """The rows of ``statement(samples)`` (an SQL text, its parameters and the component ids)
    run with the packed sums sized for the round's units; sized again and run again should a
    unit have gained samples in between (a row then says ``overflow``)."""
    for _attempt in range(3):
        sql, params, components = statement(_most_samples(cursor, round_id))
        cursor.execute(sql, params)
        names = [column.name for column in cursor.description]
        rows = [dict(zip(names, row)) for row in cursor.fetchall()]
        if not any(row["overflow"] for row in rows):
            return rows, components
    raise RuntimeError(f"round {round_id}: its product samples keep changing")


def _changes(cursor, round_id):
    """The figures that differ from the stored ones: ([(assessment id, score, answered,
    status)], [(assessment id, component id, score)]).

    The statement returns the assessments whose own figures differ, or one of whose stored
    component scores differs from the new one (the stored rows joined to the new figures, not
    grouped per assessment), or, when the round has fewer stored component scores than
    assessments × components, one of whose rows is missing; the stored component scores of
    those few are then read and compared here."""

    def statement(samples):
        scored, params, components = _scored(round_id, samples)
        if not components:
            return (f"SELECT * FROM ({scored}) t WHERE new_score IS DISTINCT FROM self_score "
                    f"OR new_answered <> answered_count OR new_status <> status OR overflow",
                    params, components)
        ids = ", ".join(str(int(component_id)) for component_id in components)
        low, high = components[0], components[-1]
        if high - low < COMPONENT_SPAN:  # component id -> its place among c0, c1, …
            position = [0] * (high - low + 1)
            for k, component_id in enumerate(components):
                position[component_id - low] = k + 1
            place = "('[%d:%d]={%s}'::int[])[cs.component_id]" % (
                low, high, ",".join(map(str, position)))
        else:
            place = "CASE cs.component_id %s END" % " ".join(
                f"WHEN {int(component_id)} THEN {k + 1}"
                for k, component_id in enumerate(components))
        return (f"""
            WITH t AS MATERIALIZED ({scored}),
            new AS MATERIALIZED (
                SELECT id, ARRAY[{", ".join(f"c{k}" for k in range(len(components)))}] AS c
                FROM t),
            stored AS (
                SELECT COUNT(*) AS present, array_agg(cs.assessment_id) FILTER (
                    WHERE cs.self_score IS DISTINCT FROM new.c[{place}]
                ) AS differ
                FROM new
                JOIN assessments_componentscore cs ON cs.assessment_id = new.id
                WHERE cs.component_id IN ({ids}))
            SELECT t.* FROM t, stored
            WHERE new_score IS DISTINCT FROM self_score OR new_answered <> answered_count
                  OR new_status <> status OR overflow
                  OR t.id IN (SELECT unnest(differ) FROM stored)
                  OR (present < (SELECT COUNT(*) FROM t) * {len(components)}
                      AND t.id NOT IN (
                          SELECT cs.assessment_id FROM assessments_componentscore cs
                          JOIN t ON t.id = cs.assessment_id
                          WHERE cs.component_id IN ({ids})
                          GROUP BY cs.assessment_id
                          HAVING COUNT(*) = {len(components)}))""", params, components)

    rows, components = _rows(cursor, round_id, statement)
    stored = {}
    ids = [row["id"] for row in rows]
    for start in range(0, len(ids), 5000):
        cursor.execute(
            "SELECT assessment_id, component_id, self_score FROM assessments_componentscore "
            "WHERE assessment_id = ANY(%s) AND component_id = ANY(%s)",
            [ids[start:start + 5000], components])
        stored.update(((a, c), score) for a, c, score in cursor.fetchall())
    units, scores = [], []
    for found in rows:
        if (found["new_score"], found["new_answered"], found["new_status"]) != (
                found["self_score"], found["answered_count"], found["status"]):
            units.append((found["id"], found["new_score"], found["new_answered"],
                          found["new_status"]))
        for k, component_id in enumerate(components):
            key = (found["id"], component_id)
            if key not in stored or stored[key] != found[f"c{k}"]:
                scores.append((found["id"], component_id, found[f"c{k}"]))
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
    units, scores = {}, {}
    with transaction.atomic(), connection.cursor() as cursor:
        _session(cursor)
        rows, components = _rows(cursor, round_id, lambda samples: _scored(round_id, samples))
        for found in rows:
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
