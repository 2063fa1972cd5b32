"""A run of the suite opens no network connection, and the suite's own guard fires when something tries."""
import json
import subprocess
import sys
import textwrap
import unittest

from helpers import ROOT, child_env, RUN_TIMEOUT

# Runs the suite in-process under a recording audit hook added before anything else, so it sees every
# socket.connect / socket.getaddrinfo, whatever the suite's own guard then does with them.
RECORDER = textwrap.dedent("""
    import json, runpy, socket, sys
    seen = []
    def hook(event, args):
        if event == "socket.connect":
            seen.append(["connect", repr(args[1])])
        elif event == "socket.getaddrinfo":
            seen.append(["getaddrinfo", repr(args[0])])
    sys.addaudithook(hook)
    sys.argv = ["run_tests.py", "-q"] + sys.argv[1:]
    try:
        runpy.run_path("run_tests.py", run_name="__main__")
    except SystemExit as exit:
        code = exit.code
    # Control: a loopback connection to a closed port must be seen, or the recorder is blind.
    probe = socket.socket()
    try:
        probe.connect(("127.0.0.1", 9))
    except OSError:
        pass
    finally:
        probe.close()
    print("RESULT " + json.dumps({"code": code, "seen": seen}))
""")


def record(*args):
    proc = subprocess.run([sys.executable, "-c", RECORDER] + list(args), cwd=ROOT, env=child_env(),
                          stdout=subprocess.PIPE, stderr=subprocess.PIPE, universal_newlines=True,
                          timeout=RUN_TIMEOUT, stdin=subprocess.DEVNULL)
    lines = [l for l in proc.stdout.splitlines() if l.startswith("RESULT ")]
    if not lines:
        raise AssertionError("the recorder printed no result:\n" + proc.stdout + proc.stderr)
    return json.loads(lines[-1][len("RESULT "):])


class NoNetworkTest(unittest.TestCase):
    def test_default_run_opens_no_connection(self):
        result = record()
        self.assertEqual(result["code"], 0)
        control = ["connect", repr(("127.0.0.1", 9))]
        self.assertEqual(result["seen"][-1], control, "the recorder did not see the control connection")
        self.assertEqual(result["seen"][:-1], [], "the suite's run tried the network")


class GuardTest(unittest.TestCase):
    def test_guard_turns_an_attempt_into_an_error_naming_it(self):
        code = textwrap.dedent("""
            import socket
            from g4f_tests import support
            support.enable_network_guard()
            try:
                socket.getaddrinfo("pypi.org", 443)
            except support.NetworkAccessError as error:
                print("BLOCKED", error)
            s = socket.socket()
            try:
                s.connect(("127.0.0.1", 9))   # loopback stays allowed
            except support.NetworkAccessError:
                print("LOOPBACK BLOCKED")
            except OSError:
                print("LOOPBACK ALLOWED")
            finally:
                s.close()
            print(support.blocked_attempts)
        """)
        proc = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=child_env(),
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, universal_newlines=True,
                              timeout=RUN_TIMEOUT)
        self.assertIn("BLOCKED g4f-tests blocks network access: something tried to reach pypi.org:443",
                      proc.stdout, proc.stderr)
        self.assertIn("LOOPBACK ALLOWED", proc.stdout)
        self.assertIn("('pypi.org:443', 'MainThread')", proc.stdout)


if __name__ == "__main__":
    unittest.main()
