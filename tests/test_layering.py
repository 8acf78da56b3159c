"""Apps depend one way: compliance (the standard) ← agencies ← assessments.

A lower layer importing a higher one ties them into a knot (circular imports, a change to the
rounds breaking the agency import). The source is read with ``ast``, so an import inside a
function counts too, and nothing has to be imported to check it.

Known exceptions, kept to a written list so that a new one fails: the project package doubles as
the project's wiring, and two wiring modules reach up into agencies (the root URLconf shows the
login form of agencies; the template context processor asks the access policy for the user's
scope). They are not part of the standard, and neither imports assessments.

The suite follows one rule of its own: no file of it imports a test module (shared fixtures
live in conftest.py files, plain helpers in helper modules).
"""
import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

# (package, forbidden package) -> files of the package allowed to import it (relative to ROOT).
RULES = {
    ("agencies", "assessments"): set(),
    ("compliance", "assessments"): set(),
    ("compliance", "agencies"): {"compliance/urls.py", "compliance/context_processors.py"},
    # notifications sits between agencies and assessments: assessments tells it what to send.
    ("notifications", "assessments"): set(),
    ("agencies", "notifications"): set(),
    ("compliance", "notifications"): set(),
    # exports sits on top: it builds the assessments' files in the background.
    ("assessments", "exports"): set(),
    ("agencies", "exports"): set(),
    ("notifications", "exports"): set(),
    ("compliance", "exports"): set(),
}


def imported_modules(path: Path) -> set[str]:
    """Top-level package names a module imports (absolute imports; a relative import stays
    inside its own package)."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names.add(node.module.split(".")[0])
    return names


def sources(package: str) -> list[Path]:
    return sorted(path for path in (ROOT / package).rglob("*.py")
                  if "migrations" not in path.relative_to(ROOT).parts)


def test_the_walker_sees_every_kind_of_import(tmp_path):
    module = tmp_path / "sample.py"
    module.write_text("import assessments.models\n"
                      "from agencies.access import scope_of\n"
                      "from . import sibling\n"
                      "def later():\n"
                      "    from assessments.services import rounds\n")
    assert imported_modules(module) == {"assessments", "agencies"}


@pytest.mark.parametrize(("package", "forbidden"), sorted(RULES))
def test_lower_layers_do_not_import_higher_ones(package, forbidden):
    allowed = RULES[(package, forbidden)]
    files = sources(package)
    assert len(files) > 5  # the walk found the package's source
    offenders = sorted(str(path.relative_to(ROOT)) for path in files
                       if forbidden in imported_modules(path)
                       and str(path.relative_to(ROOT)) not in allowed)
    assert offenders == []


@pytest.mark.parametrize(("package", "forbidden"), sorted(
    key for key, allowed in RULES.items() if allowed))
def test_the_written_exceptions_are_still_needed(package, forbidden):
    """An exception that no longer applies is removed from the list, so that it cannot hide a
    new import later."""
    for name in RULES[(package, forbidden)]:
        assert forbidden in imported_modules(ROOT / name), name


def test_the_shared_spreadsheet_package_stands_alone():
    for path in sources("compliance/spreadsheets"):
        assert imported_modules(path) & {"agencies", "assessments", "audit"} == set(), path


# --- tests import helpers and conftest fixtures, never another test module -------------------

TESTS = ROOT / "tests"


def imported_test_modules(path: Path) -> list[str]:
    """The test modules (``test_*``) a file imports, however it names them: ``from .test_x``,
    ``from ..app.test_x``, ``from tests.test_x``, ``from . import test_x``, ``import
    tests.test_x``, also inside a function."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [alias.name for alias in node.names
                      if any(part.startswith("test_") for part in alias.name.split("."))]
        elif isinstance(node, ast.ImportFrom):
            module = node.module or ""
            parts = module.split(".") if module else []
            if any(part.startswith("test_") for part in parts):
                found.append("." * node.level + module)
            found += ["." * node.level + (module + "." if module else "") + alias.name
                      for alias in node.names if alias.name.startswith("test_")]
    return found


def test_the_test_import_walker_sees_every_form(tmp_path):
    module = tmp_path / "sample.py"
    module.write_text("from .test_pages import text_of\n"
                      "from ..assessments.test_reports import publish\n"
                      "from tests.browser.test_checklist_journey import log_in\n"
                      "from . import test_races\n"
                      "import tests.test_fuzz_inputs\n"
                      "from .helpers import text_of\n"
                      "from tests.checklists import checklist\n"
                      "import pytest\n"
                      "def later():\n"
                      "    from tests.assessments.test_workflow import answer_all\n")
    assert sorted(imported_test_modules(module)) == sorted([
        ".test_pages", "..assessments.test_reports", "tests.browser.test_checklist_journey",
        ".test_races", "tests.test_fuzz_inputs", "tests.assessments.test_workflow"])


def test_no_test_module_imports_another():
    """A fixture two modules share lives in a conftest.py, a plain helper in a helper module
    (tests/assessments/helpers.py, tests/browser/helpers.py, …): importing a test module runs
    its module-level code and, for a fixture, hides where it comes from."""
    files = sorted(path for path in TESTS.rglob("*.py") if "vendor" not in path.parts)
    assert len(files) > 100  # the walk found the suite
    offenders = {str(path.relative_to(ROOT)): found for path in files
                 if (found := imported_test_modules(path))}
    assert offenders == {}
