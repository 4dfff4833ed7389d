#!/usr/bin/env bash
# The course must pass its own tests on any machine a learner or an instructor has, not only on the one
# its notebooks were executed on. CI runs this after the README's test command (newest releases of every
# dependency, default BLAS threads, no torch); it builds two more fresh environments from the repo:
#
#   lowest  the oldest supported Python (requires-python) with every declared dependency at its lower
#           bound (scripts/dependency_bounds.py), one BLAS thread
#           and, on x86_64, OpenBLAS's generic SSE3 kernel instead of this CPU's own: a matrix product
#           that adds in another order, as on another machine. Whole suite, then every notebook is
#           re-executed into .envs/reexec/ with scripts/execute_notebooks.py.
#   binder  the Binder spec (binder/requirements.txt + binder/postBuild) on the Python that
#           binder/runtime.txt names (the newest this machine has, as a new learner and Colab run a newer
#           Python than CI's python3), newest releases, default threads. Whole suite, then nbval over the
#           notebooks re-executed in "lowest": outputs produced there must be accepted here.
#
# Usage: bash scripts/test_environments.sh [lowest|binder]...   (default: both). Each prints the versions
# it tested (docs/compatibility.md records them). Exit status: non-zero if any suite failed.
set -uo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
ENVS=$ROOT/.envs
stages=("$@")
[ ${#stages[@]} -gt 0 ] || stages=(lowest binder)
failed=()

versions() {  # the direct dependencies' versions in one environment, one line
  "$1/bin/python" - <<'EOF'
import importlib.metadata as md
names = ["numpy", "sympy", "matplotlib", "ipywidgets", "jupyterlab", "ipykernel", "nbformat", "nbclient",
         "tqdm", "pytest", "nbval", "hypothesis", "playwright", "torch"]
found = []
for name in names:
    try:
        found.append(f"{name} {md.version(name)}")
    except md.PackageNotFoundError:
        pass
import platform
print(f"versions: Python {platform.python_version()}, " + ", ".join(found))
EOF
}

oldest_python() {  # the interpreter for requires-python's lower bound, if this machine has one
  local want
  want=$(sed -n 's/^requires-python = ">=\([0-9.]*\)".*/\1/p' pyproject.toml)
  # (a pyenv shim answers to the name but fails unless that version is selected, so each one is run)
  for candidate in "$HOME"/.pyenv/versions/"$want".*/bin/python"$want" /root/.pyenv/versions/"$want".*/bin/python"$want" "python$want"; do
    if "$candidate" -c "import sys; assert sys.version_info[:2] == tuple(map(int, '$want'.split('.')))" 2>/dev/null; then
      command -v "$candidate"; return
    fi
  done
  echo "NOTE: no Python $want on this machine; the lowest environment uses $(python3 --version)" >&2
  command -v python3
}

binder_python() {  # the interpreter binder/runtime.txt names ("python-3.13"), if this machine has it
  local want
  want=$(sed -n 's/^python-\([0-9]*\.[0-9]*\).*/\1/p' binder/runtime.txt)
  for candidate in "$HOME"/.pyenv/versions/"$want".*/bin/python"$want" /root/.pyenv/versions/"$want".*/bin/python"$want" "python$want"; do
    if "$candidate" -c "import sys; assert sys.version_info[:2] == tuple(map(int, '$want'.split('.')))" 2>/dev/null; then
      command -v "$candidate"; return
    fi
  done
  echo "NOTE: no Python $want (binder/runtime.txt) on this machine; the binder environment uses $(python3 --version)" >&2
  command -v python3
}

run_suite() {  # name, python, extra pytest args...
  local name=$1 py=$2; shift 2
  # The browser and Gradescope end-to-end tests ran in the README's environment already (they test
  # the course's packaging and a real browser, not the versions that differ here).
  echo "== $name: the whole suite but the browser and Gradescope end-to-end tests"
  "$py" -m pytest -q -m "not browser and not gradescope" "$@"
  local rc=$?
  [ "$rc" -eq 0 ] || failed+=("$name (pytest exit $rc)")
}

for stage in "${stages[@]}"; do
  case "$stage" in
    lowest)
      venv=$ENVS/lowest
      rm -rf "$venv" "$ENVS/reexec" && mkdir -p "$ENVS"
      python3 scripts/dependency_bounds.py lowest --extra test > "$ENVS/lowest-constraints.txt" || exit 1
      "$(oldest_python)" -m venv "$venv" && "$venv/bin/pip" install -q -c "$ENVS/lowest-constraints.txt" -e ".[test]" || {
        failed+=("lowest (install)"); continue; }
      versions "$venv"
      export OPENBLAS_NUM_THREADS=1
      if [ "$(uname -m)" = "x86_64" ]; then export OPENBLAS_CORETYPE=Prescott; fi
      "$venv/bin/pip" install -q threadpoolctl && "$venv/bin/python" -c \
        "import numpy, threadpoolctl; print('BLAS:', [(i['internal_api'], i.get('architecture'), i['num_threads']) for i in threadpoolctl.threadpool_info()])"
      run_suite lowest "$venv/bin/python"
      echo "== lowest: re-execute every notebook into .envs/reexec/"
      "$venv/bin/python" scripts/execute_notebooks.py --out-dir "$ENVS/reexec" >/dev/null || failed+=("lowest (re-execution)")
      unset OPENBLAS_NUM_THREADS OPENBLAS_CORETYPE
      ;;
    binder)
      venv=$ENVS/binder
      rm -rf "$venv"
      "$(binder_python)" -m venv "$venv" || exit 1
      # What Binder does (repo2docker): requirements first, then postBuild, with that Python on PATH.
      # (No torch beside the course any more: the only CPU build of torch these registries serve is for
      # Python 3.11; on 3.13 pip would fetch a CUDA build of several GB.)
      if ! { "$venv/bin/pip" install -q -r binder/requirements.txt \
             && PATH="$venv/bin:$PATH" bash binder/postBuild \
             && "$venv/bin/pip" install -q -e ".[test]"; }; then
        failed+=("binder (install)"); continue
      fi
      versions "$venv"
      run_suite binder "$venv/bin/python"
      if [ -d "$ENVS/reexec" ]; then
        echo "== binder: nbval accepts the outputs that the lowest environment produced"
        run_suite "binder vs lowest outputs" "$venv/bin/python" "$ENVS/reexec"
      fi
      ;;
    *) echo "unknown stage '$stage': choose lowest or binder" >&2; exit 2 ;;
  esac
done

if [ ${#failed[@]} -gt 0 ]; then
  printf 'FAILED environment: %s\n' "${failed[@]}" >&2
  exit 1
fi
echo "every environment passed: ${stages[*]}"
