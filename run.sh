#!/usr/bin/env bash
# One entry point for the module: set-up, book, tests, notebooks and grading.
#
# Needs Python 3.11 or newer, Node.js with npm and 3 GB of free disk; Debian's
# chromium (for the PDFs and the browser tests) and bubblewrap (the grader's
# sandbox) are installed with apt if missing.
#
#   ./run.sh build        set up (first time), then build the book into _build/html,
#                         its PDFs into _build/html/pdf and the chapters with their
#                         outputs into _build/html/notebooks
#   ./run.sh pdf          remake only the PDFs and chapter notebooks from the built book
#   ./run.sh test         set up, then run the whole test suite (builds the book)
#   ./run.sh instructor   build the instructor edition (solutions, rubrics)
#                         into _build/instructor/_build/html
#   ./run.sh grade SUBMISSIONS/ --assignment NAME [--out gradebook.csv]
#                         [--roster class.csv --title "Assignment 1"]
#                         NAME: 01_history 02_rapprochement 03_treaty 04_postwar 05_war2026
#   ./run.sh lab          open JupyterLab on the chapters (they open as notebooks)
#   ./run.sh benchmark    measure build time, page weight and time to first chart
#
# Set-up installs the pinned Python packages (requirements.lock) into .venv/
# and the pinned JavaScript (package-lock.json) into node_modules/, and
# repeats only when a lock file changes.
set -euo pipefail
cd "$(dirname "$0")"

VENV=.venv
PY="$VENV/bin/python"

say() { printf '\033[1m==> %s\033[0m\n' "$*"; }

usage() { awk 'NR > 1 && /^#/ { sub(/^# ?/, ""); print; next } NR > 1 { exit }' "$0"; }

fingerprint() { cat "$@" | sha256sum | cut -d' ' -f1; }

setup_python() {
  local stamp="$VENV/.installed" want
  want=$(fingerprint requirements.lock pyproject.toml lab-overrides.json)
  if [[ -f "$stamp" && "$(cat "$stamp")" == "$want" ]]; then return; fi
  command -v python3 >/dev/null || { echo "Python 3.11 or newer is needed (python3 not found)." >&2; exit 1; }
  python3 -c 'import sys; sys.exit(sys.version_info < (3, 11))' \
    || { echo "Python 3.11 or newer is needed; found $(python3 --version)." >&2; exit 1; }
  say "Installing the pinned Python packages into $VENV (first run only)"
  [[ -x "$PY" ]] || python3 -m venv "$VENV"
  "$PY" -m pip install --quiet --upgrade pip
  # One line per package as it arrives, and any error; pip's own exit status decides (pipefail).
  "$PY" -m pip install -r requirements.lock 2>&1 \
    | awk '/^Collecting/ || /^ERROR/ { print; fflush() } /^Successfully installed/ { print "Installed " NF - 2 " packages" }'
  "$PY" -m pip install --quiet --no-deps -e .
  # JupyterLab in this environment opens the MyST chapters as notebooks on a double-click.
  mkdir -p "$VENV/share/jupyter/lab/settings"
  cp lab-overrides.json "$VENV/share/jupyter/lab/settings/overrides.json"
  echo "$want" > "$stamp"
}

setup_node() {
  local stamp=node_modules/.installed want
  want=$(fingerprint package.json package-lock.json)
  if [[ -f "$stamp" && "$(cat "$stamp")" == "$want" ]]; then return; fi
  command -v npm >/dev/null || { echo "Node.js with npm is needed to serve the charts' JavaScript (npm not found)." >&2; exit 1; }
  say "Installing the pinned JavaScript packages into node_modules (first run only)"
  npm ci --no-audit --no-fund
  echo "$want" > "$stamp"
}

# Debian packages a command needs: chromium (PDFs, browser tests), bubblewrap (the
# grader's sandbox). Installed with apt when missing.
setup_debian() {
  local missing=() package
  for package in "$@"; do
    case $package in
      chromium) [[ -x /usr/bin/chromium ]] || missing+=(chromium) ;;
      bubblewrap) command -v bwrap >/dev/null || missing+=(bubblewrap) ;;
    esac
  done
  (( ${#missing[@]} )) || return 0
  say "Installing Debian's ${missing[*]}"
  local sudo=""
  [[ $(id -u) -eq 0 ]] || sudo="sudo"
  if ! { $sudo apt-get update -qq && DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${missing[@]}"; }; then
    echo "Could not install ${missing[*]}; install Debian's package(s) '${missing[*]}' and run again." >&2
    exit 1
  fi
}

# Everything a first run needs, checked before anything is installed.
preflight() {
  local missing=()
  command -v python3 >/dev/null && python3 -c 'import sys; sys.exit(sys.version_info < (3, 11))' \
    || missing+=("Python 3.11 or newer (python3)")
  command -v npm >/dev/null || missing+=("Node.js with npm")
  local free_mb
  free_mb=$(df -Pm . | awk 'NR == 2 { print $4 }')
  (( free_mb >= 3000 )) || missing+=("3 GB of free disk space here (${free_mb} MB free)")
  if (( ${#missing[@]} )); then
    printf 'Before the first run this machine needs:\n' >&2
    printf '  - %s\n' "${missing[@]}" >&2
    exit 1
  fi
}

setup() {
  [[ -f "$VENV/.installed" && -f node_modules/.installed ]] || preflight
  setup_python
  setup_node
}

# Sphinx's status lines, configuration dumps and the kernels' transport notices
# are left out; warnings still fail the build (-W) and are shown.
book() {
  # A problem in a data set stops here with the data checker's list, before a notebook runs into it.
  "$PY" -m russia_iran.data >/dev/null
  say "Building the book (a few minutes the first time; executed notebooks are cached)"
  "$VENV/bin/jupyter-book" build . -q -W -n --keep-going "$@" \
    2> >(grep -v "Kernel is running over TCP without encryption" >&2)
}

command=${1:-help}
shift || true
case "$command" in
  build)
    setup
    setup_debian chromium
    book
    say "Printing the PDFs and writing the chapter notebooks"
    "$PY" -m russia_iran.takeaway
    say "The book is in _build/html; open _build/html/index.html in a browser."
    ;;
  pdf)
    setup
    setup_debian chromium
    "$PY" -m russia_iran.takeaway
    ;;
  test)
    setup
    setup_debian chromium bubblewrap
    "$PY" -m pytest "$@"
    ;;
  instructor)
    setup
    "$PY" -m russia_iran.editions instructor "$@"
    ;;
  grade)
    setup
    setup_debian bubblewrap
    "$PY" -m russia_iran.grading "$@"
    ;;
  lab)
    setup
    # Open on the first chapter, as a notebook, with the file browser at the module's root.
    "$VENV/bin/jupyter" lab --ServerApp.root_dir="$PWD" "${@:-chapters/01_history.md}"
    ;;
  benchmark)
    setup
    setup_debian chromium bubblewrap
    "$PY" benchmarks/run.py "$@"
    ;;
  help|-h|--help)
    usage
    ;;
  *)
    echo "Unknown command: $command" >&2
    usage >&2
    exit 2
    ;;
esac
