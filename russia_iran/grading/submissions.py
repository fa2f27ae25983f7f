"""The submissions folder, read once at the start: each file's bytes kept privately, checked
before anything runs, and put back at the end if anything changed them."""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
from dataclasses import dataclass, field
from pathlib import Path

from .assignment import Assignment


@dataclass
class Submission:
    path: Path
    file: str            # path relative to the submissions folder, with /
    sha256: str = ""
    backup: Path | None = None   # private copy of its bytes (None for a symbolic link)


@dataclass
class Checked:
    reason: str | None                  # why it is not graded; None: grade it
    notebook: bytes | None = None       # what stage one runs
    notes: list[str] = field(default_factory=list)
    copy_name: str = "submission.ipynb"


def find_submissions(folder: Path, recursive: bool) -> list[Path]:
    pattern = "**/*.ipynb" if recursive else "*.ipynb"
    found = []
    for path in sorted(folder.glob(pattern)):
        rel = path.relative_to(folder)
        if ".ipynb_checkpoints" in rel.parts or any(p.startswith(".") for p in rel.parts) or path.is_dir():
            continue
        found.append(path)
    return found


def sha256_of(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def snapshot(folder: Path, paths: list[Path], backup_dir: Path) -> list[Submission]:
    """Copy every submission's bytes into a private folder; a symbolic link is recorded, never followed."""
    backup_dir.mkdir(mode=0o700)
    subs = []
    for i, path in enumerate(paths):
        sub = Submission(path, path.relative_to(folder).as_posix())
        if path.is_symlink():
            sub.sha256 = hashlib.sha256(b"symlink:" + os.fsencode(os.readlink(path))).hexdigest()
        else:
            sub.backup = backup_dir / str(i)
            shutil.copyfile(path, sub.backup)
            sub.sha256 = sha256_of(sub.backup)
        subs.append(sub)
    return subs


def restore_changed(subs: list[Submission]) -> list[str]:
    """Put back the original bytes of any submission that changed during the run."""
    restored = []
    for sub in subs:
        if sub.backup is None:
            continue
        try:
            if sub.path.is_file() and not sub.path.is_symlink() and sha256_of(sub.path) == sub.sha256:
                continue
            if sub.path.is_dir() and not sub.path.is_symlink():
                shutil.rmtree(sub.path)
            elif sub.path.exists() or sub.path.is_symlink():
                sub.path.unlink()
            shutil.copyfile(sub.backup, sub.path)
            restored.append(sub.file)
        except OSError as e:
            restored.append(f"{sub.file} (could NOT be restored: {e})")
    return restored


def _mb(n: int) -> str:
    return f"{n / 1e6:.1f} MB"


def precheck(data: bytes, assignment: Assignment, max_size: int) -> Checked:
    """Read a submission without running it: a reason means it is not graded."""
    if len(data) == 0:
        return Checked("the file is empty (0 bytes)")
    if len(data) > max_size:
        return Checked(f"the file is {_mb(len(data))}, over the {_mb(max_size)} limit for a submission")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        sample = data[:4096]
        binary = b"\0" in sample or sum(b < 9 or 13 < b < 32 for b in sample) > len(sample) // 20
        if binary:
            return Checked("not a notebook: the file holds binary data, not text")
        return Checked("not a notebook: the file is not UTF-8 text")
    try:
        nb = json.loads(text)
    except json.JSONDecodeError as e:
        return Checked(f"not a notebook: the file is not valid JSON (line {e.lineno}, column {e.colno}: {e.msg})")
    except (RecursionError, ValueError):
        return Checked("not a notebook: the file is not valid JSON")
    if not isinstance(nb, dict) or not isinstance(nb.get("cells"), list) or not isinstance(nb.get("nbformat"), int):
        return Checked("not a notebook: the file is JSON but has no 'cells' list and 'nbformat' number, "
                       "as every Jupyter notebook does")
    if nb["nbformat"] < 4:
        return Checked(f"the notebook is in the old format version {nb['nbformat']}; open it in Jupyter, "
                       "save it, and submit it again")
    for i, cell in enumerate(nb["cells"]):
        if not isinstance(cell, dict) or cell.get("cell_type") not in ("code", "markdown", "raw") \
                or not isinstance(cell.get("source", ""), (str, list)):
            return Checked(f"the notebook is damaged: cell {i + 1} is not a valid cell")
    metadata = nb.get("metadata") if isinstance(nb.get("metadata"), dict) else {}
    otter_meta = metadata.get("otter") if isinstance(metadata.get("otter"), dict) else {}
    got = otter_meta.get("assignment_name")
    if not got:
        return Checked("not a notebook of this assignment: it carries no otter assignment name (was it "
                       "started from the distributed notebook?)")
    if got != assignment.expected_name:
        return Checked(f"this is a notebook of assignment '{got}', not '{assignment.expected_name}'")

    notes = []
    code = "\n".join("".join(c["source"]) if isinstance(c["source"], list) else c["source"]
                     for c in nb["cells"] if c.get("cell_type") == "code")
    missing = [q.name for q in assignment.auto
               if not re.search(r"""\.check\(\s*["']%s["']\s*\)""" % re.escape(q.name), code)]
    if missing:
        notes.append(f"the check cells of {', '.join(missing)} are missing (cells removed?)")
    # grade with the standard kernel, whatever kernel the student's copy names (as otter grade does)
    metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nb["metadata"] = metadata
    # otter's init cell, otter.Notebook("<name>.ipynb"), reads the notebook under the name it was
    # distributed with, even while grading: give the copy that name, whatever the student called it
    # (find_notebook("<name>") stands for "<name>.ipynb")
    m = re.search(r"""otter\.Notebook\(\s*(?:find_notebook\(\s*)?["']([\w.\- ]{1,100}?)(\.ipynb)?["']""", code)
    copy_name = f"{m.group(1)}.ipynb" if m and not m.group(1).startswith(".") else "submission.ipynb"
    return Checked(None, json.dumps(nb, ensure_ascii=False).encode("utf-8"), notes, copy_name)
