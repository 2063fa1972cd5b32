#!/usr/bin/env python3
"""Run the g4f-tests suite against the installed g4f. ``python run_tests.py --help`` lists the options."""

import sys

if __name__ == "__main__":
    try:
        from g4f_tests.runner import main

        status = main()
    except KeyboardInterrupt:  # Ctrl-C before or after the runner handles it: the same one line, no traceback
        sys.stderr.write("run_tests.py: interrupted\n")
        status = 130
    sys.exit(status)
