"""What the book's notebook outputs depend on besides their own code (ADR 6): the package modules
the notebook pages import, directly or through other modules (not the grader or the build tools),
the data and the bibliography. The Sphinx extension clears the execution cache and rereads the
notebook pages when this digest changes."""

from __future__ import annotations

import ast
import hashlib
from pathlib import Path

from . import LAZY_EXPORTS
from .paths import ROOT

NOTEBOOK_HEADER = "---\njupytext:"  # how a MyST notebook page begins


def is_notebook(page: Path) -> bool:
    return page.is_file() and page.read_text(encoding="utf-8").startswith(NOTEBOOK_HEADER)


def _imports(source: str, package: str = "") -> set[str]:
    """Modules of this package named by the import statements of ``source``, where relative
    imports are taken from ``package``; for ``from a import b``, both a and a.b."""
    found = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom):
            base = ".".join(package.split(".")[: len(package.split(".")) - node.level + 1]) if node.level else ""
            base = ".".join(filter(None, [base, node.module]))
            found |= {base} | {f"{base}.{alias.name}" for alias in node.names}
    return {name for name in found if name.split(".")[0] == "russia_iran"}


def notebook_modules() -> list[Path]:
    """The package files the book's notebook pages import, directly or through other modules
    (a name the package exports lazily, such as russia_iran.load, leads to its module)."""
    todo = set()
    for page in ROOT.glob("*/*.md"):
        if is_notebook(page):
            for cell in page.read_text(encoding="utf-8").split("```{code-cell}")[1:]:
                todo |= _imports("\n".join(line for line in cell.split("\n```")[0].splitlines()[1:]
                                           if not line.startswith(":")))
    seen: dict[str, Path] = {}
    while todo:
        name = todo.pop()
        head, _, attr = name.partition(".")
        base = ROOT.joinpath(*(f"{head}.{LAZY_EXPORTS[attr]}" if attr in LAZY_EXPORTS else name).split("."))
        path = next((p for p in (base.with_suffix(".py"), base / "__init__.py") if p.is_file()), None)
        if path is None or name in seen:
            continue
        seen[name] = path
        todo |= _imports(path.read_text(encoding="utf-8"), name if path.name == "__init__.py" else name.rpartition(".")[0])
    return sorted(set(seen.values()))


def inputs_digest() -> str:
    digest = hashlib.sha256()
    for path in sorted([*notebook_modules(), *(ROOT / "data").glob("*.csv"), ROOT / "data" / "datapackage.json",
                        ROOT / "references.bib"]):
        digest.update(path.relative_to(ROOT).as_posix().encode() + path.read_bytes())
    return digest.hexdigest()
