"""Stage one, run inside the sandbox: execute a submission and export its answers as data.

    python -I -m russia_iran.grading.stage_one JOB_DIR

JOB_DIR holds ``job.json`` (the notebook's path in JOB_DIR and the variable names the
tests read) and ``work/``, where the notebook runs. This writes ``out/answers.json`` (see :mod:`.answers`),
``out/executed.ipynb`` (outputs capped, for the instructor's review) and ``out/run.json``
(how execution ended). Everything written here is untrusted: the student's code ran in
the same sandbox, and stage two treats these files as data only.
"""

from __future__ import annotations

import json
import resource
import sys
from pathlib import Path

OUTPUT_CAP = 20_000          # characters kept of each text output in the executed notebook
IMAGE_CAP = 200_000          # larger images and HTML outputs are left out of it
PROCESS_LIMIT = 256          # processes and threads in the sandbox
FILE_SIZE_LIMIT = 256 * 1024 * 1024


def limit_resources(memory_bytes: int) -> None:
    """Soft and hard limits together: code without privileges cannot raise them again."""
    limits = [(resource.RLIMIT_CORE, 0), (resource.RLIMIT_FSIZE, FILE_SIZE_LIMIT),
              (resource.RLIMIT_NPROC, PROCESS_LIMIT)]
    if memory_bytes:
        limits.append((resource.RLIMIT_AS, memory_bytes))
    for which, value in limits:
        _, hard = resource.getrlimit(which)
        if hard != resource.RLIM_INFINITY:
            value = min(value, hard)
        resource.setrlimit(which, (value, value))


def export_cell(names: list[str], answers_path: Path) -> str:
    return (f"from russia_iran.grading.answers import export as __export_answers\n"
            f"__export_answers({names!r}, {str(answers_path)!r}, globals())")


def capped(nb: dict) -> dict:
    """The executed notebook with long outputs shortened, so a log stays readable."""
    for cell in nb.get("cells", []):
        for out in cell.get("outputs", []) or []:
            if "text" in out:
                text = "".join(out["text"]) if isinstance(out["text"], list) else str(out["text"])
                if len(text) > OUTPUT_CAP:
                    out["text"] = text[:OUTPUT_CAP] + f"\n[... {len(text) - OUTPUT_CAP} characters left out ...]\n"
            data = out.get("data")
            if isinstance(data, dict):
                for mime in list(data):
                    if len(json.dumps(data[mime])) > IMAGE_CAP:
                        del data[mime]
    return nb


def cell_errors(nb: dict) -> list[dict]:
    errors = []
    for cell in nb.get("cells", []):
        for out in cell.get("outputs", []) or []:
            if out.get("output_type") == "error":
                errors.append({"ename": str(out.get("ename", ""))[:80], "evalue": str(out.get("evalue", ""))[:160]})
    return errors


def run(job_dir: Path, job: dict) -> dict:
    import nbformat
    from nbclient import NotebookClient
    from nbclient.exceptions import DeadKernelError

    out = job_dir / "out"
    notebook_path = job_dir / job["notebook"]
    nb = nbformat.read(notebook_path, as_version=4)
    nb.cells.append(nbformat.v4.new_code_cell(export_cell(job["names"], out / "answers.json")))
    client = NotebookClient(nb, timeout=None, kernel_name="python3", allow_errors=True,
                            resources={"metadata": {"path": str(notebook_path.parent)}})
    result = {"status": "ok"}
    try:
        client.execute()
    except DeadKernelError:
        result = {"status": "kernel_died"}
    except Exception as e:  # noqa: BLE001 - the kernel would not start, or nbclient failed
        result = {"status": "failed", "message": f"{type(e).__name__}: {e}"[:400]}
    nb.cells.pop()  # the export cell is ours, not the student's
    result["cell_errors"] = cell_errors(nb)[:20]
    nbformat.write(capped(nb), out / "executed.ipynb")
    return result


def main(job_dir: str) -> int:
    job_dir = Path(job_dir)
    job = json.loads((job_dir / "job.json").read_text(encoding="utf-8"))
    limit_resources(job.get("memory_bytes", 0))
    result = run(job_dir, job)
    (job_dir / "out" / "run.json").write_text(json.dumps(result), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
