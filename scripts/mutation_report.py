"""Print the last `make mutation` run per module: killed / total, and every mutant not killed.

mutmut keeps its results in mutants/<module>.meta (exit code per mutant); its own summary is
one line for everything, and the README records the score of each module separately.
Usage: .venv/bin/python scripts/mutation_report.py [--survivors]
"""
import json
import sys
import tomllib
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# mutmut's meaning of a mutant's exit code (mutmut/stats.py): 1 and 3 mean a test failed.
KILLED = {1, 3}
STATUS = {0: "survived", None: "not checked", 5: "no tests", 33: "no tests", 34: "skipped",
          36: "timeout", 24: "timeout", -24: "timeout", 152: "timeout", 255: "timeout"}


def main(show_survivors: bool) -> int:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["mutmut"]
    print(f"{'module':45} {'killed':>7} {'total':>6} {'score':>7}")
    for module in config["only_mutate"]:
        meta = ROOT / "mutants" / f"{module}.meta"
        if not meta.exists():
            print(f"{module:45} {'(not run)':>22}")
            continue
        codes = json.loads(meta.read_text())["exit_code_by_key"]
        killed = sum(1 for code in codes.values() if code in KILLED)
        total = len(codes)
        score = f"{100 * killed / total:.1f} %" if total else "-"
        print(f"{module:45} {killed:>7} {total:>6} {score:>7}")
        others = Counter(STATUS.get(code, "suspicious") for code in codes.values()
                         if code not in KILLED)
        if others:
            print("    not killed: " + ", ".join(f"{n} {s}" for s, n in sorted(others.items())))
        if show_survivors:
            for name, code in sorted(codes.items()):
                if code not in KILLED:
                    print(f"      {STATUS.get(code, 'suspicious'):12} {name}")
    return 0


if __name__ == "__main__":
    sys.exit(main("--survivors" in sys.argv[1:]))
