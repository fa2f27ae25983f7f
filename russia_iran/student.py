"""Helpers the student notebooks call, so that they work under any file name.

otter's set-up cell names the notebook file ("01_history.ipynb") to read the checks stored in it;
a browser that saves a second copy as "01_history (1).ipynb" would break every check. The set-up
cell asks ``find_notebook`` instead.
"""

from __future__ import annotations

import json
from pathlib import Path


def _is_assignment(path: Path, assignment: str) -> bool:
    try:
        meta = json.loads(path.read_text(encoding="utf-8")).get("metadata", {})
    except (OSError, ValueError):
        return False
    return meta.get("otter", {}).get("assignment_name") == assignment


def find_notebook(assignment: str) -> str:
    """The path of the running notebook of ``assignment``, whatever its file is called."""
    import otter

    if otter.Notebook._grading_mode:  # otter reads the checks from its own copy when grading
        return f"{assignment}.ipynb"
    try:
        from IPython import get_ipython

        names = get_ipython().user_ns if get_ipython() else {}
    except ImportError:
        names = {}
    # JupyterLab (Jupyter Server 2) and VS Code tell the kernel which file it runs.
    for variable in ("__session__", "__vsc_ipynb_file__"):
        path = Path(str(names.get(variable, "")))
        if path.suffix == ".ipynb" and path.is_file() and _is_assignment(path, assignment):
            return str(path)
    exact = Path(f"{assignment}.ipynb")
    if exact.is_file():
        return str(exact)
    copies = sorted((p for p in Path().glob("*.ipynb") if _is_assignment(p, assignment)),
                    key=lambda p: p.stat().st_mtime)
    if copies:
        return str(copies[-1])
    raise FileNotFoundError(f"Cannot find the notebook of {assignment} in {Path.cwd()}: open it from the "
                            "folder it is saved in, so that its checks can be read.")
