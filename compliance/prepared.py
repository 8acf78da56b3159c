"""Querysets whose SQL is compiled once per process: the hot reads of the operator's checklist.

Building and compiling a queryset costs Django more than PostgreSQL takes to run it on one
row: the unit with its agency, government, province, round and methodology (``select_related``)
takes ~1.1 ms of CPU to compile and ~0.2 ms to run. A save reads about ten such rows and a page
about eight, under a load of hundreds of operators. ``prepared`` keeps the queryset written with
the ORM (the same filters, the same model instances back) and compiles it once per database
connection alias: the first call builds it with placeholder values, finds each placeholder in
the compiled parameters, and later calls run the same SQL with their own values through
Django's own iterables (model instances, ``values_list`` tuples, select_related objects,
annotations and the backend's converters all as the plain queryset gives them).

The varying values are the function's arguments, ints or strings, compared for equality (an
int beyond 64 bits matches no row, as with the ORM, and is not sent). Everything else in the
queryset (field names, constants) is fixed in the compiled SQL. A shape whose compiled SQL does
not hold each placeholder exactly once as a parameter (a placeholder folded into the SQL, an
argument used twice, a lookup that changes the SQL with the value) is refused when first
compiled, never run with wrong values. The SQL depends on nothing that changes while a
process runs (no setting, language or request enters it).

No well-kept package does this: django-prepared-queries (the one on PyPI) stopped before
Django 2, and a database-side PREPARE does not remove the compile in Python.
"""
import copy
from functools import wraps

from django.db import DEFAULT_DB_ALIAS, connections

# Negative, inside 32 bits (integer lookups out of a field's range change the SQL), and no
# id or value the app stores.
_INT_PLACEHOLDER = -1_987_650_000
_STR_PLACEHOLDER = "\x00prepared-placeholder-{}\x00"
_INT64_MIN, _INT64_MAX = -2 ** 63, 2 ** 63 - 1


class PreparedShapeError(Exception):
    """The queryset's compiled parameters do not hold each placeholder exactly once."""


class _Compiled:
    def __init__(self, queryset, compiler, sql, params, slots):
        self.queryset, self.compiler, self.sql = queryset, compiler, sql
        self.params, self.slots = params, slots

    def run(self, args, using):
        values = tuple(args[slot] if slot is not None else param
                       for slot, param in zip(self.slots, self.params))
        compiler = copy.copy(self.compiler)
        # Connections are per thread: run on this thread's, never on the compiling one's.
        compiler.connection = connections[using]
        sql = self.sql
        compiler.as_sql = lambda *_args, **_kwargs: (sql, values)
        clone = self.queryset._chain()
        clone.query.get_compiler = lambda *_args, **_kwargs: compiler
        return list(clone)


def _placeholders(kinds):
    made = []
    for index, kind in enumerate(kinds):
        if kind is int:
            made.append(_INT_PLACEHOLDER - index)
        elif kind is str:
            made.append(_STR_PLACEHOLDER.format(index))
        else:
            raise TypeError(f"prepared arguments are int or str, not {kind!r}")
    return made


def _compile(build, kinds, using):
    placeholders = _placeholders(kinds)
    queryset = build(*placeholders).using(using)
    compiler = queryset.query.get_compiler(using)
    sql, params = compiler.as_sql()
    slots = []
    for param in params:
        found = [index for index, placeholder in enumerate(placeholders)
                 if type(param) is type(placeholder) and param == placeholder]
        slots.append(found[0] if found else None)
    for index, placeholder in enumerate(placeholders):
        if slots.count(index) != 1 or str(placeholder).strip("\x00") in sql:
            raise PreparedShapeError(
                f"{build.__qualname__}: argument {index} is not one parameter of the SQL")
    return _Compiled(queryset, compiler, sql, list(params), slots)


def prepared(*kinds):
    """Decorate ``build(*args) -> QuerySet``; the decorated function returns the list the
    queryset gives (model instances, or tuples for ``values_list``) for ``args`` of the given
    kinds (int or str), compiling the queryset once per database alias. ``using=`` picks the
    alias (the default database otherwise)."""

    def decorate(build):
        compiled = {}

        @wraps(build)
        def run(*args, using=DEFAULT_DB_ALIAS):
            if len(args) != len(kinds):
                raise TypeError(f"{build.__qualname__} takes {len(kinds)} arguments")
            for arg, kind in zip(args, kinds):
                if type(arg) is not kind:
                    raise TypeError(f"{build.__qualname__}: {arg!r} is not {kind.__name__}")
                if kind is int and not _INT64_MIN <= arg <= _INT64_MAX:
                    return []  # no row holds it (the ORM's own exact lookup says the same)
            entry = compiled.get(using)
            if entry is None:
                entry = compiled[using] = _compile(build, kinds, using)
            return entry.run(args, using)

        run.build, run.kinds = build, kinds
        run.clear = compiled.clear
        return run

    return decorate
