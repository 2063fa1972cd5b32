#!/usr/bin/env python3
"""Run the g4f-tests suite against the installed g4f. ``python run_tests.py --help`` lists the options."""

import sys

from g4f_tests.runner import main

if __name__ == "__main__":
    sys.exit(main())
