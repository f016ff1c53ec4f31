"""Budget checks for CI: every scenario with a ``budget:`` block is held to its limits.

One check per scenario and limit. The option judged is the one the budget names (the option in
production) or, when it names none, the best eligible option; the report says which. A limit
is breached when the figure is past it; with ``warn_at`` a figure past that share of the limit
(measured as headroom: ``limit - (1 - warn_at) * |limit|`` for a maximum, ``limit + ...`` for a
minimum) is a warning. A figure that cannot be computed (the option is unpriced, or no option
is eligible) fails its check: a budget never passes on a missing price.

Exit codes: 0 every check within budget; 1 a budget exceeded (or, with ``--fail-on-warn``, a
warning); 2 bad input or usage; 3 internal error. An input error outranks a breach (the run
did not evaluate everything, so it never reads as a plain budget failure, and never as 0, not
even with ``--no-fail``, which only forgives breaches and warnings); the report still lists
every breach it found.
"""

from __future__ import annotations

import math

import glob
import os
from datetime import date
from pathlib import Path
from typing import Iterable

from aicost.base.clock import pricing_day
from aicost.base.constants import DEFAULT_MAX_PRICE_AGE
from aicost.base.errors import InputError, Problem
from aicost.base.notices import Notice
from aicost.results.check import ERROR, FAIL, OK, WARN, Check, Report  # noqa: F401  (re-exported)
from aicost.results.compare import Because
from aicost.model.scenario import DIFFED, LIMITS

DEFAULT_SAMPLES = 10_000


def expand(paths: Iterable[str], found_in_dirs: set | None = None) -> list[Path]:
    """Files, directories (their *.yaml and *.yml, recursively, hidden folders left out) and
    globs, in a stable order. Files found by walking a directory or a glob are added to
    ``found_in_dirs``: those that are not scenarios or budgets files are passed over."""
    out: list[Path] = []
    problems = []
    for p in paths:
        if any(ch in p for ch in "*?["):
            hits = sorted(glob.glob(p, recursive=True))
            if not hits:
                problems.append(Problem(p, None, "", "no file matches this pattern"))
            walked = [Path(h) for h in hits if Path(h).is_file()]
        elif os.path.isdir(p):
            walked = sorted(x for x in Path(p).rglob("*") if x.suffix in (".yaml", ".yml") and x.is_file()
                            and not any(part.startswith(".") for part in x.relative_to(p).parts))
            if not walked:
                problems.append(Problem(p, None, "", "no .yaml or .yml files in this directory"))
        elif os.path.exists(p):
            out.append(Path(p))
            continue
        else:
            problems.append(Problem(p, None, "", "no such file or directory"))
            continue
        out += walked
        if found_in_dirs is not None:
            found_in_dirs.update(x.resolve() for x in walked)
    if problems:
        raise InputError(problems)
    seen, unique = set(), []
    for f in out:
        key = f.resolve()
        if key not in seen:
            seen.add(key)
            unique.append(f)
    return unique


def _status(actual: float, limit: float, kind: str, warn_at: float | None) -> tuple[str, float | None, float]:
    over = actual - limit if kind == "max" else limit - actual
    warn_level = None
    if warn_at is not None:
        room = (1.0 - warn_at) * abs(limit)
        warn_level = limit - room if kind == "max" else limit + room
    if over > 0:
        return FAIL, warn_level, over
    if warn_level is not None and (actual > warn_level if kind == "max" else actual < warn_level):
        return WARN, warn_level, over
    return OK, warn_level, over


def check_scenario(path: Path | str, book, sets=(), as_of: date | None = None, samples: int = DEFAULT_SAMPLES,
                   seed: int = 0, max_price_age: int | None = None, external=None) -> tuple[list[Check], dict | None]:
    """The checks of one scenario file and the figures of the option judged; ([], None) when the
    file has no budget. ``external`` = (budget, document, path): a budget from a budgets file,
    whose lines the report points at instead of the scenario's."""
    from aicost.inputs import scenario as scenario_mod
    from aicost.analyses.compare import compare_designs, find_option

    ls = scenario_mod.load(str(path), book, sets)
    name = ls.plain["name"]
    if external is not None:
        budget, doc, prefix = external
        file = doc.file
    else:
        budget, doc, prefix, file = ls.plain.get("budget"), ls.doc, ("budget",), ls.file
    if not budget:
        return [], None
    pct = budget.get("percentile")
    res = compare_designs(ls, book, as_of, max_price_age=max_price_age,
                          samples=samples if pct and ls.ranges else None, seed=seed)
    options = res.options
    ids = [o.id for o in options]
    chosen, option = None, None
    if budget.get("option"):
        i, err = find_option(ids, budget["option"])
        if i is None:
            raise InputError(doc.problem(prefix + ("option",), err or "no such option"))
        option, chosen = options[i], "production"
    else:
        option, chosen = res.best, "best eligible"
    checks = []
    for key, (metric, kind) in LIMITS.items():
        limit = budget.get(key)
        if limit is None:
            continue
        line = doc.line_of(prefix + (key,))
        base = dict(scenario=name, file=file, line=line, budget=key, metric=metric, kind=kind, limit=float(limit),
                    chosen=chosen, percentile=pct)
        if option is None:
            checks.append(Check(**base, status=FAIL, message=Notice.of("none_eligible_budget", budget=key)))
            continue
        base["option"] = option.id
        actual = option.metrics.get(metric)
        if pct and option.uncertainty and option.uncertainty.get(metric):
            actual = option.uncertainty[metric].get(f"p{pct}", actual)
        if option.status == "unpriced" or actual is None:
            checks.append(Check(**base, status=FAIL, message=Notice.of(
                "not_checkable", option=option.id, reasons=Because(option.reasons), metric=metric)))
            continue
        status, warn_level, over = _status(float(actual), float(limit), kind, budget.get("warn_at"))
        checks.append(Check(**base, status=status, actual=float(actual), warn_level=warn_level, over_by=over,
                            message=Notice.of("budget", status=status, metric=metric, kind=kind,
                                              actual=float(actual), limit=float(limit), warn_level=warn_level,
                                              percentile=pct, currency=book.currency, option=option.id,
                                              lower_bound=metric == "latency_seconds" and option.latency_lower_bound,
                                              ineligible=Because(option.reasons)
                                              if option.status == "ineligible" else None)))
    figures = {"scenario": name, "file": file, "option": option.id if option else None, "chosen": chosen,
               "figures": {k: (option.metrics.get(k) if option and option.status != "unpriced" else None)
                           for k in ("total_cost_per_success", "cost_per_success", "cost_per_resolved_task",
                                     "monthly_cost", "roi")}}
    if option is not None:  # stale or deprecated prices behind the option judged: warnings
        for w in res.warnings:
            if _behind(w, option):
                checks.append(Check(scenario=name, file=file, line=doc.line_of(prefix),
                                    budget="price_age" if w.code == "price_stale" else "deprecation",
                                    status=WARN, option=option.id, chosen=chosen, message=w))
    figures["budget"] = {"max_increase": budget.get("max_increase"), "warn_at": budget.get("warn_at"),
                         "line": doc.line_of(prefix + ("max_increase",))}
    return checks, figures


def _behind(w, option) -> bool:
    """Whether a price warning is about a price the option uses: its model on its tier (a
    cascade: each stage's), a fee of a tool those models call, or the GPU offer a fleet rents."""
    if option.kind == "gpu":
        return f"{w.get('file')}:{w.get('line')}" == (option.gpu or {}).get("offer", {}).get("where")
    stages = [(lab.rsplit(":", 1)[0], lab.rsplit(":", 1)[1]) for lab in (option.cascade or {}).get("stages", [])] \
        if option.kind == "cascade" else [(f"{option.provider}/{option.model}", option.tier)]
    tier = str(w.get("tier") or "")
    return any((w["model"] == key and (not tier or tier == t or tier.endswith(" fee")))
               or (tier.endswith(" fee") and w["model"] == key.split("/")[0]) for key, t in stages)


def run_checks(paths: Iterable[str], book, sets=(), as_of: date | None = None, samples: int = DEFAULT_SAMPLES,
               seed: int = 0, max_price_age: int | None = None, progress=None,
               baseline: str | Path | None = None) -> Report:
    """Every scenario file under ``paths``; bad files become error checks (the others still run).
    With ``baseline`` (a saved ``aicost check --format json``), each scenario's change is reported
    and held to its budget's ``max_increase``."""
    report = Report(currency=book.currency, as_of=(as_of or pricing_day()).isoformat())
    base = load_baseline(baseline) if baseline else None
    report.baseline = str(baseline) if baseline else None
    jobs = []  # (scenario path, sets, external budget or None)
    walked: set = set()
    for path in expand(paths, walked):
        try:
            jobs += _jobs(path, sets, path.resolve() in walked, report)
        except InputError as exc:
            report.checks += _errors(exc, path)
    for n, (path, job_sets, external) in enumerate(jobs, 1):
        if path == SPEND:  # actual spend from usage logs
            entry, doc, prefix, base_dir = external
            try:
                from aicost.analyses.spend import spend_checks

                report.checks += spend_checks(entry, doc, prefix, book, base_dir)
            except InputError as exc:
                report.checks += _errors(exc, doc.file)
            if progress:
                progress(n)
            continue
        try:
            checks, figures = check_scenario(path, book, job_sets, as_of, samples, seed, max_price_age, external)
        except InputError as exc:
            if external is not None:  # the budgets file's entry is where the user looks
                _, doc, prefix = external
                exc = InputError([Problem(doc.file, doc.line_of(prefix + ("scenario",)), p.path,
                                          f"{p}") for p in exc.problems])
            report.checks += _errors(exc, path)
            continue
        if figures is None:
            report.skipped.append((str(path), Notice.of("no_budget")))
        else:
            if base is not None:
                figures["baseline"] = base.get(figures["scenario"])
                checks += _increase_checks(figures, book.currency)
            report.scenarios.append(figures)
        report.checks += checks
        if progress:
            progress(n)
    return report


def _errors(exc: InputError, path) -> list[Check]:
    return [Check(scenario=Path(str(path)).stem, file=p.file or str(path), line=p.line, budget="input",
                  status=ERROR, message=Notice.of("input_error", problem=str(p))) for p in exc.problems]


def _jobs(path: Path, sets, walked: bool, report: Report) -> list[tuple]:
    """A scenario file is one job; a budgets file (``kind: budgets``) is one job per entry. A file
    met while walking a directory that is neither (a price table, a CI config) is passed over."""
    from aicost.inputs.yamlio import load_file

    doc = load_file(path)
    data = doc.data if isinstance(doc.data, dict) else {}
    if data.get("kind") != "budgets":
        if walked and not ({"volume", "attempt"} & set(data)):
            report.ignored += 1
            return []
        return [(path, list(sets), None)]
    from aicost.inputs.validate import validate
    from aicost.model.scenario import BudgetsFile

    spec = validate(doc, BudgetsFile)
    jobs: list[tuple] = []
    for i, entry in enumerate(spec.budgets):
        target = Path(entry.scenario)
        if not target.is_absolute() and (path.parent / target).exists():
            target = path.parent / target
        budget = entry.model_dump(exclude={"scenario", "set"})
        jobs.append((str(target) if target.exists() else entry.scenario, list(entry.set) + list(sets),
                     (budget, doc, ("budgets", i))))
    for i, spend in enumerate(spec.spend):
        jobs.append((SPEND, [], (spend.model_dump(), doc, ("spend", i), path.parent)))
    return jobs


SPEND = "<spend>"  # a job of actual spend from usage logs (a budgets file's spend: entry)


def load_baseline(path: str | Path) -> dict[str, dict]:
    """Scenario name -> {option, figures} from a saved ``aicost check --format json``."""
    from aicost.inputs import jsonfile

    where = str(path)
    data, text = jsonfile.read(path, "an aicost check report",
                               missing="save one on the main branch with aicost check --output json=FILE")
    if not isinstance(data, dict) or data.get("kind") != "check" or not isinstance(data.get("scenarios"), list):
        raise InputError(Problem(where, None, "", "not an aicost check JSON report (expected \"kind\": \"check\" "
                                                  "with \"scenarios\"); save one with aicost check --output "
                                                  "json=FILE"))
    out, problems = {}, []
    for i, s in enumerate(data["scenarios"]):
        if isinstance(s, dict) and isinstance(s.get("scenario"), str) and isinstance(s.get("figures"), dict):
            for metric, x in s["figures"].items():
                why = _bad_figure(metric, x)
                if why:
                    problems.append(Problem(where, _line_of(text, s["scenario"], metric),
                                            f"scenarios[{i}].figures.{metric}", why))
            out[s["scenario"]] = {"option": s.get("option"), "figures": s["figures"]}
    if problems:
        raise InputError(problems)
    return out


#: A baseline figure beyond this is not one aicost wrote: it would let any increase pass.
MAX_FIGURE = 1e15


def _bad_figure(metric: str, x) -> str:
    """Why a baseline figure cannot be compared with (empty when it can); null is allowed (the
    figure was not computed, and the check says so)."""
    import json

    if x is None:
        return ""
    if isinstance(x, bool) or not isinstance(x, (int, float)):
        return f"not a number: {json.dumps(x)}"
    if abs(x) > MAX_FIGURE:
        return f"{x!r} is not a figure aicost reports (at most {MAX_FIGURE:.0e} in size)"
    if x < 0 and metric != "roi":
        return f"negative ({x!r}); a cost is never below 0"
    return ""


def _line_of(text: str, scenario: str, metric: str) -> int | None:
    """The line of ``metric`` in the figures of ``scenario`` in a baseline's text."""
    import json

    at = text.find(f'"scenario": {json.dumps(scenario)}')
    at = text.find(f'"{metric}"', at) if at >= 0 else -1
    return text.count("\n", 0, at) + 1 if at >= 0 else None


def _allowed(rule, base: float) -> tuple[float, str | float]:
    """The largest increase a rule allows from ``base``, and the rule (a percentage as written, or
    an amount)."""
    if isinstance(rule, str):
        share = float(rule.strip()[:-1]) / 100.0
        return share * abs(base), rule.strip()
    return float(rule), float(rule)


def _change_status(now: float, was: float, allowed: float, warn_at: float | None) -> tuple[str, float | None, float]:
    """A change judged as a change: unchanged or cheaper is always ok (a baseline figure is read
    back at 12 significant digits, so equal within that is unchanged); a rise fails past the
    allowed increase and warns past ``warn_at`` of it."""
    limit = was + allowed
    warn_level = was + warn_at * allowed if warn_at is not None else None
    if now <= was or math.isclose(now, was, rel_tol=1e-9, abs_tol=1e-12):
        return OK, warn_level, min(now, was) - limit
    over = now - limit
    if over > 0 and not math.isclose(now, limit, rel_tol=1e-9, abs_tol=1e-12):
        return FAIL, warn_level, over
    if warn_level is not None and now > warn_level:
        return WARN, warn_level, over
    return OK, warn_level, over


def _increase_checks(fig: dict, currency: str) -> list[Check]:
    """One check per figure with a ``max_increase`` rule (relative or an amount)."""
    rule = fig["budget"]["max_increase"]
    if rule is None:
        return []
    rules = rule if isinstance(rule, dict) else {k: rule for k in DIFFED}
    base = fig.get("baseline")
    out = []
    for metric, r in rules.items():
        common = dict(scenario=fig["scenario"], file=fig["file"], line=fig["budget"]["line"],
                      budget=f"max_increase.{metric}", option=fig["option"], chosen=fig["chosen"], metric=metric,
                      kind="max")
        now = fig["figures"].get(metric)
        was = (base or {}).get("figures", {}).get(metric)
        if base is None:
            out.append(Check(**common, status=OK, message=Notice.of("new_in_baseline")))
            continue
        if now is None or was is None:
            out.append(Check(**common, status=FAIL, message=Notice.of("baseline_missing", metric=metric)))
            continue
        allowed, said = _allowed(r, was)
        limit = was + allowed
        status, warn_level, over = _change_status(now, was, allowed, fig["budget"]["warn_at"])
        judged = base.get("option") if base.get("option") and base["option"] != fig["option"] else None
        out.append(Check(**common, status=status, limit=limit, actual=now, warn_level=warn_level, over_by=over,
                         message=Notice.of("increase", metric=metric, was=was, now=now, allowed=said,
                                           currency=currency, baseline_option=judged)))
    return out


def run(paths: Iterable[str] | None, pricing=(), sets=(), as_of: date | None = None,
        samples: int = DEFAULT_SAMPLES, max_price_age: int | None = DEFAULT_MAX_PRICE_AGE,
        baseline: str | Path | None = None) -> Report:
    """``aicost check``: the scenarios under ``paths`` (default ./scenarios) held to their budgets."""
    from aicost.inputs.pricebook import PriceBook

    if not paths and not Path("scenarios").is_dir():
        raise InputError("give the scenario files or directories to check (there is no ./scenarios here)")
    book = PriceBook.load(list(pricing))
    return run_checks(list(paths or ["scenarios"]), book, sets, as_of, samples, max_price_age=max_price_age,
                      baseline=baseline)
