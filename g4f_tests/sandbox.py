"""The sandbox every process of the suite runs in: no network, g4f's version check off, g4f's files elsewhere.

g4f starts a thread on its first request that asks the package index for a newer g4f, unless
``g4f.debug.version_check`` is False, and it writes usage records and caches under its cookies folder (in the
user's home). The network guard is an audit hook (it cannot be removed, only switched off): any attempt to reach
a non-loopback address becomes a NetworkAccessError naming the destination, and is recorded for the runner's
summary. g4f's cookies folder becomes one temporary folder per run, shared with the run's children (forked, or
told by G4F_TESTS_COOKIES_DIR) and removed when the process that made it ends. One function, ``sandbox()``,
does it all wherever the suite runs code: the package (the guard, when it is imported), the documented module's
adoption, the zygotes, a Jupyter kernel.
"""

import ipaddress
import os
import shutil
import sys
import tempfile
import threading

COOKIES_ENV = "G4F_TESTS_COOKIES_DIR"


def sandbox():
    enable_network_guard()
    g4f_debug = sys.modules.get("g4f.debug")
    if g4f_debug is not None:
        g4f_debug.version_check = False
    g4f_cookies = sys.modules.get("g4f.cookies")
    if g4f_cookies is not None and hasattr(g4f_cookies, "set_cookies_dir"):
        g4f_cookies.set_cookies_dir(cookies_dir())


def work_in_run_dir():
    """A child of the run works in the run's folder: what a g4f release writes relative to its working directory
    (0.3.8.1 saves generated images to ./generated_images) goes with the run, not into the user's checkout. The
    path entries relative to the old directory ('' for python -c) are made absolute first."""
    sys.path[:] = [os.path.abspath(entry) for entry in sys.path]
    os.chdir(cookies_dir())


def cookies_dir():
    """The run's folder for g4f's files: inherited from the parent, or made here and removed when this process ends,
    however it ends (ends.at_end: also on a hang, SIGTERM under unittest or pytest, a closed pipe)."""
    path = os.environ.get(COOKIES_ENV)
    if not path:
        from . import ends  # not above: ends imports support, which imports this module

        path = os.environ[COOKIES_ENV] = tempfile.mkdtemp(prefix="g4f-tests-cookies-")
        owner = os.getpid()

        def remove_run_folder():
            if os.getpid() == owner:  # not in a fork that inherited the clean-ups
                shutil.rmtree(path, ignore_errors=True)

        ends.at_end(remove_run_folder)
    return path


class NetworkAccessError(OSError):
    pass


_guard = {"installed": False, "enabled": False}
blocked_attempts = []


def is_loopback(host):
    if host is None or host in ("localhost", ""):
        return True
    if isinstance(host, bytes):
        host = host.decode("ascii", "replace")
    host = str(host).split("%", 1)[0]
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return host == "localhost" or host.endswith(".localhost")


def _destination(event, args):
    """(host, port) an audited socket event wants to reach, or None when it reaches no host."""
    if event == "socket.connect":
        address = args[1]
        return tuple(address[:2]) if isinstance(address, tuple) else None  # else an AF_UNIX path
    if event == "socket.getaddrinfo":
        return args[0], args[1]
    if event == "socket.sendto":
        address = args[1]
        return tuple(address[:2]) if isinstance(address, tuple) else None
    if event in ("socket.gethostbyname", "socket.gethostbyname_ex", "socket.gethostbyaddr"):
        return args[0], None
    return None


def _audit(event, args):
    if not _guard["enabled"] or not event.startswith("socket."):
        return
    destination = _destination(event, args)
    if destination is None or is_loopback(destination[0]):
        return
    host, port = destination
    where = "%s:%s" % (host, port) if port is not None else str(host)
    blocked_attempts.append((where, threading.current_thread().name))
    raise NetworkAccessError("g4f-tests blocks network access: something tried to reach %s" % where)


def _hook(event, args):  # pragma: no mutate block (mutmut's own os.putenv events pass through an audit hook)
    """The audit hook itself sees every event of the process (and cannot be removed): only socket events go on."""
    if event.startswith("socket."):
        _audit(event, args)


def enable_network_guard(enabled=True):
    if not _guard["installed"]:
        sys.addaudithook(_hook)
        _guard["installed"] = True
    _guard["enabled"] = enabled
