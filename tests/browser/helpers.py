"""Plain helpers of the browser tests (fixtures live in the conftest files)."""
from playwright.sync_api import expect

PASSWORD = "x-Secret-2026!"  # tests/conftest.py's make_user gives every persona this one


def log_in(page, base, username):
    page.goto(f"{base}/accounts/login/")
    page.locator("input[name=username]").fill(username)
    page.locator("input[name=password]").fill(PASSWORD)
    page.locator("main form button[type=submit]").click()
    expect(page.locator("nav")).to_contain_text(username)
