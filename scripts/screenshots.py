"""Full-page screenshots of every main page, as each demo persona sees it (`make screenshots`).

Builds the demo data (seed_demo) in a throwaway SQLite database, runs the development server
on a free port of 127.0.0.1, logs in as each demo user with headless Chromium and saves every
page of their role at 1280 px and 390 px wide, in Indonesian (the default), into
screenshots/<width>/<persona>-<nn>-<page>.png, with screenshots/index.html to browse them. It
also prints what a person would notice first: a page that is not 200, a console error, or a
page wider than the screen. Nothing of the working tree's database or media is touched.

Options: --only operator,leader (some personas), --widths 390 (some widths), --workdir DIR (keep
the database in DIR and reuse it next time instead of seeding again: quicker while iterating).
"""
import argparse
import html
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

BASE = Path(__file__).resolve().parent.parent
OUT = BASE / "screenshots"
CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update",
                 "--disable-sync"]
WIDTHS = (1280, 390)
HEIGHTS = {1280: 900, 390: 844}
PERSONAS = ("anonymous", "operator", "coordinator", "leader", "assessor", "admin")


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def manage(env, *args):
    subprocess.run([sys.executable, str(BASE / "manage.py"), *args], env=env, check=True,
                   cwd=BASE, stdout=subprocess.DEVNULL)


def demo_world(env):
    """Ids of the demo objects the pages need, read from the throwaway database."""
    os.environ.update(env)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "compliance.settings")
    sys.path.insert(0, str(BASE))
    import django

    django.setup()
    from agencies.models import Government
    from assessments.demo import MUNA_BARAT
    from assessments.models import Assessment, Round

    government = Government.objects.get(name=MUNA_BARAT)
    live = Round.objects.get(year=2026, is_official=False)
    published = Round.objects.filter(is_official=True).order_by("-year").first()
    units = {a.agency.short_name: a for a in Assessment.objects.filter(
        round=live, agency__government=government).select_related("agency")}
    return {"government": government.id, "province": government.province_id,
            "live": live.id, "published": published.id,
            "dpmptsp": units["DPMPTSP"].id, "dpmptsp_agency": units["DPMPTSP"].agency_id,
            "disdukcapil": units["Disdukcapil"].id}


def pages_of(persona, w):
    """(name, path) of the pages each demo persona uses; the demo's 2026 round is in
    self-assessment, so the leader's and coordinator's rapor and comparison are not there yet."""
    gov, prov = w["government"], w["province"]
    rankings = [("rankings", "/rankings/"),
                ("ranking-national", f"/rankings/{w['published']}/national/"),
                ("ranking-province", f"/rankings/{w['published']}/{prov}/")]
    public = [("results", "/results/"), ("results-round", f"/results/{w['published']}/")]
    government = [("government", f"/governments/{gov}/"),
                  ("dashboard", f"/governments/{gov}/dashboard/")]
    board = [("board", f"/governments/{gov}/board/"),
             ("government-actions", f"/governments/{gov}/actions/")]
    checklist = [("checklist", f"/checklists/{w['dpmptsp']}/"),
                 ("checklist-history", f"/checklists/{w['dpmptsp']}/history/"),
                 ("agency-actions", f"/agencies/{w['dpmptsp_agency']}/actions/")]
    verified = [("verification", f"/verify/{w['disdukcapil']}/"),
                ("comparison", f"/governments/{gov}/rounds/{w['live']}/comparison/"),
                ("rapor", f"/checklists/{w['disdukcapil']}/rapor/")]
    ombudsman = [("ombudsman-products",
                  f"/governments/{gov}/rounds/{w['live']}/ombudsman-products/")]
    rounds = [("rounds", "/rounds/"), ("round", f"/rounds/{w['live']}/"),
              ("round-government", f"/rounds/{w['live']}/governments/{gov}/")]
    return {
        "anonymous": [("home", "/"), ("login", "/accounts/login/")] + public + rankings,
        "operator": [("home", "/")] + checklist + government + rankings
        + [("products", f"/units/{w['dpmptsp_agency']}/products/")],
        "coordinator": [("home", "/")] + checklist + board + government + rankings
        + [("sample", f"/checklists/{w['dpmptsp']}/sample/")] + ombudsman,
        "leader": [("home", "/")] + government + board + rankings + public
        + [("exports", "/exports/")],
        "assessor": [("home", "/"), ("queue", "/queue/"),
                     ("sources", f"/verify/{w['disdukcapil']}/sources/")]
        + verified + government + board + rankings + ombudsman,
        "admin": [("home", "/")] + rounds + checklist + verified + board + government
        + rankings + [("ranking-live", f"/rankings/{w['live']}/{prov}/")],
    }[persona]


def wait_for(url, seconds=60):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(url, timeout=2)
            return
        except OSError:
            time.sleep(0.3)
    raise SystemExit(f"the server did not answer at {url}")


def folder(width, language):
    """Indonesian in screenshots/<width>/, another language in screenshots/<language>/<width>/."""
    return OUT / str(width) if language == "id" else OUT / language / str(width)


def shoot(base, world, personas, widths, language="id"):
    from playwright.sync_api import sync_playwright

    from assessments.demo import DEMO_PASSWORD

    notes, shots = [], []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        for persona in personas:
            for width in widths:
                context = browser.new_context(viewport={"width": width,
                                                        "height": HEIGHTS.get(width, 900)},
                                              locale="id-ID")
                if language != "id":  # the switcher's cookie, as a user who chose it has
                    context.add_cookies([{"name": "django_language", "value": language,
                                          "url": base}])
                page = context.new_page()
                errors = []
                page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
                page.on("pageerror", lambda e: errors.append(str(e)))
                if persona != "anonymous":
                    page.goto(base + "/accounts/login/")
                    page.locator("input[name=username]").fill(persona)
                    page.locator("input[name=password]").fill(DEMO_PASSWORD)
                    page.locator("main form button[type=submit]").click()
                    page.wait_for_load_state("load")
                for number, (name, path) in enumerate(pages_of(persona, world), start=1):
                    errors.clear()
                    response = page.goto(base + path)
                    page.wait_for_load_state("load")
                    page.wait_for_timeout(150)  # the dashboard's chart draws after load
                    target = folder(width, language) / f"{persona}-{number:02d}-{name}.png"
                    target.parent.mkdir(parents=True, exist_ok=True)
                    page.screenshot(path=str(target), full_page=True)
                    shots.append((width, persona, name, path, target))
                    scroll = page.evaluate("() => document.documentElement.scrollWidth")
                    height = page.evaluate("() => document.documentElement.scrollHeight")
                    where = f"{width} px, {persona}, {name} ({path})"
                    if response.status != 200:
                        notes.append(f"{where}: HTTP {response.status}")
                    if scroll > width:
                        notes.append(f"{where}: {scroll} px wide")
                    for error in errors:
                        notes.append(f"{where}: console error: {error}")
                    print(f"{target.relative_to(BASE)}  {scroll}x{height} px")
                context.close()
        browser.close()
    return notes, shots


def write_index(shots):
    rows = []
    for width, persona, name, path, target in shots:
        rel = target.relative_to(OUT).as_posix()
        rows.append(f'<figure><figcaption>{width} px · {html.escape(persona)} · '
                    f'{html.escape(name)} <code>{html.escape(path)}</code></figcaption>'
                    f'<a href="{rel}"><img src="{rel}" width="{min(width, 390)}" loading="lazy" '
                    f'alt=""></a></figure>')
    (OUT / "index.html").write_text(
        "<!doctype html><meta charset=utf-8><title>Kepatuhan screenshots</title>"
        "<style>figure{display:inline-block;vertical-align:top;margin:8px}"
        "img{border:1px solid #ccc}</style>\n" + "\n".join(rows), encoding="utf-8")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", help="comma-separated personas", default=",".join(PERSONAS))
    parser.add_argument("--widths", help="comma-separated widths in px",
                        default=",".join(map(str, WIDTHS)))
    parser.add_argument("--language", choices=("id", "en"), default="id",
                        help="the pages' language (English ones go to screenshots/en/)")
    parser.add_argument("--workdir", type=Path,
                        help="keep the demo database here and reuse it when it exists")
    options = parser.parse_args()
    personas = [p for p in options.only.split(",") if p]
    unknown = set(personas) - set(PERSONAS)
    if unknown:
        parser.error(f"unknown persona(s): {', '.join(sorted(unknown))}")
    widths = [int(w) for w in options.widths.split(",") if w]
    if not Path(CHROMIUM).exists():
        raise SystemExit(f"Chromium is missing at {CHROMIUM}: run "
                         "`sudo apt-get update && sudo apt-get install -y chromium`")

    work = options.workdir or Path(tempfile.mkdtemp(prefix="kepatuhan-screenshots-"))
    work.mkdir(parents=True, exist_ok=True)
    seeded = (work / "db.sqlite3").exists()
    env = {**os.environ, "DEBUG": "true", "DATABASE_URL": f"sqlite:///{work / 'db.sqlite3'}",
           "MEDIA_ROOT": str(work / "media"), "STATIC_MANIFEST": "false"}
    server = None
    try:
        manage(env, "migrate", "--verbosity", "0")
        if not seeded:
            print("Building the demo data in", work)
            manage(env, "seed_demo")
        port = free_port()
        server = subprocess.Popen(
            [sys.executable, str(BASE / "manage.py"), "runserver", f"127.0.0.1:{port}",
             "--noreload", "--skip-checks"],
            env=env, cwd=BASE, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        base = f"http://127.0.0.1:{port}"
        wait_for(base + "/accounts/login/")
        world = demo_world(env)
        for width in widths:
            shutil.rmtree(folder(width, options.language), ignore_errors=True)
        notes, shots = shoot(base, world, personas, widths, options.language)
        write_index(shots)
    finally:
        if server is not None:
            server.terminate()
            server.wait(timeout=10)
        if not options.workdir:
            shutil.rmtree(work, ignore_errors=True)
    print(f"\n{len(shots)} screenshots in {OUT.relative_to(BASE)}/ (open index.html)")
    if notes:
        print("\nWorth a look:")
        for note in notes:
            print("  " + note)


if __name__ == "__main__":
    main()
