"""The two editions of the book, built from one source.

* The **student edition** is the book as `_config.yml` and `_toc.yml` describe
  it (`./run.sh build`, into `_build/html`): chapters, student notebooks, the
  public instructor guide. Master notebooks and rubrics are excluded from its
  sources (and are not in its table of contents), so no solution reaches it.
* The **instructor edition** (`./run.sh instructor`, into
  `_build/instructor/_build/html`) is the same book plus the rubrics page and
  the master notebooks with their solutions and hidden tests. Its configuration
  and table of contents are derived here from the student edition's, so the
  two cannot drift apart.

The student edition shows the committed student notebooks (a test fails when
one is stale against its master). The instructor edition first regenerates the
student notebooks and the autograder zips from the masters, running each
master's solutions against its tests.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
from pathlib import Path

import yaml

from .assignments import build_all
from .masters import MASTERS_DIR
from .paths import ROOT

INSTRUCTOR_DIR = ROOT / "_build" / "instructor"
INSTRUCTOR_PAGES = ["instructors/rubrics"]
MASTERS_EXCLUDE = "exercises/masters"


def _jupyter_book() -> str:
    return str(Path(sys.executable).parent / "jupyter-book")


def instructor_config() -> dict:
    config = yaml.safe_load((ROOT / "_config.yml").read_text(encoding="utf-8"))
    config["title"] = f"{config['title']} (instructor edition)"
    shown = {MASTERS_EXCLUDE, *(f"{page}.md" for page in INSTRUCTOR_PAGES)}
    config["exclude_patterns"] = [p for p in config["exclude_patterns"] if p not in shown]
    # Share the student edition's execution cache: the chapters are not run twice.
    config["execute"]["cache"] = str(ROOT / "_build" / ".jupyter_cache")
    return config


def instructor_toc() -> dict:
    toc = yaml.safe_load((ROOT / "_toc.yml").read_text(encoding="utf-8"))
    masters = sorted(MASTERS_DIR.glob("*.ipynb"))
    for part in toc["parts"]:
        if part["caption"] == "For instructors":
            part["chapters"] += [{"file": page} for page in INSTRUCTOR_PAGES]
    toc["parts"].append({"caption": "Solutions (instructors only)",
                         "chapters": [{"file": m.relative_to(ROOT).with_suffix("").as_posix()} for m in masters]})
    return toc


def build_instructor(extra: list[str]) -> int:
    build_all()
    INSTRUCTOR_DIR.mkdir(parents=True, exist_ok=True)
    config, toc = INSTRUCTOR_DIR / "_config.yml", INSTRUCTOR_DIR / "_toc.yml"
    config.write_text(yaml.safe_dump(instructor_config(), sort_keys=False, allow_unicode=True), encoding="utf-8")
    toc.write_text(yaml.safe_dump(instructor_toc(), sort_keys=False, allow_unicode=True), encoding="utf-8")
    command = [_jupyter_book(), "build", str(ROOT), "--config", str(config), "--toc", str(toc),
               "--path-output", str(INSTRUCTOR_DIR), "-W", "-n", "--keep-going", *extra]
    result = subprocess.run(command, cwd=ROOT)
    if result.returncode == 0:
        print(f"The instructor edition is in {INSTRUCTOR_DIR / '_build' / 'html'}: keep it private.")
    return result.returncode


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="russia_iran.editions", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("edition", choices=["instructor"],
                        help="the student edition is the plain build: ./run.sh build")
    args, extra = parser.parse_known_args(argv)
    return build_instructor(extra)


if __name__ == "__main__":
    sys.exit(main())
