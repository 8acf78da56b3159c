"""``compliance.prepared``: a queryset compiled once must give, for every later argument, what
the plain queryset gives for it (not the first call's rows), compile only once, refuse shapes
it cannot fill safely, and treat hostile arguments as the ORM does."""
from unittest import mock

import pytest
from django.contrib.auth import get_user_model
from django.db.models import Count, Q
from django.db.models.sql.compiler import SQLCompiler

from agencies.models import Agency, Government, Level, Membership, Province, Role
from compliance.prepared import PreparedShapeError, prepared
from tests.conftest import make_user


@pytest.fixture
def two_provinces(db):
    made = []
    for index, name in enumerate(["Provinsi Uji Satu", "Provinsi Uji Dua"]):
        province = Province.objects.create(name=name)
        government = Government.objects.create(province=province, level=Level.KABUPATEN,
                                               name=f"Kabupaten Uji {index + 1}")
        for office in ("Dinas Kesehatan", "Dinas Sosial")[:index + 1]:
            Agency.objects.create(government=government, name=office)
        made.append(government)
    return made


@prepared(int)
def government_with_province(pk):
    return Government.objects.select_related("province").filter(id=pk)


@prepared(int)
def agency_names(government_id):
    return (Agency.objects.filter(government_id=government_id).order_by("name")
            .values_list("name", flat=True))


@prepared(str)
def governments_named(name):
    return (Government.objects.filter(name=name).annotate(offices=Count("agencies"))
            .values_list("name", "offices"))


def test_each_call_gets_its_own_rows_with_related_objects(two_provinces):
    first, second = two_provinces
    for government in (first, second, first):
        found = government_with_province(government.id)
        assert [g.id for g in found] == [government.id]
        # select_related filled without another query
        assert found[0].province.name == government.province.name
    assert agency_names(first.id) == ["Dinas Kesehatan"]
    assert agency_names(second.id) == ["Dinas Kesehatan", "Dinas Sosial"]
    assert governments_named("Kabupaten Uji 2") == [("Kabupaten Uji 2", 2)]
    assert governments_named("Kabupaten Uji 1") == [("Kabupaten Uji 1", 1)]
    assert governments_named("Kabupaten Tidak Ada") == []


def test_related_objects_come_with_the_row(two_provinces, django_assert_num_queries):
    government_with_province(two_provinces[0].id)  # compiled
    with django_assert_num_queries(1):
        found = government_with_province(two_provinces[1].id)
        assert found[0].province.name == "Provinsi Uji Dua"


def test_compiles_once(two_provinces):
    @prepared(int)
    def agencies_of(government_id):
        return Agency.objects.filter(government_id=government_id)

    real = SQLCompiler.as_sql
    with mock.patch.object(SQLCompiler, "as_sql", autospec=True, side_effect=real) as as_sql:
        for government in two_provinces * 3:
            assert {a.government_id for a in agencies_of(government.id)} == {government.id}
    assert as_sql.call_count == 1


def test_shapes_it_cannot_fill_are_refused(two_provinces):
    @prepared(int)
    def twice(pk):
        return Government.objects.filter(Q(id=pk) | Q(province_id=pk))

    @prepared(int)
    def unused(pk):
        return Government.objects.all()

    for shape in (twice, unused):
        with pytest.raises(PreparedShapeError):
            shape(two_provinces[0].id)


def test_arguments_are_checked_and_huge_ids_match_nothing(two_provinces):
    with pytest.raises(TypeError):
        government_with_province(str(two_provinces[0].id))
    with pytest.raises(TypeError):
        government_with_province(True)
    # a URL's <int:pk> can be any length: no row, no database error (as with the ORM)
    assert government_with_province(10 ** 30) == []
    assert government_with_province(-10 ** 30) == []


def test_the_access_policy_reads_memberships_per_user(two_provinces):
    """The policy's prepared read (``agencies.access``) gives each user their own roles."""
    from agencies.access import may_view_government

    first, second = two_provinces
    one = make_user("prep-one", Role.COORDINATOR, government=first)
    two = make_user("prep-two", Role.COORDINATOR, government=second)
    assert may_view_government(one, first.id) and not may_view_government(one, second.id)
    assert may_view_government(two, second.id) and not may_view_government(two, first.id)
    Membership.objects.filter(user=two).delete()
    assert not may_view_government(get_user_model().objects.get(id=two.id), second.id)


@pytest.mark.django_db(transaction=True)
def test_each_thread_runs_on_its_own_connection(two_provinces):
    """Connections are per thread (a threaded server, the live server of the browser tests): a
    shape compiled on one thread must run on the calling thread's connection."""
    import threading

    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    government_with_province(two_provinces[0].id)  # compiled on this thread
    seen = {}

    def other_thread():
        try:
            with CaptureQueriesContext(connection) as captured:
                seen["rows"] = [g.id for g in government_with_province(two_provinces[1].id)]
            seen["queries"] = len(captured.captured_queries)
        finally:
            connection.close()

    worker = threading.Thread(target=other_thread)
    worker.start()
    worker.join()
    assert seen == {"rows": [two_provinces[1].id], "queries": 1}
