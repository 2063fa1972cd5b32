"""Every "pip install ..." the project prints works from where the user is: it names packages the package index
has, never g4f-tests (not on the index), and a checkout-relative target (`.[jupyter]`) only where the checkout is
where it runs (tests/, run_tests.py), never in g4f_tests/, which also runs installed, from any folder.

A package is real when the project's own installs resolve it from the index: a requirement of setup.cfg (the dev
extra, which CI installs, has every optional one) or a pin of .ci/constraints.txt. Hints are collected from the
source (every string literal holding "pip install"); one built at run time is checked as the user sees it."""

import ast
import configparser
import glob
import os
import re
import tempfile
import unittest
from importlib import metadata

from helpers import ROOT, run

INSTALLED = sorted(glob.glob(os.path.join(ROOT, "g4f_tests", "*.py")))  # runs from any folder once installed
CHECKOUT = [os.path.join(ROOT, "run_tests.py"), os.path.join(ROOT, "noxfile.py")] + sorted(
    path
    for path in glob.glob(os.path.join(ROOT, "tests", "*.py")) + glob.glob(os.path.join(ROOT, ".ci", "*.py"))
    if os.path.basename(path) != "test_hints.py"  # its patterns and examples are not hints
)
HINT = re.compile(r"pip install ([^\n`);|\"&]*)")
REQUIREMENT = re.compile(r"^([A-Za-z0-9][A-Za-z0-9._-]*)(\[[^\]]*\])?([<>=!~].*)?$")
PLACEHOLDER = re.compile(r"%[sr(]|\{")
# Hints built at run time: (file, literal) -> a function giving the hints the user sees, each checked as literals.


def _junit_hint():
    """The runner's usage error for --junit-xml without unittest-xml-reporting (xmlrunner made unimportable)."""
    with tempfile.TemporaryDirectory(prefix="g4f-tests-self-") as work:
        code = (
            "import sys; sys.modules['xmlrunner'] = None; from g4f_tests.runner import main; "
            "sys.exit(main(['--junit-xml', %r], prog='run_tests.py'))" % os.path.join(work, "junit.xml")
        )
        proc = run(["-c", code])
    assert proc.returncode == 2, (proc.returncode, proc.stderr)
    return [proc.stderr.strip()]


def _server_hints():
    """The environment checks' skip reasons, as their classes carry them with the packages made unimportable."""
    code = (
        "import sys, unittest\n"
        "for name in ('uvicorn', 'starlette', 'gevent'): sys.modules[name] = None\n"
        "from g4f_tests import asgi, greenlets\n"
        "for cls in (asgi.TestUvicorn, greenlets.TestGevent): print(cls.__unittest_skip_why__)\n"
    )
    proc = run(["-c", code])
    assert proc.returncode == 0, (proc.returncode, proc.stderr)
    return proc.stdout.splitlines()


DYNAMIC = {
    ("g4f_tests/runner.py", "%s needs %s: pip install %s"): _junit_hint,
    ("g4f_tests/servers.py", "%s not installed (pip install %s)"): _server_hints,
}


def normalize(name):
    return re.sub(r"[-_.]+", "-", name).lower()


def declared():
    """The distributions the project's installs take from the index; and setup.cfg's extras."""
    config = configparser.ConfigParser()
    config.read(os.path.join(ROOT, "setup.cfg"))
    lines = config["options"]["install_requires"].splitlines()
    extras = dict(config["options.extras_require"])
    for value in extras.values():
        lines += value.splitlines()
    with open(os.path.join(ROOT, ".ci", "constraints.txt"), encoding="utf-8") as f:
        lines += [line.split("#")[0] for line in f]
    names = set()
    for line in lines:
        found = REQUIREMENT.match(line.split(";")[0].strip())
        if found:
            names.add(normalize(found.group(1)))
    return names, set(extras)


def literals(path):
    """Every string literal of a Python file (f-strings joined, a formatted part as {}), with its line."""
    with open(path, encoding="utf-8") as f:
        tree = ast.parse(f.read(), path)
    for node in ast.walk(tree):
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            yield node.lineno, node.value
        elif isinstance(node, ast.JoinedStr):
            text = "".join(v.value if isinstance(v, ast.Constant) else "{}" for v in node.values)
            yield node.lineno, text


def hints(paths):
    """(file, line, literal, the text after each "pip install") for every hint in ``paths``."""
    for path in paths:
        for line, text in literals(path):
            for found in HINT.finditer(text):
                yield os.path.relpath(path, ROOT), line, text, found.group(1)


def targets(arguments):
    """What a "pip install" installs: its arguments less the options (a value of -r/-c is a file, of -e a target)."""
    out, words = [], arguments.split()
    while words:
        word = words.pop(0).strip("'\"").rstrip(".,:")
        if word in ("-r", "-c", "--requirement", "--constraint"):
            words = words[1:]
        elif word in ("-e", "--editable"):
            continue
        elif word.startswith("-"):
            continue
        elif word:
            out.append(word)
        else:
            out.append(".")  # a lone "." (the checkout), emptied by rstrip
    return out


def problems(target, where, names, extras):
    """Why ``target`` of a hint in ``where`` (installed, checkout) is wrong; None when it is right."""
    if target.startswith(".") or target.startswith("/"):
        extra = re.match(r"^\.(?:\[([\w,-]+)\])?$", target)
        if where == "installed":
            return "%r is the checkout: the installed suite runs from any folder; name the packages" % target
        if extra is None:
            return "%r is not the checkout or one of its extras" % target
        unknown = set((extra.group(1) or "").split(",")) - extras - {""}
        return "setup.cfg has no extra %s" % ", ".join(sorted(unknown)) if unknown else None
    found = REQUIREMENT.match(target)
    if found is None:
        return "%r is not a package name" % target
    name = normalize(found.group(1))
    if name in ("g4f-tests", "g4f-tests-suite"):
        return "g4f-tests is not on the package index: name what it needs"
    if name not in names:
        return "%s is not a requirement of setup.cfg nor a pin of .ci/constraints.txt" % found.group(1)
    return None


class HintsTest(unittest.TestCase):
    maxDiff = None

    def check(self, collected, where):
        names, extras = declared()
        wrong, dynamic, seen = [], [], 0
        for path, line, text, arguments in collected:
            seen += 1
            if PLACEHOLDER.search(arguments):
                dynamic.append((path, line, text))
                continue
            for target in targets(arguments) or ["(nothing)"]:
                problem = problems(target, where, names, extras) if target != "(nothing)" else "installs nothing"
                if problem:
                    wrong.append("%s:%d: %r: %s" % (path, line, "pip install " + arguments.strip(), problem))
        return wrong, dynamic, seen

    def test_the_installed_suites_hints_name_real_packages(self):
        wrong, dynamic, seen = self.check(hints(INSTALLED), "installed")
        self.assertGreaterEqual(seen, 4, "fewer hints than the suite prints (g4f, uvloop, jupyter, junit)")
        for path, line, text in dynamic:
            case = DYNAMIC.get((path, text))
            if case is None:
                wrong.append(
                    "%s:%d: %r is built at run time: write it literally, or add a case to DYNAMIC" % (path, line, text)
                )
                continue
            found = [(path, line, shown, m.group(1)) for shown in case() for m in HINT.finditer(shown)]
            self.assertTrue(found, "%s gave no hint: %r" % (case.__name__, case()))
            more, still_dynamic, _ = self.check(found, "installed")
            wrong += more + ["%s:%d: still a placeholder at run time: %r" % d for d in still_dynamic]
        self.assertEqual(wrong, [])

    def test_the_checkouts_hints_name_real_packages_or_its_extras(self):
        wrong, dynamic, _ = self.check(hints(CHECKOUT), "checkout")
        self.assertEqual(wrong + ["%s:%d: built at run time: %r" % d for d in dynamic], [])

    def test_the_dev_extra_installs_every_optional_package_so_ci_proves_them_real(self):
        config = configparser.ConfigParser()
        config.read(os.path.join(ROOT, "setup.cfg"))
        extras = {
            k: {normalize(REQUIREMENT.match(r.split(";")[0].strip()).group(1)) for r in v.split("\n") if r}
            for k, v in config["options.extras_require"].items()
        }
        for extra, packages in extras.items():
            with self.subTest(extra=extra):
                self.assertLessEqual(packages, extras["dev"], "the dev extra lacks part of [%s]" % extra)
        missing = []
        for name in extras["dev"]:
            try:
                metadata.distribution(name)
            except metadata.PackageNotFoundError:
                missing.append(name)
        self.assertEqual(missing, [], "not installed here although the dev extra names them: pip install -e .[dev]")

    def test_the_checker_can_fail(self):
        names, extras = declared()
        for target, where in (
            (".[jupyter]", "installed"),
            ("g4f-tests", "checkout"),
            ("no-such-package-for-g4f", "installed"),
            (".[no-such-extra]", "checkout"),
        ):
            with self.subTest(target=target):
                self.assertIsNotNone(problems(target, where, names, extras))
        for target, where in (("uvloop", "installed"), ("unittest-xml-reporting", "installed"), (".[dev]", "checkout")):
            with self.subTest(target=target):
                self.assertIsNone(problems(target, where, names, extras))
        self.assertEqual(targets("-U nest-asyncio2'"), ["nest-asyncio2"])
        self.assertEqual(targets("-e .[dev]"), [".[dev]"])


if __name__ == "__main__":
    unittest.main()
