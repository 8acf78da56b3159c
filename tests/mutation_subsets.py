"""A pytest plugin for `make mutation` only (pyproject.toml loads it with ``-p``).

mutmut runs each mutant against every selected test that called the mutated function; for the
pure modules that includes slow database tests that reach them through services. Here a mutant
of module M keeps only the tests of M's own subset ([tool.kepatuhan.mutation_tests] in
pyproject.toml), so that a module is judged by the tests written for it and a run takes
minutes. Outside a mutant run (the normal suite, mutmut's stats and clean runs) it does nothing.
"""
import os
import tomllib


def pytest_collection_modifyitems(config, items):
    mutant = os.environ.get("MUTANT_UNDER_TEST", "")  # e.g. compliance.scoring.x_round2__mutmut_3
    module = mutant.rpartition(".")[0]
    if not module:
        return
    path = config.rootpath / "pyproject.toml"
    if not path.exists():
        return
    subsets = tomllib.loads(path.read_text())["tool"]["kepatuhan"]["mutation_tests"]
    if module not in subsets:
        return
    keep = tuple(subsets[module])
    deselected = [item for item in items if not item.nodeid.startswith(keep)]
    if deselected:
        config.hook.pytest_deselected(items=deselected)
        items[:] = [item for item in items if item.nodeid.startswith(keep)]
