"""A run of the suite opens no network connection, and the suite's own guard blocks every non-loopback
destination a test might reach (names, public and private addresses, link-local, IPv6), allowing loopback."""

import json
import subprocess
import sys
import textwrap
import unittest

from helpers import ROOT, RUN_TIMEOUT, G4fCopy, child_env, suite_results

# Runs the suite in-process under a recording audit hook added before anything else, so it sees every
# socket.connect / socket.getaddrinfo, whatever the suite's own guard then does with them.
RECORDER = textwrap.dedent("""
    import json, runpy, socket, sys
    seen = []
    def hook(event, args):
        if event == "socket.connect" and isinstance(args[1], tuple):
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

# Each destination is tried with the guard on; a safety net behind the guard stops anything it let through.
GUARD = textwrap.dedent("""
    import ipaddress, json, socket, sys
    from g4f_tests import sandbox
    sandbox.enable_network_guard()

    def safety_net(event, args):
        if event in ("socket.getaddrinfo", "socket.gethostbyname") or (
                event in ("socket.connect", "socket.sendto") and isinstance(args[1], tuple)
                and not ipaddress.ip_address(args[1][0]).is_loopback):
            raise RuntimeError("safety net: the guard let %s %r through" % (event, args[1:2] or args[:1]))

    sys.addaudithook(safety_net)
    found = {}
    for kind, family, host in json.loads(sys.argv[1]):
        s = socket.socket(family, socket.SOCK_DGRAM if kind == "sendto" else socket.SOCK_STREAM)
        s.settimeout(0.5)
        try:
            if kind == "getaddrinfo":
                socket.getaddrinfo(host, 443)
            elif kind == "gethostbyname":
                socket.gethostbyname(host)
            elif kind == "sendto":
                s.sendto(b"x", (host, 9))
            else:
                s.connect((host, 9))
            found[host + " " + kind] = "allowed"
        except sandbox.NetworkAccessError:
            found[host + " " + kind] = "blocked"
        except OSError as error:
            found[host + " " + kind] = "allowed" if "safety net" not in str(error) else "LEAKED"
        except RuntimeError as error:
            found[host + " " + kind] = "LEAKED"
        finally:
            s.close()
    print("RESULT " + json.dumps({"found": found, "blocked": sandbox.blocked_attempts}))
    """)
INET, INET6 = 2, 10
BLOCKED = [
    ("getaddrinfo", INET, "pypi.org"),
    ("gethostbyname", INET, "g4f-guard-check.invalid"),
    ("connect", INET, "93.184.216.34"),  # public
    ("connect", INET, "10.1.2.3"),  # private
    ("connect", INET, "192.168.1.1"),  # private
    ("connect", INET, "172.16.0.1"),  # private
    ("connect", INET, "169.254.169.254"),  # link-local (cloud metadata)
    ("sendto", INET, "8.8.8.8"),  # UDP
    ("connect", INET6, "2001:db8::1"),  # IPv6
    ("connect", INET6, "fe80::1"),  # IPv6 link-local
]
ALLOWED = [("connect", INET, "127.0.0.1"), ("connect", INET, "127.8.9.10"), ("connect", INET6, "::1")]


def result_of(proc):
    lines = [line for line in proc.stdout.splitlines() if line.startswith("RESULT ")]
    if not lines:
        raise AssertionError("the child printed no result:\n" + proc.stdout + proc.stderr)
    return json.loads(lines[-1][len("RESULT ") :])


def python(code, *args):
    return subprocess.run(
        [sys.executable, "-c", code] + list(args),
        cwd=ROOT,
        env=child_env(),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        universal_newlines=True,
        timeout=RUN_TIMEOUT,
        stdin=subprocess.DEVNULL,
    )


class NoNetworkTest(unittest.TestCase):
    def test_default_run_opens_no_connection(self):
        result = result_of(python(RECORDER))
        self.assertEqual(result["code"], 0)
        control = ["connect", repr(("127.0.0.1", 9))]
        self.assertEqual(result["seen"][-1], control, "the recorder did not see the control connection")
        remote = [s for s in result["seen"][:-1] if "127.0.0.1" not in s[1] and "'::1'" not in s[1]]
        self.assertEqual(remote, [], "the suite's run tried the network")


class GuardTest(unittest.TestCase):
    def test_guard_blocks_every_non_loopback_destination_and_allows_loopback(self):
        result = result_of(python(GUARD, json.dumps(BLOCKED + ALLOWED)))
        for kind, _, host in BLOCKED:
            with self.subTest(host=host, kind=kind):
                self.assertEqual(result["found"][host + " " + kind], "blocked")
        for kind, _, host in ALLOWED:
            with self.subTest(host=host, kind=kind):
                self.assertEqual(result["found"][host + " " + kind], "allowed")
        self.assertEqual(len(result["blocked"]), len(BLOCKED))

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
            results = suite_results("-k", "TestChatCompletion.test_create", pythonpath=g4f.dir)
        output = results.output()
        self.assertEqual(results.proc.returncode, 1, output)
        self.assertNotIn("safety net", output)
        test_id = "g4f_tests.asyncio.TestChatCompletion.test_create"
        self.assertEqual(results.outcomes[test_id], "error")
        self.assertIn("something tried to reach g4f-guard-check.invalid:443", results.message(test_id))
        self.assertEqual(results.data["blocked"][0][0], "g4f-guard-check.invalid:443")


if __name__ == "__main__":
    unittest.main()
