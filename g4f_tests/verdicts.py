"""Verdicts of the tests that carry a known g4f defect (the registry is known_defects.py).

A test that checks a broken contract carries its defect, ``@known(DEFECT)`` on the test method (the documented
module, which stays g4f's own file, gets its defect attached when it is imported: see ``__init__.py``). The test
still runs and asserts its whole contract. Where the installed g4f is in the defect's range and its condition
holds, the test expects to fail, and only in the defect's exact shape:

- the failure shows what the defect describes (the exception type and message, or the wrong value, and the
  stray warnings it leaves): an expected failure, reported with the reason and g4f's issue numbers;
- any other failure (another exception, another wrong value, a crash, a hang): a failure,
  "not the known defect: ...";
- no failure: an unexpected success (g4f fixed it: update known_defects.py), and the run fails.

The runner's ``--strict`` (conftest's ``--g4f-strict``) sets ``strict``: the defects are then plain failures.
"""

import functools
import inspect
import re
import unittest
import warnings

from . import support

strict = False


class ContractViolation(AssertionError):
    """A check's assertion failed on what g4f did; ``observed`` is that observation (support.Observation);
    ``aspect`` is "stray" when the only complaint is what the call left behind, else "result"."""

    def __init__(self, message, observed, aspect="result"):
        super().__init__(message)
        self.observed, self.aspect = observed, aspect


class KnownDefectSeen(AssertionError):
    """The failure is the known defect, in its exact shape (reported as an expected failure)."""


class NotTheKnownDefect(AssertionError):
    """The test failed, but not in the shape of the known defect it carries."""


class Raises:
    """g4f raises exactly this: an exception type (module.QualName) and a message (a full-match regex),
    leaving exactly these stray warnings (substrings, each matched, none other)."""

    def __init__(self, error_type, message, stray=()):
        self.error_type, self.message, self.stray = error_type, message, tuple(stray)

    def matches(self, found, violation=None, label=None):
        error = found.error
        return (
            found.crash is None
            and error is not None
            and error["type"] == self.error_type
            and re.fullmatch(self.message, error["message"]) is not None
            and _same_stray(found, self.stray)
        )

    def __str__(self):
        return "raises %s matching %r%s" % (self.error_type, self.message, _stray_text(self.stray))


class Returns:
    """g4f returns exactly this wrong value, leaving exactly these stray warnings."""

    def __init__(self, value, stray=()):
        self.value, self.stray = value, tuple(stray)

    def matches(self, found, violation=None, label=None):
        return (
            found.crash is None and found.error is None and found.value == self.value and _same_stray(found, self.stray)
        )

    def __str__(self):
        return "returns %r%s" % (self.value, _stray_text(self.stray))


class ReturnsFor:
    """g4f returns exactly ``value(label)`` on the call ``label``, leaving exactly these stray warnings: a wrong value
    that depends on the call (a check's scenario), described in words by ``what``. ``value`` returns None for a call
    the shape says nothing about."""

    def __init__(self, value, what, stray=()):
        self.value, self.what, self.stray = value, what, tuple(stray)

    def matches(self, found, violation=None, label=None):
        wrong = None if label is None else self.value(label)
        return wrong is not None and Returns(wrong, self.stray).matches(found)

    def __str__(self):
        return "returns %s%s" % (self.what, _stray_text(self.stray))


class Leaves:
    """The call did everything right but leave stray warnings: each of ``stray`` at least once, and nothing but
    those and the ``also`` ones (what the same leak may show too, depending on the garbage collector's order)."""

    def __init__(self, stray, also=()):
        self.stray, self.also = tuple(stray), tuple(also)

    def matches(self, found, violation=None, label=None):
        lines = found.stray()
        return (
            getattr(violation, "aspect", None) == "stray"
            and all(any(s in line for line in lines) for s in self.stray)
            and all(any(s in line for s in self.stray + self.also) for line in lines)
        )

    def __str__(self):
        return "returns the right result%s%s" % (
            _stray_text(self.stray),
            " (perhaps also %s)" % ", ".join(map(repr, self.also)) if self.also else "",
        )


class OneOf:
    """Any of these shapes (a defect seen differently in the cases of one test)."""

    def __init__(self, *shapes):
        self.shapes = shapes

    def matches(self, found, violation=None, label=None):
        return any(shape.matches(found, violation, label) for shape in self.shapes)

    def __str__(self):
        return " or ".join(str(shape) for shape in self.shapes)


class ByRelease:
    """A defect that shows differently by release: ``(first, last, shape)`` for each measured range of releases
    (``last`` None: and later). Only the shape of the installed release matches."""

    def __init__(self, *ranges):
        self.ranges = ranges

    def shape(self, release=None):
        """The shape on ``release`` (the installed g4f by default), or None outside every range."""
        release = support.g4f_release() if release is None else support.parse_version(release)
        for first, last, shape in self.ranges:
            if support.parse_version(first) <= release and (last is None or release <= support.parse_version(last)):
                return shape
        return None

    def matches(self, found, violation=None, label=None):
        shape = self.shape()
        return shape is not None and shape.matches(found, violation, label)

    def __str__(self):
        shape = self.shape()
        if shape is not None:
            return str(shape)
        return "; ".join(
            "%s (g4f %s)" % (shape, "%s to %s" % (first, last) if last else "%s and later" % first)
            for first, last, shape in self.ranges
        )


class ForCalls:
    """A shape of the named calls only (the beginnings of their labels, as a Defect's ``calls``): for a defect
    whose shape on some calls must not excuse the same value on its other calls."""

    def __init__(self, calls, shape):
        self.calls, self.shape = tuple(calls), shape

    def matches(self, found, violation=None, label=None):
        return label is not None and names_call(self.calls, label) and self.shape.matches(found, violation, label)

    def __str__(self):
        return "%s (%s)" % (self.shape, ", ".join(self.calls))


def names_call(calls, label):
    """Is the call ``label`` one of ``calls`` (its whole label, or its beginning up to a comma or a space)?"""
    return any(label == call or label.startswith((call + ", ", call + " ")) for call in calls)


def call_label(case):
    """The label of the call ``case`` is checking now (its subtest's ``call``), or None."""
    return getattr(getattr(case, "_subtest", None), "params", {}).get("call")


def _same_stray(found, expected):
    lines = found.stray()
    return all(any(e in line for line in lines) for e in expected) and all(
        any(e in line for e in expected) for line in lines
    )


def _stray_text(stray):
    return " and leaves %s" % ", ".join(repr(s) for s in stray) if stray else ""


class Defect:
    """One known g4f defect. ``first``/``last``: the affected releases (bisected; ``last`` None while no fixed
    release exists); ``shape``: exactly what g4f does (Raises or Returns); ``when``: a condition on the
    environment or the test (called with the test case), else None; ``calls``: the calls it is in (see concerns), else
    None; ``where``/``workaround``: whether it applies to a user, and what they can do.
    """

    def __init__(
        self, name, reason, first, shape, last=None, issues=(), when=None, where="", workaround="", calls=None
    ):
        self.name, self.reason, self.first, self.last, self.shape = name, reason, first, last, shape
        self.issues, self.when, self.where, self.workaround = tuple(issues), when, where, workaround
        self.calls = calls

    def concerns(self, case):
        """Does the defect concern the call ``case`` is checking now? ``calls``: the calls it is in, as the beginnings
        of their labels: an API as paths.py names it ("Client" is "Client, stream, ...", "Client raw", "Client
        create", not "Client().images"), or more of a label ("Client, G4F_PROXY set, none named"), so that the same
        shape on another call is a failure; None: any. A test that checks one call, with no label, is about the API
        it was written for: the defect it carries concerns it."""
        label = call_label(case)
        if self.calls is None or label is None:
            return True
        return names_call(self.calls, label)

    def in_range(self, release):
        """Is g4f ``release`` (a version string or tuple) in the affected range?"""
        if isinstance(release, str):
            release = support.parse_version(release)
        if release < support.parse_version(self.first):
            return False
        return self.last is None or release <= support.parse_version(self.last)

    def applies(self, case):
        return not strict and self.in_range(support.g4f_release()) and (self.when is None or bool(self.when(case)))

    def releases(self):
        return "%s to %s" % (self.first, self.last) if self.last else "%s and later" % self.first

    def __str__(self):
        issues = " (g4f issues %s)" % ", ".join("#%d" % n for n in self.issues) if self.issues else ""
        return "%s%s" % (self.reason, issues)


def known(*defects):
    """Decorator: the test checks a contract that g4f ``defects`` break (see the module docstring)."""

    def decorate(test):
        if inspect.iscoroutinefunction(test):

            @functools.wraps(test)
            async def wrapper(case, *args, **kwargs):
                try:
                    return await test(case, *args, **kwargs)
                except BaseException as error:
                    raise verdict(case, error)  # noqa: B904 (the error itself, or its verdict)

        else:

            @functools.wraps(test)
            def wrapper(case, *args, **kwargs):
                # A test that calls g4f in this process (the documented module's): the warnings its call causes
                # belong to what g4f did (assertRaises frees a never-awaited coroutine before we see the error).
                with warnings.catch_warnings(record=True) as caught:
                    warnings.simplefilter("always")
                    try:
                        result, raised = test(case, *args, **kwargs), None
                    except BaseException as error:
                        result, raised = None, verdict(case, error, caught)
                if not isinstance(raised, KnownDefectSeen):  # a known defect's warnings are part of it, else shown
                    for w in caught:
                        warnings.warn_explicit(w.message, w.category, w.filename, w.lineno, source=w.source)
                if raised is not None:
                    raise raised
                return result

        wrapper.known_defects = defects
        return wrapper

    return decorate


def applicable(case):
    """The known defects (``@known``) that apply to ``case`` now."""
    method = getattr(case, case._testMethodName, None)
    return [defect for defect in getattr(method, "known_defects", ()) if defect.applies(case)]


def carried(case):
    """The known defects of ``case`` that apply to the installed g4f, --strict or not (what --strict reports as
    failures)."""
    method = getattr(case, case._testMethodName, None)
    release = support.g4f_release()
    return [
        defect
        for defect in getattr(method, "known_defects", ())
        if defect.in_range(release) and (defect.when is None or bool(defect.when(case)))
    ]


def expecting(case):
    """unittest's ``__unittest_expecting_failure__``, read when the test starts: a known defect applies now."""
    return bool(applicable(case))


# Not a failure of the test: a skip, the verdict itself, and unittest's signal that ends an expected failure at its
# first failing subtest (raised by subTest when the test expects to fail; it must reach unittest unchanged).
PASS_THROUGH = (unittest.SkipTest, KnownDefectSeen, getattr(unittest.case, "_ShouldStop", KnownDefectSeen))


def verdict(case, error, caught=()):
    """The exception to raise for ``error`` in a test carrying a known defect (the test body's or a
    subtest's): KnownDefectSeen when it is the defect's exact shape; else ``error`` itself, and where the
    defect applies a cleanup that fails the test as "not the known defect" (a failing cleanup outranks the
    expected failure in every Python unittest supports). ``caught``: the warnings the test caused in this process."""
    defects = applicable(case)
    if not defects or isinstance(error, PASS_THROUGH) or not isinstance(error, Exception):
        return error
    found = getattr(error, "observed", None)
    if found is None:  # an exception g4f raised straight into the test (the documented module)
        found = support.Observation.of_exception(error, caught)
    concerned = [defect for defect in defects if defect.concerns(case)]
    for defect in concerned:
        if defect.shape.matches(found, error, call_label(case)):
            return KnownDefectSeen("known g4f defect %s: %s; observed: %s" % (defect.name, defect, found))
    case.addCleanup(_not_the_defect, concerned or defects, found, str(error), bool(concerned))
    return error


def _not_the_defect(defects, found, message, concerned=True):
    """Fail the test: ``message`` is not the shape of the ``defects`` that concern its call (``concerned``), or
    none of the test's defects concerns that call (``defects`` are then all the test's applicable ones)."""
    if "observed:" not in message:
        message += "\nobserved: %s" % found
    if not concerned:
        names = ", ".join(defect.name for defect in defects)
        raise NotTheKnownDefect(
            "not the known defect (none of this test's, %s, concerns this call): %s" % (names, message)
        )
    expected = "; ".join("%s: it %s" % (defect.name, defect.shape) for defect in defects)
    raise NotTheKnownDefect("not the known defect (expected %s): %s" % (expected, message))
