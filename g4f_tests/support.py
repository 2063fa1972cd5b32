"""What the checks, the children and the runner share: time limits, test data, versions, g4f's own nest state,
the environment header, the table of g4f APIs, and the observation of what a call did.

Nothing here imports g4f at module level, so the runner can say "g4f is missing" in one line.
"""

import asyncio
import functools
import gc
import importlib
import importlib.util
import reprlib
import traceback
import unittest
import warnings

from .apis import G4F_APIS
from .sandbox import blocked_attempts, enable_network_guard, sandbox  # noqa: F401 (shared from here)

# Time limits, in seconds, named by role (CPython's test.support calls its 30 s limit SHORT_TIMEOUT).
# TIMEOUT: one check. A body in its child past it dumps its stacks, and its check fails naming where it hung; a
# test that calls g4f in this process past it ends the run, naming the test (ends.test_limit; --timeout sets it).
TIMEOUT = 10.0
CHILD_TIMEOUT = 45.0  # waiting for a zygote to answer (it prepares an interpreter first)

NEST_MODULES = ("nest_asyncio2", "nest_asyncio")

# The test data every check sends and expects (providers.py's mocks yield it). Chunks a plausible bug could
# not leave unchanged: mixed case, leading and trailing spaces, non-ASCII, a newline, an empty chunk, one that
# looks like a number, a long one. Upper-casing, stripping, dropping, repeating, reordering, re-encoding or
# splitting any of them shows.
MESSAGES = [{"role": "user", "content": "Hello"}]
MODEL = "g4f-tests-model"  # the model the requests of paths.py name: not one of g4f's, so no path can swap it
CHUNKS = ("Hello", ", Wörld", " ", "", "\n  zwei  Leerzeichen ", "42", "ЖёлТый — straße 🙂", "Ab" * 2000)
JOINED = "".join(CHUNKS)
NON_EMPTY = [chunk for chunk in CHUNKS if chunk]
# shorthands.py's: the JSON objects its raw provider yields among NON_EMPTY's first three chunks (the known defects of
# raw=True describe theirs in these terms)
RAW_JSON = [
    {"id": "chatcmpl-Ä1", "object": "chat.completion.chunk", "choices": [{"delta": {"content": "Hallo"}}]},
    {"id": "chatcmpl-Ä1", "object": "chat.completion.chunk", "choices": [], "usage": {"total_tokens": 3}},
]
# images.py's: the prompt, the URLs its image provider answers, the preview it may yield first, and what the answer
# must carry (the known defects of image generation describe theirs in these terms).
IMAGE_PROMPT = "a white siamese cat, „Wörld“"
IMAGE_URLS = ["https://images.invalid/1.png", "https://images.invalid/zwei.jpg"]
IMAGE_PREVIEW = "https://images.invalid/preview.png"
IMAGES = {
    "urls": IMAGE_URLS,
    "revised prompts": [IMAGE_PROMPT + " (revised)"] * len(IMAGE_URLS),
    "model": "g4f-tests-image-model",
    "provider": "ImageProviderMock",
    "created": "the time of the request",
}
IMAGE_REQUEST = {"proxy": "http://127.0.0.1:3128", "api_key": "sk-g4f-tests-Bild"}  # passed to images.generate

# Warnings and asyncio log lines that mean the bridge left something behind (the one list of them).
STRAY = (
    "was never awaited",
    "unclosed event loop",
    "Task was destroyed",
    "Event loop is closed",
    "never retrieved",
    "unclosed <socket",
    "unclosed transport",
)


def is_stray(line):
    return any(pattern in line for pattern in STRAY)


def thread_loop():
    """The event loop installed for this thread by set_event_loop, or None (without creating one).

    Reads the default policy's thread-local slot: asyncio.get_event_loop() would create a loop or warn.
    """
    policy = asyncio.get_event_loop_policy()
    return getattr(getattr(policy, "_local", None), "_loop", None)


_repr = reprlib.Repr()
_repr.maxstring, _repr.maxother, _repr.maxlist, _repr.maxdict, _repr.maxlevel = 160, 160, 12, 12, 4


def short(value):
    """repr(value), shortened for a failure message (a 4000-character chunk stays readable)."""
    return _repr.repr(value)


class Observation:
    """What one check's body did, as its child saw it: returned ``value`` or raised ``error`` (a dict: type,
    message, nest_error, traceback); the ``warnings`` and asyncio ``log`` lines it caused; the ``leftover``
    loop it left installed for the thread; ``crash`` (exitcode, stderr) when the child died or hung; ``skip``
    and ``regime`` when the body did not run (an API this g4f predates, a process not in the check's regime)."""

    def __init__(self, value=None, error=None, warnings=(), log=(), crash=None, skip=None, regime=None, leftover=None):
        self.value, self.error, self.crash, self.skip, self.regime = value, error, crash, skip, regime
        self.warnings, self.log, self.leftover = list(warnings), list(log), leftover

    @classmethod
    def of_exception(cls, error, caught=()):
        """The observation of an exception raised in this process, after the warnings ``caught`` while it was raised.
        Frees what its traceback holds first, so a coroutine it kept alive warns now, inside the observation."""
        described = {
            "type": "%s.%s" % (type(error).__module__, type(error).__qualname__),
            "message": str(error),
            "nest_error": type(error).__name__ == "NestAsyncioError",
            "traceback": "".join(traceback.format_exception(type(error), error, error.__traceback__)),
        }
        with warnings.catch_warnings(record=True) as caught_now:
            warnings.simplefilter("always")
            traceback.clear_frames(error.__traceback__)
            gc.collect()
        lines = ["%s: %s" % (w.category.__name__, str(w.message).splitlines()[0]) for w in list(caught) + caught_now]
        return cls(error=described, warnings=lines)

    def calls(self):
        """(label, Observation) for a body that observed several calls and returned {label: observation}."""
        return [(label, Observation(**found)) for label, found in self.value.items()]

    def stray(self):
        """The warnings and log lines that mean something was left behind; a loop the call left installed and
        open for the thread counts too (it is never collected, so it never warns by itself)."""
        left = ["unclosed event loop left installed as the thread's loop"] if self.leftover == "open" else []
        return [line for line in self.warnings + self.log if is_stray(line)] + left

    def hung(self):
        return self.crash is not None and "Timeout (" in (self.crash.get("stderr") or "")

    def __str__(self):
        if self.crash is not None:
            what = (
                "the check hung (no answer within %s s); where:" % TIMEOUT
                if self.hung()
                else "the check's process died (exit status %s); its output:" % self.crash["exitcode"]
            )
            return "%s\n%s" % (what, (self.crash.get("stderr") or "(nothing)").strip()[-4000:])
        if self.error is not None:
            said = "raised %s(%s)" % (self.error["type"], short(self.error["message"]))
        else:
            said = "returned %s" % short(self.value)
        stray = self.stray()
        return said + ("; and left behind: %s" % "; ".join(stray) if stray else "")


def is_importable(name):
    try:
        return importlib.util.find_spec(name) is not None
    except (ImportError, ValueError):
        return False


@functools.lru_cache(maxsize=None)
def dist_version(name):
    """The installed distribution's version, or None (read once: importlib.metadata parses a file each time)."""
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version(name)
    except PackageNotFoundError:
        return None


def parse_version(text):
    """'8.8.6' -> (8, 8, 6); the leading numeric parts, enough to order g4f's releases."""
    parts = []
    for piece in (text or "0").split("."):
        digits = ""
        for ch in piece:
            if not ch.isdigit():
                break
            digits += ch
        if not digits:
            break
        parts.append(int(digits))
    return tuple(parts)


# gpt4free's setup.py reads the version from G4F_VERSION; a source install without it reports 0.0.0.
NEWEST = (10**6,)


def g4f_version():
    """The installed g4f's release as reported, or None when g4f is not installed."""
    return dist_version("g4f")


def g4f_release():
    """The installed g4f's release as a tuple for ranges: a source install (0.0.0) counts as the newest."""
    version = parse_version(g4f_version())
    return NEWEST if version in ((), (0,), (0, 0), (0, 0, 0)) else version


def describe_g4f():
    version = g4f_version()
    if version is None:
        return "g4f absent"
    if g4f_release() == NEWEST:
        return "g4f %s (a source install, treated as the newest release)" % version
    return "g4f %s" % version


def g4f_nest():
    """The nest package the installed g4f's bridge imported (a module), or None when g4f cannot nest.

    Read from g4f's own module state: g4f.providers.asyncio from 0.3.5.8 on (nest_asyncio2 from 7.0,
    nest_asyncio before), g4f.providers.base_provider in 0.3.4.x. Older releases import nest_asyncio where
    they need it (0.2.8.1 to 0.3.3) or never (before 0.2.8.1): then the answer is whether that import would work.
    """
    for name in ("g4f.providers.asyncio", "g4f.providers.base_provider"):
        try:
            module = importlib.import_module(name)
        except ImportError:
            continue
        if hasattr(module, "has_nest_asyncio"):
            return getattr(module, "nest_asyncio", None) if module.has_nest_asyncio else None
    if g4f_release() < (0, 2, 8, 1):
        return None
    try:
        return importlib.import_module("nest_asyncio")
    except ImportError:
        return None


def g4f_bridge():
    """g4f's bridge helpers module, g4f.providers.asyncio (ImportError before g4f 0.3.5.8)."""
    return importlib.import_module("g4f.providers.asyncio")


def has_api(name):
    """False when the installed g4f predates the API ``name`` (a key of G4F_APIS)."""
    return g4f_release() >= parse_version(G4F_APIS[name][0])


def require_api(name, lookup=None):
    """Skip on a g4f older than the API's first release; else return ``lookup()``, failing if it is gone.

    ``lookup`` finds the API (an attribute, a parameter) and raises AttributeError, ImportError or KeyError
    when it is missing: on a release that should have it, that is a failure naming what is gone.
    """
    first, what = G4F_APIS[name]
    if not has_api(name):
        raise unittest.SkipTest("g4f %s predates %s (first in g4f %s)" % (g4f_version(), what, first))
    if lookup is None:
        return None
    try:
        return lookup()
    except (AttributeError, ImportError, KeyError) as error:
        if g4f_release() == NEWEST:  # a checkout's version says nothing about which releases it follows
            raise AssertionError(
                "%s is missing from this source install of g4f (%s); releases have had it since %s, so this checkout "
                "predates or dropped it" % (what, g4f_version(), first)
            ) from error
        raise AssertionError(
            "%s is missing from %s although g4f has had it since %s: %s" % (what, describe_g4f(), first, error)
        ) from error
