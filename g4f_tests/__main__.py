"""``python -m g4f_tests``: the same runner as ``run_tests.py``."""

import sys

try:
    from .runner import main
except KeyboardInterrupt:  # Ctrl-C before the runner handles it: the same one line, no traceback
    sys.stderr.write("python -m g4f_tests: interrupted\n")
    sys.exit(130)

sys.exit(main())
