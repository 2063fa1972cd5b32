"""The drop-in as a patch to gpt4free, in ``git format-patch`` form, for ``git am`` (or ``git apply``).

``diff_files`` makes the diff of etc/unittest/asyncio.py and mocks.py (git's format, full blob ids, so
``git am -3`` can fall back to a three-way merge); ``hunks`` splits it and finds the "g4f-tests:" comment that
explains each hunk; ``format_patch`` adds the mail headers and a message that lists every difference with its
reason and what the comparison measured.
"""

import difflib
import email.utils
import hashlib
import os
import re
import subprocess
import textwrap

from dropin_child import FAILING, summary

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
UNITTEST = "etc/unittest"
MARK = "g4f-tests:"
PLACEHOLDER_AUTHOR = "g4f-tests <g4f-tests@invalid>"


def _lines(text):
    """Lines with their "\\n" kept, split on "\\n" only (str.splitlines also splits on \\r, \\f, \\x1c...)."""
    return re.findall(r"[^\n]*\n|[^\n]+\Z", text)


def blob_id(data):
    return hashlib.sha1(b"blob %d\0" % len(data) + data).hexdigest()


def file_diff(relpath, old, new, mode="100644"):
    """git's diff of one file (``old`` and ``new`` are bytes, UTF-8); "" when they are equal."""
    if old == new:
        return ""
    body = difflib.unified_diff(
        _lines(old.decode("utf-8")), _lines(new.decode("utf-8")), "a/" + relpath, "b/" + relpath, n=3
    )
    out = ["diff --git a/%s b/%s\n" % (relpath, relpath), "index %s..%s %s\n" % (blob_id(old), blob_id(new), mode)]
    for line in body:
        out.append(line if line.endswith("\n") else line + "\n\\ No newline at end of file\n")
    return "".join(out)


def diff_files(unittest_dir, pair_dir, names):
    """The diff that turns ``unittest_dir``'s files NAMES into ``pair_dir``'s, paths as in gpt4free."""
    parts = []
    for name in names:
        old_path = os.path.join(unittest_dir, name)
        with open(old_path, "rb") as f:
            old = f.read()
        with open(os.path.join(pair_dir, name), "rb") as f:
            new = f.read()
        mode = "100755" if os.access(old_path, os.X_OK) else "100644"
        parts.append(file_diff("%s/%s" % (UNITTEST, name), old, new, mode))
    return "".join(parts)


def hunks(diff):
    """[(path, first, last, added lines, removed lines, reasons)] for each hunk of ``diff``: first and last are
    the new file's lines the hunk adds (where it removes, for a removal only);
    the reasons are the "g4f-tests:" comments among its added lines (a comment's following comment lines
    continue it)."""
    found, path, current, number = [], None, None, 0
    for line in _lines(diff):
        if line.startswith("diff --git "):
            current = None  # the file's header lines follow, up to its first hunk
        elif line.startswith("@@ "):
            number = int(re.match(r"@@ -\S+ \+(\d+)", line).group(1))
            current = {"path": path, "first": number, "last": number, "added": [], "removed": [], "reasons": []}
            found.append(current)
        elif current is None:
            if line.startswith("+++ b/"):
                path = line[6:].rstrip("\n")
        elif line.startswith("+"):
            if not current["added"]:
                current["first"] = number
            current["last"] = number
            current["added"].append(line[1:].rstrip("\n"))
            number += 1
        elif line.startswith("-"):
            if not current["added"] and not current["removed"]:  # where a removal-only hunk removes
                current["first"] = current["last"] = number
            current["removed"].append(line[1:].rstrip("\n"))
        elif line.startswith(" "):
            number += 1
    for hunk in found:
        reason = None
        for text in hunk["added"]:
            comment = text.split("#", 1)[1].strip() if "#" in text else None
            if comment is not None and comment.startswith(MARK):
                reason = [comment[len(MARK) :].strip()]
                hunk["reasons"].append(reason)
            elif reason is not None and comment is not None and text.lstrip().startswith("#"):
                reason.append(comment)
            else:
                reason = None
    return [
        (h["path"], h["first"], h["last"], h["added"], h["removed"], [" ".join(r) for r in h["reasons"]]) for h in found
    ]


def _git(*args):
    """The output of ``git -C ROOT ARGS``, "" if git fails or is missing."""
    try:
        proc = subprocess.run(
            ["git", "-C", ROOT] + list(args), stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, universal_newlines=True
        )
    except OSError:
        return ""
    return proc.stdout.strip() if proc.returncode == 0 else ""


def default_author():
    """``Name <email>`` from git's configuration in the g4f-tests checkout, else a placeholder."""
    name, email = _git("config", "user.name"), _git("config", "user.email")
    return "%s <%s>" % (name, email) if name and email else PLACEHOLDER_AUTHOR


def source(names):
    """ "g4f-tests VERSION, commit ABC1234": where the pair comes from (and whether it is as committed)."""
    with open(os.path.join(ROOT, "g4f_tests", "__init__.py"), encoding="utf-8") as f:
        version = next((line.split("=")[1].strip().strip("\"'") for line in f if line.startswith("__version__")), "?")
    commit = _git("rev-parse", "--short", "HEAD")
    if commit and _git("status", "--porcelain", "--", *("g4f_tests/" + name for name in names)):
        commit += " with uncommitted changes to these files"
    return "g4f-tests %s%s" % (version, ", commit " + commit if commit else "")


def _diffstat(diff):
    files = []
    for path, _, _, added, removed, _ in hunks(diff):
        if not files or files[-1][0] != path:
            files.append([path, 0, 0])
        files[-1][1] += len(added)
        files[-1][2] += len(removed)
    width = max(len(p) for p, _, _ in files)
    digits = max(len(str(a + r)) for _, a, r in files)
    lines = [" %s | %*d %s\n" % (p.ljust(width), digits, a + r, "+" * a + "-" * r) for p, a, r in files]
    lines.append(
        " %d file%s changed, %d insertions(+), %d deletions(-)\n"
        % (len(files), "" if len(files) == 1 else "s", sum(a for _, a, _ in files), sum(r for _, _, r in files))
    )
    return "".join(lines)


def _wrap(text, indent=""):
    return textwrap.fill(text, 72, initial_indent=indent, subsequent_indent=" " * len(indent)) + "\n"


def format_patch(diff, source, checked, author=None, date=None):
    """The whole patch: mbox headers, the message, a diffstat, ``diff``.

    ``source`` names where the files come from (e.g. "g4f-tests 0.2.0, commit 12dbacb"); ``checked`` is the
    paragraph saying what the comparison of the suite's outcomes found."""
    body = [
        _wrap(
            "Replace etc/unittest/asyncio.py and etc/unittest/mocks.py by the drop-in pair of %s, a unittest "
            "conformance suite for g4f's sync/async bridge that runs these documented tests against the installed g4f, old releases included. "
            "The test classes, test names, assertions and mock providers stay as they are; the files differ from "
            'g4f\'s only where g4f-tests needs them to, each difference marked by a "g4f-tests:" comment:' % source
        ),
        "\n",
    ]
    for path, first, last, added, removed, reasons in hunks(diff):
        where = "%s, line%s %d%s" % (path, "s" if last > first else "", first, "-%d" % last if last > first else "")
        if reasons:
            for reason in reasons:
                body.append(_wrap("%s: %s" % (where, reason), "* "))
        else:
            body.append(
                _wrap(
                    "%s: no g4f-tests comment explains this difference (%d line%s added, %d removed)"
                    % (where, len(added), "" if len(added) == 1 else "s", len(removed)),
                    "* ",
                )
            )
    body += ["\n", _wrap(checked)]
    return "".join(
        [
            "From 0000000000000000000000000000000000000000 Mon Sep 17 00:00:00 2001\n",
            "From: %s\n" % (author or default_author()),
            "Date: %s\n" % (date or email.utils.formatdate(localtime=True)),
            "Subject: [PATCH] etc/unittest: asyncio.py and mocks.py from g4f-tests\n",
            "MIME-Version: 1.0\n",
            "Content-Type: text/plain; charset=UTF-8\n",
            "Content-Transfer-Encoding: 8bit\n",
            "\n",
        ]
        + body
        + ["---\n", _diffstat(diff), "\n", diff, "-- \n", "%s\n" % source, "\n"]
    )


def checked_paragraph(python_version, before, after, problems, applied):
    """What the comparison found, for the patch's message."""
    how = "this diff applied with git apply" if applied else "these files copied in"
    text = (
        "Checked with g4f-tests' tests/dropin.py on Python %s, network blocked: python -m etc.unittest ran %d tests "
        "before and %d after (%s), " % (python_version, before["tests_run"], after["tests_run"], how)
    )
    if problems:
        return text + "and found %d problems: %s." % (len(problems), "; ".join(problems))
    same = before["tests"] == after["tests"]
    text += "%s (%s); no test was lost and none newly fails." % (
        "with the same outcome for every test" if same else "no test lost or newly failing",
        summary(after),
    )
    shadowed = after.get("shadowed") or {"tests": {}}
    if shadowed["tests"]:
        text += (
            " The %d test%s of the classes that a same-named class shadows in __main__.py (%s), run after the "
            "suite, %s too (%s)."
            % (
                len(shadowed["tests"]),
                "" if len(shadowed["tests"]) == 1 else "s",
                ", ".join(sorted(after["not_run"])),
                "kept their outcomes" if before["shadowed"]["tests"] == shadowed["tests"] else "lost or broke nothing",
                summary(shadowed),
            )
        )
    failing = _failing_by_class(after) + _failing_by_class(shadowed)
    if failing:
        text += " Failing in both runs: %s." % "; ".join(failing)
    return text


def _failing_by_class(data):
    """["mod.Class.test_x (ErrorType)", "mod.Class: 6 tests (ErrorType)"] for a run's failing tests."""
    classes = {}
    for test_id, outcome in sorted(data["tests"].items()):
        if outcome in FAILING:
            error = data.get("details", {}).get(test_id, outcome).split(":", 1)[0]
            classes.setdefault(test_id.rsplit(".", 1)[0], []).append((test_id, error))
    found = []
    for class_id, tests in sorted(classes.items()):
        errors = ", ".join(sorted({error for _, error in tests}))
        found.append(
            "%s (%s)" % (tests[0][0], errors)
            if len(tests) == 1
            else "%s: %d tests (%s)" % (class_id, len(tests), errors)
        )
    return found
