"""The parts of COMPATIBILITY.md that read the cells for a user (tests/compatibility.py assembles the file):
which release to use, how to read the tables, and whether each known defect's range is what the cells measured.
Everything here is derived from the cells' saved results; nothing is written by hand but the wording."""

import re

from compatibility import EXTRAS, LINE_EXTRAS, NEST, cell_label, defects_seen, verdict

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
    (uvloop: a class named `...Uvloop...`; nest-applied: `...NestApplied`; no-nest:
    nesting.TestWithoutNestAsyncio; plain), except where the check changes it itself from a plain child: the
    documented nested tests apply the nest package (nest-applied), jupyter starts a kernel (kernel), greenlets
    runs gevent's patch_all first (gevent)."""
    module, cls = test_id.split(".")[-3:-1]
    if "Uvloop" in cls:
        return "uvloop"
    if cls.endswith("NestApplied") or cls in ("TestNestedDocumented", "TestChatCompletionNestAsync"):
        return "nest-applied"
    if cls == "TestWithoutNestAsyncio":
        return "no-nest"
    return {"jupyter": "kernel", "greenlets": "gevent"}.get(module, "plain")


LINE_CONFIG = ("3.11", "both", LINE_EXTRAS)  # compatibility.axis: the g4f line
NONE_CONFIG = ("3.11", "none", "none")

# The kinds of user: the checks that matter to them, and the one configuration (Python, nest variant, extras)
# whose cells show what they see, so that every release is judged on the same cells: (name, what it covers,
# test predicate, configuration).
KINDS = (
    (
        "plain scripts",
        "sync calls and asyncio.run on the default loop (plain regime, on the g4f line)",
        lambda t: regime(t) == "plain",
        LINE_CONFIG,
    ),
    (
        "Jupyter",
        "a notebook: the nest package applied, and a real kernel (nest-applied regime and jupyter, on the g4f line)",
        lambda t: regime(t) in ("nest-applied", "kernel"),
        LINE_CONFIG,
    ),
    (
        "uvloop servers",
        "code on a uvloop loop: uvicorn[standard], aiohttp or bot servers (uvloop regime, on the g4f line)",
        lambda t: regime(t) == "uvloop",
        LINE_CONFIG,
    ),
    (
        "no nest package",
        "g4f without the nest package it imports (every check, in the cells with neither nest package on 3.11)",
        lambda t: True,
        NONE_CONFIG,
    ),
)


def _config(cell):
    return (cell["python"], cell["nest"], cell["extras"])


def standing(cells, kind):
    """{release: (broken, missing)} for one kind of user, over the cells of its configuration: the contracts
    that matter which the release's cell broke, and those it skipped although another release's cell ran them."""
    _, _, matters, config = kind
    mine = [c for c in cells if _config(c) == config]
    ran_somewhere = {t for c in mine for t in c["strict"] if matters(t) and verdict(c, t) != "skipped"}
    result = {}
    for cell in mine:
        ran = {t for t in ran_somewhere if verdict(cell, t) not in ("skipped", None)}
        broken = {t for t in ran if verdict(cell, t) == "broken"}
        if ran:
            result[cell["g4f"]] = (broken, ran_somewhere - ran)
    return result, ran_somewhere


def elsewhere(cells, kind, release, broken):
    """What the release's cells on other Pythons (the same nest variant) break of the kind's contracts beyond
    ``broken``: the known defects, each with the Pythons it showed on."""
    _, _, matters, config = kind
    found = {}
    for cell in cells:
        if cell["g4f"] != release or cell["nest"] != config[1] or cell["python"] == config[0]:
            continue
        for test_id in cell["strict"]:
            if matters(test_id) and test_id not in broken and verdict(cell, test_id) == "broken":
                names = ["`%s`" % d for d, tests in defects_seen(cell).items() if test_id in tests]
                for name in names or ["`%s`" % test_id.split(".", 1)[1]]:
                    found.setdefault(name, set()).add(cell["python"])
    return "; ".join(
        "%s on Python %s" % (name, ", ".join(sorted(pythons, key=parse_version)))
        for name, pythons in sorted(found.items())
    )


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
        "regime, and every release is judged on the cells of one configuration: the g4f line (Python 3.11, both",
        "nest packages, every extra), or for code without a nest package the cells with neither (3.11). A",
        "release *honours* them when its cell breaks none and runs every one another release runs (a check it",
        "skips for an API it predates counts as missing). *Use* is the newest release with the fewest broken or",
        "missing; *still fails* is what breaks there, by the known defect each shows (README: Known g4f defects,",
        "for whom and what to do), and what its other cells add (*elsewhere*: another Python or nest variant).",
        "",
        "| you run g4f in | contracts that matter | use | still fails on it | the newest, %s |" % newest,
        "|---|---|---|---|---|",
    ]
    for kind in KINDS:
        table, contracts = standing(cells, kind)
        judged = [c for c in cells if _config(c) == kind[3]]
        if not table:
            continue
        best = min(table, key=lambda r: (len(table[r][0]) + len(table[r][1]), [-p for p in parse_version(r)]))
        broken, missing = table[best]
        fails = _listed(judged, best, broken) or "nothing"
        if missing:
            fails += "; missing %d (APIs it predates)" % len(missing)
        more = elsewhere(cells, kind, best, broken)
        if more:
            fails += "; elsewhere %s" % more
        short = len(broken) + len(missing)
        use = "**%s** (%s)" % (
            best,
            (
                "honours all %d" % len(contracts)
                if not short
                else "%d of %d broken or missing; no release honours all" % (short, len(contracts))
            ),
        )
        if best == newest:
            on_newest = "the same"
        elif newest not in table:
            on_newest = "not run by a cell here"
        elif table[newest][0]:
            on_newest = "breaks %s" % _listed(judged, newest, table[newest][0])
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
                else "nothing optional (the uvloop, Jupyter and environment checks skip, naming the package)"
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
        "- The *g4f line* is the cells on Python 3.11 with both nest packages and every extra, one per release",
        "  below; it is where a change of verdict is bisected.",
        "",
    ]


def _nearest(cells, config, release, below):
    """The release of the nearest cell of ``config`` (Python, nest, extras) on the other side of ``release``."""
    on_config = {c["g4f"] for c in cells if (c["python"], c["nest"], c["extras"]) == config}
    side = [r for r in on_config if (parse_version(r) < parse_version(release)) == below and r != release]
    return (max if below else min)(side, key=parse_version) if side else None


def _between(between, unimportable):
    """The releases between an end and the cell beyond it, none of which a cell runs."""
    if not between:
        return "adjacent"
    named = ", ".join(between) if len(between) <= 3 else "%d releases" % len(between)
    if set(between) <= set(unimportable):
        return "between: %s, which cannot be imported offline" % named
    return "between: %s, not run by a cell" % named


def end_measured(cells, releases, name, end, first, unimportable=()):
    """Was this end of a defect's range measured: a cell on ``end`` saw the defect, and the nearest cell of the
    same configuration on the other side did not? A short text saying so, and whether it was."""
    seeing = [c for c in cells if c["g4f"] == end and name in defects_seen(c)]
    if not seeing:
        return "%s: **not named by a cell**" % end, False
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
        return "%s: seen; %s not (%s)" % (end, other, _between(between, unimportable)), True
    return "%s: seen, but no cell on the other side ran without it" % end, False


def ranges_section(cells, releases, defects, unimportable=()):
    """Each registered defect's range (known_defects.py) against the cells: both ends seen, and not seen by the
    nearest cell beyond each end."""
    rows, unmeasured = [], []
    for defect in sorted(defects, key=lambda d: (parse_version(d.first), d.name)):
        seeing = [c for c in cells if defect.name in defects_seen(c)]
        seen = sorted({c["g4f"] for c in seeing}, key=parse_version)
        first, ok_first = end_measured(cells, releases, defect.name, defect.first, True, unimportable)
        last, ok_last = (
            end_measured(cells, releases, defect.name, defect.last, False, unimportable)
            if defect.last
            else ("still open", True)
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
            "defect when its default run names it for an expected failure, in its exact shape; a check carrying two",
            "defects names the first that matches, so the other is not named there), and the cells that saw it.",
            summary,
            "",
            "| defect | range in known_defects.py | first end | last end | seen on g4f (cells) |",
            "|---|---|---|---|---|",
        ]
        + rows
        + [""]
    )


def failed_cells_section(cells):
    """The cells whose runs broke the matrix's rules (compatibility.cell_problems): their outcomes are in the
    tables (the verdicts are g4f's); here, per cell, each check the registry did not explain there."""
    failed = [c for c in cells if c.get("problems")]
    if not failed:
        return []
    out = [
        "## Cells that failed their checks",
        "",
        "These cells' runs are in the tables above (a verdict is what g4f did under `--strict`), but the suite",
        "did not explain them: in the default run a check failed in a shape no known defect registers, a known",
        "defect did not show, or a check passed that `--strict` fails (a defect whose exact shape is not",
        "registered for that check). Each is a gap of g4f_tests/known_defects.py or of the suite to fix:",
        "",
    ]
    for cell in failed:
        out.append("- g4f %s (%s):" % (cell["g4f"], cell_label(cell)))
        notes = dict(cell.get("failures", {}))
        for test_id, outcome in cell.get("outcomes", {}).items():
            if outcome == "passed" and cell["strict"].get(test_id) in ("failed", "error"):
                notes.setdefault(test_id, "passes, but fails under --strict")
        for test_id, note in sorted(notes.items()):
            out.append("  - `%s`: %s" % (test_id.split(".", 1)[1], note))
        if not notes:
            out += ["  - " + re.sub(r"\s+", " ", problem)[:300] for problem in cell["problems"]]
    return out + [""]
