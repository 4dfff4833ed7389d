#!/usr/bin/env bash
# Gradescope runs this once, as root, while it builds the autograder image; the zip is unpacked in
# $AUTOGRADER_ROOT/source. It makes a virtual environment in $AUTOGRADER_ROOT/venv and installs the
# course from the wheel in this zip (backprop-course @VERSION@, exactly the version that made the
# bundle), with its dependencies from PyPI.
#   AUTOGRADER_ROOT    default /autograder (a test points it at a temporary folder)
#   AUTOGRADER_PYTHON  the Python that makes the environment, default python3 (3.10 or newer)
set -euo pipefail
ROOT="${AUTOGRADER_ROOT:-/autograder}"
PYTHON="${AUTOGRADER_PYTHON:-python3}"
WHEEL="$ROOT/source/@WHEEL@"
VENV="$ROOT/venv"
unset PYTHONPATH PYTHONHOME

# Gradescope's Ubuntu images may lack venv/ensurepip (python3-venv); add them only when missing.
if ! "$PYTHON" -c "import venv, ensurepip" >/dev/null 2>&1; then
  if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq python3 python3-venv python3-pip >/dev/null
  else
    echo "setup.sh: $PYTHON cannot make a virtual environment (install python3-venv)" >&2
    exit 1
  fi
fi
if ! "$PYTHON" -c "import sys; sys.exit(sys.version_info < (3, 10))"; then
  echo "setup.sh: backprop-course needs Python 3.10 or newer; $PYTHON is $("$PYTHON" --version 2>&1)" >&2
  exit 1
fi

rm -rf "$VENV"
"$PYTHON" -m venv "$VENV"
"$VENV/bin/python" -m pip install --quiet --disable-pip-version-check "$WHEEL"
# Fail the image build now, not at the first submission, if the course does not import.
"$VENV/bin/python" -I -c "import backprop_course as bc, backprop_course.grading.gradescope.run; assert bc.__version__ == '@VERSION@', bc.__version__"
echo "setup.sh: backprop-course @VERSION@ installed in $VENV"
