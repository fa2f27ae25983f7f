"""Grade a folder of submitted notebooks into a CSV gradebook, in two stages.

    python -m russia_iran.grading SUBMISSIONS_DIR --assignment NAME [--out GRADEBOOK.csv] ...

1. **Stage one** (:mod:`.stage_one`) runs each notebook in a bubblewrap sandbox
   (:mod:`.sandbox`): no network, read-only software, its own processes, IPC and temporary
   folders, and no view of the tests, masters, other submissions or the gradebook. It
   exports the variables the tests read as data (:mod:`.answers`: JSON, tables in pandas'
   table schema, charts as Vega-Lite JSON; never pickle).
2. **Stage two** (:mod:`.stage_two`), a fresh process that runs no student code, loads
   those answers and runs the autograder's tests, hidden ones included. The row comes
   from stage two alone.

Files are checked before anything runs (:mod:`.submissions`), rows are written as each
submission finishes and a second run resumes (:mod:`.gradebook`), and each submission's
log and executed notebook are kept beside the gradebook (:mod:`.batch`). Decision record:
``meta/adrs/0003-two-stage-grading.md``.
"""

from .cli import main

__all__ = ["main"]
