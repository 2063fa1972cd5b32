"""A run of the suite opens no network connection, and the suite's own guard blocks every non-loopback
destination a test might reach (names, public and private addresses, link-local, IPv6), allowing loopback."""

import json
import os
import shutil
import subprocess
import sys
import textwrap
import types
import unittest
from unittest import mock

from helpers import ROOT, RUN_TIMEOUT, G4fCopy, child_env, reference_run, suite_results

from g4f_tests import sandbox

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


# Every kind of destination a test could reach, as each audited socket event names it (the guard's hook, called
# here directly): private ranges, shared and link-local space, public, multicast and broadcast, IPv6 (with the
# 4-tuple addresses of AF_INET6 and scope ids), names that only look local, bytes.
OUTSIDE = [
    "10.0.0.1", "10.255.255.254", "172.16.0.1", "172.31.255.254", "192.168.0.1", "192.168.255.254", "100.64.0.1",
    "169.254.169.254", "93.184.216.34", "8.8.8.8", "1.1.1.1", "0.0.0.0", "224.0.0.251", "255.255.255.255",
    "2001:db8::1", "2606:4700:4700::1111", "fe80::1", "fe80::1%eth0", "fc00::1", "fd12:3456::1", "::ffff:10.0.0.1",
    "example.com", "pypi.org", "localhost.example.com", "notlocalhost", "local", "localhost6x",
]  # fmt: skip
LOOPBACK = ["127.0.0.1", "127.1.2.3", "127.255.255.254", "::1", "localhost", "api.localhost", "", None]


def events(host):
    """The audit events (name, args) by which code reaches ``host``, as CPython raises them."""
    sock = object()
    return [
        ("socket.connect", (sock, (host, 443))),
        ("socket.connect", (sock, (host, 443, 0, 0))),  # AF_INET6
        ("socket.sendto", (sock, (host, 53))),
        ("socket.getaddrinfo", (host, 443, 0, 1, 6, 0)),
        ("socket.gethostbyname", (host,)),
        ("socket.gethostbyname_ex", (host,)),
        ("socket.gethostbyaddr", (host,)),
    ]


class GuardOn:
    """The guard enabled and its record empty for each test, as they were after it."""

    def setUp(self):
        patches = (mock.patch.dict(sandbox._guard, enabled=True), mock.patch.object(sandbox, "blocked_attempts", []))
        for patch in patches:
            patch.start()
            self.addCleanup(patch.stop)


class AuditHookTest(GuardOn, unittest.TestCase):
    """The guard's audit hook in this process, for each destination and each socket event (no socket is made)."""

    def test_every_outside_destination_is_blocked_and_recorded(self):
        for host in OUTSIDE + [h.encode() for h in OUTSIDE[:3]]:
            for event, args in events(host):
                with self.subTest(host=host, event=event, address=str(args[-1])):
                    del sandbox.blocked_attempts[:]
                    with self.assertRaises(sandbox.NetworkAccessError) as caught:
                        sandbox._audit(event, args)
                    self.assertIn("something tried to reach", str(caught.exception))
                    self.assertEqual(len(sandbox.blocked_attempts), 1)

    def test_loopback_and_unix_sockets_are_allowed(self):
        for host in LOOPBACK:
            for event, args in events(host):
                with self.subTest(host=host, event=event):
                    sandbox._audit(event, args)
        sandbox._audit("socket.connect", (object(), "/tmp/a-unix-socket"))
        sandbox._audit("socket.bind", (object(), ("0.0.0.0", 0)))
        self.assertEqual(sandbox.blocked_attempts, [])

    def test_the_message_names_the_destination_and_port(self):
        with self.assertRaises(sandbox.NetworkAccessError) as caught:
            sandbox._audit("socket.connect", (object(), ("10.1.2.3", 8080)))
        self.assertEqual(
            str(caught.exception), "g4f-tests blocks network access: something tried to reach 10.1.2.3:8080"
        )
        self.assertEqual(sandbox.blocked_attempts, [("10.1.2.3:8080", "MainThread")])

    def test_a_disabled_guard_blocks_nothing(self):
        with mock.patch.dict(sandbox._guard, enabled=False):
            sandbox._audit("socket.connect", (object(), ("10.1.2.3", 80)))
        self.assertEqual(sandbox.blocked_attempts, [])


class SandboxTest(GuardOn, unittest.TestCase):
    """The sandbox's parts called here directly: what each destination is recorded as, the hosts that count as this
    machine, the cookies folder's life, g4f's version check and cookies folder, installing the guard."""

    def test_each_event_is_recorded_as_the_host_and_port_it_reaches(self):
        sock = object()
        for event, args, where in [
            ("socket.connect", (sock, ("10.1.2.3", 443)), "10.1.2.3:443"),
            ("socket.connect", (sock, ("2001:db8::1", 443, 0, 0)), "2001:db8::1:443"),
            ("socket.sendto", (sock, ("10.1.2.3", 53)), "10.1.2.3:53"),
            ("socket.sendto", (sock, ("2001:db8::1", 53, 0, 0)), "2001:db8::1:53"),
            ("socket.getaddrinfo", ("example.com", 443, 0, 1, 6, 0), "example.com:443"),
            ("socket.gethostbyname", ("example.com",), "example.com"),
            ("socket.gethostbyaddr", ("10.1.2.3",), "10.1.2.3"),
        ]:
            with self.subTest(event=event, args=args[-1]):
                del sandbox.blocked_attempts[:]
                with self.assertRaises(sandbox.NetworkAccessError) as caught:
                    sandbox._audit(event, args)
                self.assertTrue(str(caught.exception).endswith("something tried to reach %s" % where))
                self.assertEqual(sandbox.blocked_attempts, [(where, "MainThread")])
        sandbox._audit("socket.sendto", (sock, "/tmp/a-unix-socket"))  # AF_UNIX: no host
        self.assertEqual(sandbox.blocked_attempts, [("10.1.2.3", "MainThread")])

    def test_this_machine_by_name_address_bytes_or_scope(self):
        for host in ["localhost", "localhost%lo", "127.0.0.1%lo", "127.0.0.1%a%b", b"127.0.0.1", b"localhost", "::1"]:
            with self.subTest(host=host):
                self.assertTrue(sandbox.is_loopback(host))
        for host in [b"\xff.example", "\xff", b"10.0.0.1", "10.0.0.1%lo", "localhost.example.com"]:
            with self.subTest(host=host):
                self.assertFalse(sandbox.is_loopback(host))

    def test_the_cookies_folder_is_made_once_and_removed_by_its_maker_only(self):
        """made once, handed to the children; removed at the end of the process that made it (ends.at_end: however
        the run ends), not by a fork"""
        registered = []
        with mock.patch.dict(os.environ), mock.patch("g4f_tests.ends.at_end", registered.append):
            os.environ.pop(sandbox.COOKIES_ENV, None)
            path = sandbox.cookies_dir()
            self.addCleanup(shutil.rmtree, path, True)
            self.assertEqual(os.environ[sandbox.COOKIES_ENV], path)
            self.assertTrue(os.path.isdir(path))
            self.assertTrue(os.path.basename(path).startswith("g4f-tests-cookies-"), path)
            self.assertEqual(sandbox.cookies_dir(), path, "inherited, not made again")
            self.assertEqual(len(registered), 1)
            with mock.patch("os.getpid", return_value=os.getpid() + 1):  # a forked child at its exit
                registered[0]()
            self.assertTrue(os.path.isdir(path))
            registered[0]()
            self.assertFalse(os.path.exists(path))
            registered[0]()  # already gone: no error

    def test_g4f_loses_its_version_check_and_its_cookies_folder(self):
        debug, cookies, set_to = types.SimpleNamespace(version_check=True), types.ModuleType("g4f.cookies"), []
        cookies.set_cookies_dir = set_to.append
        with mock.patch.dict(sys.modules, {"g4f.debug": debug, "g4f.cookies": cookies}):
            sandbox.sandbox()
        self.assertIs(debug.version_check, False)
        self.assertEqual(set_to, [sandbox.cookies_dir()])
        with mock.patch.dict(sys.modules, {"g4f.cookies": types.ModuleType("g4f.cookies")}):
            sandbox.sandbox()  # an old g4f without set_cookies_dir
        with mock.patch.dict(sandbox._guard, enabled=False):
            with mock.patch.dict(sys.modules, {"g4f.debug": None, "g4f.cookies": None}):
                sandbox.sandbox()
            self.assertIs(sandbox._guard["enabled"], True)

    def test_the_guard_is_installed_once_and_switched(self):
        with mock.patch.dict(sandbox._guard, installed=False, enabled=False), mock.patch("sys.addaudithook") as add:
            sandbox.enable_network_guard()
            self.assertEqual(sandbox._guard, {"installed": True, "enabled": True})
            sandbox.enable_network_guard(False)
            self.assertEqual(sandbox._guard, {"installed": True, "enabled": False})
            sandbox.enable_network_guard(True)
        add.assert_called_once_with(sandbox._hook)


class NoNetworkTest(unittest.TestCase):
    def test_default_run_opens_no_connection(self):
        """the reference run (helpers.reference_run), recorded by an audit hook added before the suite's own guard"""
        run = reference_run()
        self.assertEqual(run.proc.returncode, 0, run.output())
        self.assertIsNotNone(run.seen, "the recorder wrote nothing:\n" + run.output())
        control = ["connect", repr(("127.0.0.1", 9))]
        self.assertEqual(run.seen[-1], control, "the recorder did not see the control connection")
        remote = [s for s in run.seen[:-1] if "127.0.0.1" not in s[1] and "'::1'" not in s[1]]
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
