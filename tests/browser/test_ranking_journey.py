"""A leader logs in, opens the province ranking and switches peer group."""
from playwright.sync_api import expect

from agencies.models import Role
from assessments.models import Round

from ..conftest import make_user


def test_leader_logs_in_and_reads_the_province_ranking(live_server, page, sultra):
    make_user("leader", Role.LEADER, government=sultra)
    round_ = Round.objects.get(year=2021)

    page.goto(f"{live_server.url}/accounts/login/?next=/rankings/")
    page.locator("input[name=username]").fill("leader")
    page.locator("input[name=password]").fill("x-Secret-2026!")
    page.locator("main form button[type=submit]").click()
    expect(page).to_have_url(f"{live_server.url}/rankings/")

    page.locator(f"#round-{round_.id} a", has_text="Sulawesi Tenggara").click()
    table = page.locator("#ranking-table tbody tr")
    expect(table).to_have_count(15)
    mubar = page.locator("#ranking-table tbody tr", has_text="Muna Barat")
    expect(mubar.locator("td").first).to_have_text("13")
    expect(mubar).to_contain_text("34,19")

    page.locator("nav .nav-link[href='?group=all']").click()
    expect(table).to_have_count(18)
    expect(mubar.locator("td").first).to_have_text("16")
