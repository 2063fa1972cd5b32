"""The parts of COMPATIBILITY.md that read the cells for a user (tests/compatibility.py assembles the file):
which release to use, how to read the tables, and whether each known defect's range is what the cells measured.
Everything here is derived from the cells' saved results; nothing is written by hand but the wording."""

import re

from compatibility import EXTRAS, NEST, cell_label, defects_seen, nests_text, verdict

from g4f_tests.support import parse_version

# What each nest variant installs, in a user's words (the packages are compatibility.NEST's).
NEST_MEANING = {
    "both": "nest_asyncio and nest_asyncio2 both installed",
    "nest2": "only nest_asyncio2: what `pip install g4f` gives from 7.0",
    "nest1": "only the old nest_asyncio (nest_asyncio2 uninstalled, although g4f depends on it from 7.0)",
    "none": "neither nest package installed",
}


def regime(test_id):
    """The situation a check puts g4f in, as its test id names it (README: How a check runs): its regime
    (uvloop: `...Uvloop`, nesting.TestUvloop; nest-applied: `...NestApplied`; no-nest:
    nesting.TestWithoutNestAsyncio; plain), except where the check changes it itself from a plain child: the
    documented nested tests apply the nest package (nest-applied), jupyter starts a kernel (kernel)."""
    module, cls = test_id.split(".")[-3:-1]
    if cls.endswith("Uvloop"):
        return "uvloop"
    if cls.endswith("NestApplied") or cls in ("TestNestedDocumented", "TestChatCompletionNestAsync"):
        return "nest-applied"
    if cls == "TestWithoutNestAsyncio":
        return "no-nest"
    return "kernel" if module == "jupyter" else "plain"


def _cannot_nest(cell):
    return nests_text(cell).startswith("g4f cannot nest")


# The kinds of user, each with the checks that matter to them and the cells where those checks show what they
# would see: (name, what it covers, test predicate, cell predicate).
KINDS = (
    (
        "plain scripts",
        "sync calls and asyncio.run on the default loop, g4f's nest package installed (plain regime, cells where "
        "g4f nests)",
        lambda t: regime(t) == "plain",
        lambda c: not _cannot_nest(c),
    ),
    (
        "Jupyter",
        "a notebook: the nest package applied, and a real kernel (nest-applied regime, jupyter)",
        lambda t: regime(t) in ("nest-applied", "kernel"),
        lambda c: not _cannot_nest(c),
    ),
    (
        "uvloop servers",
        "code on a uvloop loop: uvicorn[standard], aiohttp or bot servers (uvloop regime)",
        lambda t: regime(t) == "uvloop",
        lambda c: "uvloop" in c["extras"],
    ),
    (
        "no nest package",
        "g4f without the nest package it imports (no-nest regime in every cell; every plain check where g4f "
        "cannot nest)",
        lambda t: regime(t) in ("no-nest", "plain"),
        lambda c: True,
    ),
)


def _matters(kind, cell, test_id):
    _, _, test_matters, cell_matters = kind
    if not cell_matters(cell) or not test_matters(test_id):
        return False
    if kind[0] == "no nest package" and regime(test_id) == "plain":
        return _cannot_nest(cell)
    return True


def standing(cells, kind):
    """{release: (broken, missing)} for one kind of user: the contracts that matter which a cell of the release
    broke, and those it never ran (skipped everywhere on it) although a cell of another release ran them."""
    ran_somewhere = {t for c in cells for t in c["strict"] if _matters(kind, c, t) and verdict(c, t) != "skipped"}
    result = {}
    for release in {c["g4f"] for c in cells}:
        mine = [c for c in cells if c["g4f"] == release]
        broken, ran = set(), set()
        for cell in mine:
            for test_id in cell["strict"]:
                if test_id in ran_somewhere and _matters(kind, cell, test_id):
                    v = verdict(cell, test_id)
                    ran |= {test_id} if v != "skipped" else set()
                    broken |= {test_id} if v == "broken" else set()
        if ran:
            result[release] = (broken, ran_somewhere - ran)
    return result, ran_somewhere


def _defects_of(cells, release, test_id):
    return sorted({d for c in cells if c["g4f"] == release for d, tests in defects_seen(c).items() if test_id in tests})


def _listed(cells, release, tests):
    """The contracts ``tests`` broken on ``release``, grouped by the known defect they show (with how many
    checks show it); a contract no known defect explains is named by its test."""
    by_defect, unexplained = {}, []
    for test_id in sorted(tests):
        defects = _defects_of(cells, release, test_id)
        for defect in defects:
            by_defect[defect] = by_defect.get(defect, 0) + 1
        if not defects:
            unexplained.append("`%s`" % test_id.split(".", 1)[1])
    return ", ".join(
        ["`%s`%s" % (d, " (%d checks)" % n if n > 1 else "") for d, n in sorted(by_defect.items())] + unexplained
    )


def advice_section(cells):
    """For each kind of user, the newest release with the fewest of their contracts broken or missing (a check
    its API predates), and what still fails on it; the newest release measured, when it is another."""
    newest = max({c["g4f"] for c in cells}, key=parse_version)
    out = [
        "## Which release should I use",
        "",
        "Derived from the tables below. For each kind of use, the contracts that matter are the checks of its",
        "regime, in the cells where they show what such a user sees; a release *honours* them when no cell of it",
        "breaks one and it runs every one some release runs (a check it skips for an API it predates counts as",
        "missing). *Use* is the newest release with the fewest broken or missing; *still fails* is what breaks",
        "there, with the known defect each shows (README: Known g4f defects, for whom and what to do).",
        "",
        "| you run g4f in | contracts that matter | use | still fails on it | the newest, %s |" % newest,
        "|---|---|---|---|---|",
    ]
    for kind in KINDS:
        table, contracts = standing(cells, kind)
        if not table:
            continue
        best = min(table, key=lambda r: (len(table[r][0]) + len(table[r][1]), [-p for p in parse_version(r)]))
        broken, missing = table[best]
        honours = [r for r in table if not table[r][0] and not table[r][1]]
        fails = _listed(cells, best, broken) or "nothing"
        if missing:
            fails += "; missing %d (APIs it predates)" % len(missing)
        use = "**%s**%s" % (
            best,
            (
                " (honours all)"
                if not broken and not missing
                else " (no release honours all %d)" % len(contracts) if not honours else ""
            ),
        )
        if best == newest:
            on_newest = "the same"
        elif newest not in table:
            on_newest = "not run by a cell here"
        elif table[newest][0]:
            on_newest = "breaks %s" % _listed(cells, newest, table[newest][0])
        else:
            on_newest = "breaks none; missing %d" % len(table[newest][1])
        out.append("| **%s**: %s | %d | %s | %s | %s |" % (kind[0], kind[1], len(contracts), use, fails, on_newest))
    return out + [""]


def legend():
    extras = "; ".join(
        "`%s` %s"
        % (
            name,
            (
                ", ".join(packages)
                if packages
                else "nothing optional (the uvloop and Jupyter checks " "skip, naming the package)"
            ),
        )
        for name, packages in EXTRAS.items()
    )
    return [
        "## How to read this file",
        "",
        "- **nest**: which nest packages the cell installed: %s."
        % "; ".join("`%s` %s" % (name, NEST_MEANING[name]) for name in NEST),
        "  It is not a verdict: *none* in the nest column means no nest package.",
        "- **extras**: what else the cell installed: %s." % extras,
        "- **how g4f nests**: what the suite's header says: the nest package the installed g4f imports and applies",
        "  inside a running loop, or *g4f cannot nest* (that package is not installed).",
        "- A cell is named *Python, nest variant, extras* (`3.11, nest=none`; the extras left out when none).",
        "- A contract is *honoured* in a cell when its check passes under `--strict`, *broken* when it fails there",
        "  (a known defect, an expected failure of the default run, or a failure no known defect explains), and",
        "  *skipped* when it did not run (the reason names an API the release predates, or a package or nest",
        "  variant the cell lacks). **no release** in the honoured column: no cell saw it pass; every cell broke",
        "  or skipped it.",
        "- The *g4f line* is the cells on Python 3.11 with both nest packages, uvloop and Jupyter, one per release",
        "  below; it is where a change of verdict is bisected.",
        "",
    ]


def _nearest(cells, config, release, below):
    """The release of the nearest cell of ``config`` (Python, nest, extras) on the other side of ``release``."""
    on_config = {c["g4f"] for c in cells if (c["python"], c["nest"], c["extras"]) == config}
    side = [r for r in on_config if (parse_version(r) < parse_version(release)) == below and r != release]
    return (max if below else min)(side, key=parse_version) if side else None


def end_measured(cells, releases, name, end, first):
    """Was this end of a defect's range measured: a cell on ``end`` saw the defect, and the nearest cell of the
    same configuration on the other side did not? A short text saying so, and whether it was."""
    seeing = [c for c in cells if c["g4f"] == end and name in defects_seen(c)]
    if not seeing:
        return "%s: **not seen by a cell**" % end, False
    for cell in seeing:
        config = (cell["python"], cell["nest"], cell["extras"])
        other = _nearest(cells, config, end, below=first)
        if other is None:
            if first and end == min({c["g4f"] for c in cells}, key=parse_version):
                return "%s: seen (the oldest release the matrix runs)" % end, True
            continue
        if any(
            name in defects_seen(c)
            for c in cells
            if c["g4f"] == other and (c["python"], c["nest"], c["extras"]) == config
        ):
            continue
        lo, hi = sorted((end, other), key=parse_version)
        between = [r for r in releases if parse_version(lo) < parse_version(r) < parse_version(hi)]
        return (
            "%s: seen; %s not (%s)"
            % (end, other, "adjacent" if not between else "%d releases between, none run by a cell" % len(between)),
            True,
        )
    return "%s: seen, but no cell on the other side ran without it" % end, False


def ranges_section(cells, releases, defects):
    """Each registered defect's range (known_defects.py) against the cells: both ends seen, and not seen by the
    nearest cell beyond each end."""
    rows, unmeasured = [], []
    for defect in sorted(defects, key=lambda d: (parse_version(d.first), d.name)):
        seeing = [c for c in cells if defect.name in defects_seen(c)]
        seen = sorted({c["g4f"] for c in seeing}, key=parse_version)
        first, ok_first = end_measured(cells, releases, defect.name, defect.first, True)
        last, ok_last = (
            end_measured(cells, releases, defect.name, defect.last, False) if defect.last else ("still open", True)
        )
        if not (ok_first and ok_last):
            unmeasured.append(defect.name)
        rows.append(
            "| `%s` | %s | %s | %s | %s |"
            % (
                defect.name,
                defect.releases(),
                first,
                last,
                (
                    "%d releases, %s (%s)"
                    % (
                        len(seen),
                        " … ".join(sorted({seen[0], seen[-1]}, key=parse_version)),
                        "; ".join(sorted({cell_label(c) for c in seeing})),
                    )
                    if seen
                    else "not seen"
                ),
            )
        )
    if unmeasured:
        summary = "**Not measured at both ends**: %s." % ", ".join("`%s`" % n for n in unmeasured)
    else:
        summary = (
            "Every range is as measured: each end is a release a cell ran and saw the defect on, and the nearest "
            "cell of the same Python, nest variant and extras beyond it ran without it (noxfile.py puts a cell on "
            "both sides of every end)."
        )
    return (
        [
            "## Known defects, as measured",
            "",
            "The range of each defect in g4f_tests/known_defects.py, each end against the cells (a cell *sees* a",
            "defect when its default run reports it as an expected failure, in its exact shape), and the cells that",
            "saw it. " + summary,
            "",
            "| defect | range in known_defects.py | first end | last end | seen on g4f (cells) |",
            "|---|---|---|---|---|",
        ]
        + rows
        + [""]
    )


def failed_cells_section(cells):
    """The cells whose runs broke the matrix's rules (compatibility.cell_problems): their outcomes are in the
    tables (the verdicts are g4f's), and here is what the registry or the suite got wrong there."""
    failed = [c for c in cells if c.get("problems")]
    if not failed:
        return []
    out = [
        "## Cells that failed their checks",
        "",
        "These cells' runs are in the tables above (a verdict is what g4f did under `--strict`), but the suite",
        "did not explain them: a check failed that no known defect covers, or a known defect did not show. Each",
        "is a fault of the registry or the suite to fix, not of the cell:",
        "",
    ]
    for cell in failed:
        out.append("- g4f %s (%s):" % (cell["g4f"], cell_label(cell)))
        for problem in cell["problems"]:
            out.append("  - " + re.sub(r"\s+", " ", problem.split("Traceback")[0].strip())[:400])
    return out + [""]
