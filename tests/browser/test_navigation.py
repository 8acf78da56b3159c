"""The navigation bar as the administrator sees it, the fullest one: it fits a 1280 px screen
(the administrator's pages sit in one menu) and the menu opens from the keyboard."""
import re

from playwright.sync_api import expect

from .helpers import log_in


def test_the_administrators_bar_fits_and_its_menu_opens_by_keyboard(live_server, page,
                                                                     personas):
    page.set_viewport_size({"width": 1280, "height": 800})
    log_in(page, live_server.url, "admin")
    assert page.evaluate("document.documentElement.scrollWidth") <= 1280
    language = page.locator("#language-select").bounding_box()
    assert language["width"] >= 140  # "Bahasa Indonesia" stays readable
    page.locator("#nav-admin-toggle").focus()
    page.keyboard.press("Enter")
    link = page.locator("#nav-admin .dropdown-menu a", has_text=re.compile("Instrumen"))
    expect(link).to_be_visible()
    page.keyboard.press("ArrowDown")
    page.keyboard.press("ArrowDown")
    expect(page.locator("#nav-admin .dropdown-menu a:focus")).to_have_count(1)
    link.click()
    expect(page).to_have_url(re.compile("/instruments/$"))
