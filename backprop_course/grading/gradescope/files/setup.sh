#!/usr/bin/env bash
# Gradescope runs this once, as root, while it builds the autograder image; the zip is unpacked in
# $AUTOGRADER_ROOT/source. It makes a virtual environment in $AUTOGRADER_ROOT/venv and installs the
# course from the wheel in this zip (backprop-course @VERSION@, exactly the version that made the
# bundle), with its dependencies from PyPI. Then, as root, it walls the grader's secrets off from the
# learner code it will run:
#   * bubblewrap (apt-get, best effort), so the sandbox can hide files by mounts where namespaces work;
#   * the virtual environment readable by everyone (the sandbox user must be able to run Python), then
#     `python -m backprop_course.grading.sandbox.install`: the system user bc-sandbox, and the installed
#     package root-only except the child side (where namespaces are refused, each child runs as bc-sandbox);
#   * the seed file, the wheel and the unpacked zip ($AUTOGRADER_ROOT/source) readable by root only.
#   AUTOGRADER_ROOT    default /autograder (a test points it at a temporary folder)
#   AUTOGRADER_PYTHON  the Python that makes the environment, default python3 (3.10 or newer); the
#                      sandbox user must be able to read it (a system Python, not one under /root)
set -euo pipefail
ROOT="${AUTOGRADER_ROOT:-/autograder}"
PYTHON="${AUTOGRADER_PYTHON:-python3}"
SOURCE="$ROOT/source"
WHEEL="$SOURCE/@WHEEL@"
SEED_FILE="$SOURCE/@SEED_FILE@"
VENV="$ROOT/venv"
unset PYTHONPATH PYTHONHOME
IS_ROOT=0
if [ "$(id -u)" = "0" ]; then IS_ROOT=1; fi

# The seed first, so that it is never readable longer than it must be.
if [ ! -s "$SEED_FILE" ]; then
  echo "setup.sh: the seed file $SEED_FILE is missing; unpack the whole autograder zip into $SOURCE" >&2
  exit 1
fi
chmod 600 "$SEED_FILE" "$WHEEL"
if [ "$IS_ROOT" = "1" ]; then
  chown root:root "$SEED_FILE" "$WHEEL"
  chmod 700 "$SOURCE"
fi

# Gradescope's Ubuntu images may lack venv/ensurepip (python3-venv); add them only when missing.
if ! "$PYTHON" -c "import venv, ensurepip" >/dev/null 2>&1; then
  if [ "$IS_ROOT" = "1" ] && command -v apt-get >/dev/null 2>&1; then
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

# bubblewrap lets the sandbox hide files by mounts where namespaces work; best effort, never fatal.
if [ "$IS_ROOT" = "1" ] && ! command -v bwrap >/dev/null 2>&1 && command -v apt-get >/dev/null 2>&1; then
  export DEBIAN_FRONTEND=noninteractive
  if ! { apt-get install -y -qq bubblewrap >/dev/null 2>&1 \
         || { apt-get update -qq >/dev/null 2>&1 && apt-get install -y -qq bubblewrap >/dev/null 2>&1; }; }; then
    echo "setup.sh: note: bubblewrap could not be installed; the sandbox will use the bc-sandbox user" >&2
  fi
fi

rm -rf "$VENV"
"$PYTHON" -m venv "$VENV"
"$VENV/bin/python" -m pip install --quiet --disable-pip-version-check "$WHEEL"
# Fail the image build now, not at the first submission, if the course does not import.
"$VENV/bin/python" -I -B -c "import backprop_course as bc, backprop_course.grading.gradescope.run; assert bc.__version__ == '@VERSION@', bc.__version__"

if [ "$IS_ROOT" = "1" ]; then
  # Everyone may run the environment's Python and read its packages (numpy, ...), then the install
  # module closes the course's own package again, except the child side; it checks the result as the
  # sandbox user and fails the build if a reference is readable or the child side cannot be imported.
  chmod -R go+rX,go-w "$VENV"
  chmod go+x "$ROOT"
  "$VENV/bin/python" -I -B -m backprop_course.grading.sandbox.install
else
  echo "setup.sh: note: not root, so no sandbox user was made and the references stay readable;" \
       "fine for a local try, not for grading (Gradescope runs this as root)" >&2
fi
echo "setup.sh: backprop-course @VERSION@ installed in $VENV"
