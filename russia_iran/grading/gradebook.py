"""The CSV gradebook: one row per submitted file, rewritten atomically after every row,
so it is always valid (even after Ctrl-C) and a second run resumes where the first stopped."""

from __future__ import annotations

import csv
import io
import os
import re
import stat
import tempfile
from pathlib import Path

STATUS_OK, STATUS_ERROR = "ok", "error"
HEAD_COLUMNS = ["file", "sha256", "status", "reason"]
TAIL_COLUMNS = ["graded_at", "seconds"]


class GradingSetupError(Exception):
    """Something outside the submissions is wrong (paths, autograder, gradebook, sandbox): stop with a message."""


_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def escape_cell(value: str) -> str:
    """A file name that a spreadsheet would run as a formula gets a leading apostrophe."""
    return "'" + value if value.startswith(_FORMULA_START) else value


def unescape_cell(value: str) -> str:
    return value[1:] if value.startswith("'") and value[1:].startswith(_FORMULA_START) else value


class Gradebook:
    """The CSV gradebook: read and checked once, then rewritten atomically after every row."""

    def __init__(self, path: Path, columns: list[str]):
        self.path = path
        self.columns = list(columns)
        self.extra: list[str] = []      # columns an instructor added: kept as they are
        self.rows: list[dict] = []
        self.index: dict[str, int] = {}
        self._lock_file = None

    def load(self) -> None:
        if not self.path.exists():
            return
        if not self.path.is_file():
            raise GradingSetupError(f"the gradebook path {self.path} exists but is not a file")
        raw = self.path.read_bytes()
        try:
            text = raw.decode("utf-8-sig")
        except UnicodeDecodeError:
            raise GradingSetupError(f"the existing gradebook {self.path} is not UTF-8 text; it was left "
                                    "untouched (move it away or choose another --out)") from None
        if not text.strip():
            return
        problem = None
        try:
            reader = csv.reader(io.StringIO(text, newline=""), strict=True)
            header = next(reader)
            missing = [c for c in self.columns if c not in header]
            if missing:
                problem = (f"its columns do not match this assignment (missing: {', '.join(missing)}); "
                           "was it made for another assignment?")
            elif len(set(header)) != len(header):
                problem = "its header repeats a column name"
            else:
                self.extra = [c for c in header if c not in self.columns]
                for line_no, values in enumerate(reader, start=2):
                    if not values:
                        continue
                    if len(values) != len(header):
                        problem = f"line {line_no} has {len(values)} fields instead of {len(header)}"
                        break
                    row = dict(zip(header, values))
                    row["file"] = unescape_cell(row["file"])
                    if not row["file"]:
                        problem = f"line {line_no} has no file name"
                        break
                    if row["file"] in self.index:
                        problem = f"line {line_no} repeats the file {row['file']!r}"
                        break
                    if not re.fullmatch(r"[0-9a-f]{64}", row["sha256"] or ""):
                        problem = f"line {line_no} has no valid sha256"
                        break
                    if row["status"] not in (STATUS_OK, STATUS_ERROR):
                        problem = f"line {line_no} has status {row['status']!r} (expected ok or error)"
                        break
                    self.index[row["file"]] = len(self.rows)
                    self.rows.append(row)
        except StopIteration:
            return
        except csv.Error as e:
            problem = f"it is not valid CSV ({e})"
        if problem:
            raise GradingSetupError(f"the existing gradebook {self.path} is malformed: {problem}. It was left "
                                    "untouched; fix it, move it away, or choose another --out.")

    def lock(self) -> None:
        import fcntl

        lock_path = self.path.with_name(self.path.name + ".lock")
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self._lock_file = open(lock_path, "a")
        except OSError as e:
            raise GradingSetupError(f"cannot write the gradebook next to {self.path}: {e.strerror}") from None
        try:
            fcntl.flock(self._lock_file, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            raise GradingSetupError(f"another grading run is using {self.path}; wait until it finishes") from None

    def unlock(self) -> None:
        if self._lock_file:
            self._lock_file.close()
            self.path.with_name(self.path.name + ".lock").unlink(missing_ok=True)
            self._lock_file = None

    def graded(self, file: str, sha: str) -> dict | None:
        i = self.index.get(file)
        return self.rows[i] if i is not None and self.rows[i]["sha256"] == sha else None

    def put(self, row: dict) -> None:
        i = self.index.get(row["file"])
        if i is None:
            self.index[row["file"]] = len(self.rows)
            self.rows.append(row)
        else:
            old = self.rows[i]
            kept = [c for c in self.columns if c.endswith("_manual") and old.get(c)] + \
                   [c for c in self.extra if old.get(c)]
            for c in kept:
                row[c] = old[c]
            if kept and old.get("sha256") != row["sha256"]:
                note = f"file changed since these were entered: {', '.join(kept)}"
                row["reason"] = f"{row['reason']}; {note}" if row.get("reason") else note
            self.rows[i] = row
        self.save()

    def _mode(self) -> int:
        """Keep an existing gradebook's permissions; a new one is private (grades are personal data)."""
        try:
            return stat.S_IMODE(self.path.stat().st_mode)
        except OSError:
            return 0o600

    def save(self) -> None:
        header = self.columns + self.extra
        buf = io.StringIO(newline="")
        writer = csv.writer(buf, lineterminator="\n")
        writer.writerow(header)
        for row in self.rows:
            writer.writerow([escape_cell(row.get(c, "")) if c == "file" else row.get(c, "") for c in header])
        data = buf.getvalue().encode("utf-8")
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=self.path.parent, prefix=f".{self.path.name}.", suffix=".tmp")
        try:
            with os.fdopen(fd, "wb") as f:
                f.write(data)
                f.flush()
                os.fsync(f.fileno())
            os.chmod(tmp, self._mode())
            os.replace(tmp, self.path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
