#!/usr/bin/env python3
"""Check the drop-in: g4f's etc/unittest with our asyncio.py and mocks.py loses and breaks no test.

    python tests/dropin.py PATH/TO/gpt4free [--python PYTHON]

Runs ``python -m etc.unittest -v`` in the checkout twice, first as it is, then with g4f_tests/asyncio.py
and mocks.py copied over g4f's, and compares test ids and outcomes; the checkout's files are put back.
Network access is blocked in both runs (loopback aside), so a test that needs the network errors in
both. Exit 0 when no test is lost and none that passed fails.
"""

import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile

from helpers import outcomes

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
FILES = ("asyncio.py", "mocks.py")
GUARDED = r"""
import ipaddress, os, runpy, sys
def hook(event, args):
    if event == "socket.connect" and isinstance(args[1], tuple):
        host = args[1][0]
    elif event == "socket.getaddrinfo":
        host = args[0]
    else:
        return
    if host in (None, "localhost"):
        return
    try:
        if ipaddress.ip_address(str(host)).is_loopback:
            return
    except ValueError:
        pass
    raise OSError("network blocked by tests/dropin.py: %r" % (host,))
sys.addaudithook(hook)
sys.path.insert(0, os.getcwd())
sys.argv = ["etc.unittest", "-v"]
runpy.run_module("etc.unittest", run_name="__main__", alter_sys=True)
"""


def run(checkout, python):
    proc = subprocess.run(
        [python, "-c", GUARDED],
        cwd=checkout,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        universal_newlines=True,
        timeout=900,
    )
    found = outcomes(proc.stdout)
    ran = re.search(r"^Ran (\d+) tests?", proc.stdout, re.M)
    return found, (ran.group(1) if ran else "?"), proc.stdout.rstrip().splitlines()[-1:]


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("checkout")
    parser.add_argument("--python", default=sys.executable)
    args = parser.parse_args()
    target = os.path.join(args.checkout, "etc", "unittest")
    if not all(os.path.isfile(os.path.join(target, f)) for f in FILES):
        parser.error("%s has no etc/unittest/asyncio.py and mocks.py" % args.checkout)

    before, ran_before, last_before = run(args.checkout, args.python)
    saved = tempfile.mkdtemp()
    try:
        for name in FILES:
            shutil.copy2(os.path.join(target, name), saved)
            shutil.copy2(os.path.join(ROOT, "g4f_tests", name), target)
        after, ran_after, last_after = run(args.checkout, args.python)
    finally:
        for name in FILES:
            shutil.copy2(os.path.join(saved, name), target)
        shutil.rmtree(saved)

    print("before: %s tests %s" % (ran_before, " ".join(last_before)))
    print("after:  %s tests %s" % (ran_after, " ".join(last_after)))
    lost = sorted(set(before) - set(after))
    broken = sorted(t for t in before if before[t] == "ok" and after.get(t) not in (None, "ok"))
    changed = sorted(t for t in before if t in after and before[t] != after[t])
    for label, ids in (("lost", lost), ("broken", broken), ("outcome changed", changed)):
        for test_id in ids:
            print("%s: %s (%s -> %s)" % (label, test_id, before[test_id], after.get(test_id)))
    if not before:
        print("no test outcomes could be read from the runs")
        return 2
    print("drop-in %s: %d tests compared" % ("OK" if not (lost or broken) else "BROKE TESTS", len(before)))
    return 1 if lost or broken else 0


if __name__ == "__main__":
    sys.exit(main())
