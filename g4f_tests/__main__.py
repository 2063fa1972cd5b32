"""``python -m g4f_tests``: the same runner as ``run_tests.py``."""

import sys

try:
    from .runner import main

    status = main()
except KeyboardInterrupt:  # Ctrl-C before or after the runner handles it: the same one line, no traceback
    sys.stderr.write("python -m g4f_tests: interrupted\n")
    status = 130
sys.exit(status)
