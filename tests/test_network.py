"""A run of the suite opens no network connection, and the suite's own guard fires when something tries."""

import json
import subprocess
import sys
import textwrap
import unittest

from helpers import ROOT, RUN_TIMEOUT, G4fCopy, child_env, run_suite

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
    proc = subprocess.run(
        [sys.executable, "-c", RECORDER] + list(args),
        cwd=ROOT,
        env=child_env(),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        universal_newlines=True,
        timeout=RUN_TIMEOUT,
        stdin=subprocess.DEVNULL,
    )
    lines = [line for line in proc.stdout.splitlines() if line.startswith("RESULT ")]
    if not lines:
        raise AssertionError("the recorder printed no result:\n" + proc.stdout + proc.stderr)
    return json.loads(lines[-1][len("RESULT ") :])


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
            import sys
            from g4f_tests import support
            support.enable_network_guard()

            def safety_net(event, args):  # runs only if the guard let a call through; stops it too
                if event == "socket.getaddrinfo" or (event == "socket.connect" and args[1][0] != "127.0.0.1"):
                    raise RuntimeError("safety net: the guard did not fire")

            sys.addaudithook(safety_net)
            try:
                socket.getaddrinfo("g4f-guard-check.invalid", 443)
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
        proc = subprocess.run(
            [sys.executable, "-c", code],
            cwd=ROOT,
            env=child_env(),
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            universal_newlines=True,
            timeout=RUN_TIMEOUT,
        )
        self.assertIn(
            "BLOCKED g4f-tests blocks network access: something tried to reach g4f-guard-check.invalid:443",
            proc.stdout,
            proc.stderr,
        )
        self.assertIn("LOOPBACK ALLOWED", proc.stdout)
        self.assertIn("('g4f-guard-check.invalid:443', 'MainThread')", proc.stdout)

    def test_a_g4f_that_phones_home_fails_the_run(self):
        """a g4f whose sync create looks up a host: the tests error naming it, and the run fails"""
        with G4fCopy() as g4f:
            g4f.edit(
                "__init__.py",
                "        method = get_provider_method(provider)",
                "        import socket\n"
                "        socket.getaddrinfo('g4f-guard-check.invalid', 443)\n"
                "        method = get_provider_method(provider)",
            )
            # Added after the suite's guard: reached only if the guard let the lookup through, and then
            # it stops the lookup itself, so this test never reaches the network either way.
            g4f.append(
                "__init__.py",
                "\nimport sys as _sys\n\n\ndef _safety_net(event, args):\n"
                "    if event in ('socket.getaddrinfo', 'socket.connect'):\n"
                "        raise RuntimeError('safety net: the g4f-tests guard did not fire')\n\n\n"
                "_sys.addaudithook(_safety_net)\n",
            )
            proc = run_suite("-k", "TestChatCompletion.test_create", pythonpath=g4f.dir)
        output = proc.stdout + proc.stderr
        self.assertEqual(proc.returncode, 1, output[-3000:])
        self.assertNotIn("safety net", output)
        self.assertIn("g4f-tests blocks network access: something tried to reach g4f-guard-check.invalid:443", output)
        self.assertIn("network access blocked during the run:\n  g4f-guard-check.invalid:443", output)


if __name__ == "__main__":
    unittest.main()
