"""``python -m g4f_tests``: the same runner as ``run_tests.py``."""

import sys

from .runner import main

sys.exit(main())
