"""Apps depend one way: compliance (the standard) ← agencies ← assessments.

A lower layer importing a higher one ties them into a knot (circular imports, a change to the
rounds breaking the agency import). The source is read with ``ast``, so an import inside a
function counts too, and nothing has to be imported to check it.

Known exceptions, kept to a written list so that a new one fails: the project package doubles as
the project's wiring, and two wiring modules reach up into agencies (the root URLconf shows the
login form of agencies; the template context processor asks the access policy for the user's
scope). They are not part of the standard, and neither imports assessments.
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
