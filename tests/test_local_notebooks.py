"""The chapters run as JupyterLab runs them (jupytext, then a kernel) and show every chart of the book."""

from __future__ import annotations

import json

import jupytext
import pytest
from conftest import HTML, ROOT
from nbclient import NotebookClient

from russia_iran.fingerprint import is_notebook

CHAPTERS = sorted((ROOT / "chapters").glob("0*.md"))


@pytest.mark.slow
@pytest.mark.parametrize("chapter", CHAPTERS, ids=lambda p: p.stem)
def test_a_chapter_run_locally_shows_each_chart_of_the_book(chapter, built_book):
    nb = jupytext.read(chapter)
    NotebookClient(nb, timeout=300, kernel_name="python3", resources={"metadata": {"path": str(chapter.parent)}}).execute()
    shown = [o for c in nb.cells if c.cell_type == "code" for o in c.get("outputs", [])
             if 'class="ri-chart"' in str(o.get("data", {}).get("text/html", ""))]
    in_book = (HTML / "chapters" / f"{chapter.stem}.html").read_text(encoding="utf-8").count('<figure class="ri-chart"')
    assert len(shown) == in_book > 0


def test_jupyterlab_opens_chapters_as_notebooks():
    settings = ROOT / ".venv" / "share" / "jupyter" / "lab" / "settings" / "overrides.json"
    viewers = json.loads(settings.read_text(encoding="utf-8"))["@jupyterlab/docmanager-extension:plugin"]
    assert viewers["defaultViewers"]["markdown"] == "Jupytext Notebook"


@pytest.mark.parametrize("page", [p for p in sorted(ROOT.glob("*/*.md")) if is_notebook(p)],
                         ids=lambda p: p.relative_to(ROOT).as_posix())
def test_saving_a_page_in_jupyterlab_leaves_its_source_unchanged(page):
    """JupyterLab saves through jupytext with the project's settings (pyproject.toml): a page
    opened, run (outputs, counts, the kernel's metadata) and saved is written back as it was."""
    from jupytext.config import find_jupytext_configuration_file, load_jupytext_configuration_file

    config = load_jupytext_configuration_file(find_jupytext_configuration_file(str(page.parent)))
    text = page.read_text(encoding="utf-8")
    nb = jupytext.reads(text, fmt="md:myst")
    nb.metadata["language_info"] = {"name": "python", "version": "3.11"}
    for cell in nb.cells:
        if cell.cell_type == "code":
            cell.execution_count = 1
            cell.outputs = [{"output_type": "stream", "name": "stdout", "text": "ran"}]
            cell.metadata["execution"] = {"iopub.status.idle": "2026-12-06T12:00:00Z"}
    assert jupytext.writes(nb, fmt="md:myst", config=config) == text
