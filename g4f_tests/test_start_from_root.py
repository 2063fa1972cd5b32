"""Stops ``python -m unittest discover -s g4f_tests`` with one line instead of running nothing.

Discovery started inside the package imports its files as top-level modules and never consults the
package's load_tests, so it would find no test and exit 0. This is the one file there that matches
discovery's ``test*.py`` pattern; imported as part of the package it does nothing.
"""

import sys


def load_tests(loader, tests, pattern):
    if __name__ == "test_start_from_root":  # imported with g4f_tests/ itself on sys.path
        sys.stderr.write(
            "g4f-tests: discovery must start at the project root (python -m unittest discover), "
            "or run python -m g4f_tests\n"
        )
        raise SystemExit(2)
    return tests
