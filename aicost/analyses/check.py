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

import glob
import os
from dataclasses import asdict, dataclass, field
from datetime import date
from pathlib import Path
from typing import Any, Iterable

from aicost.base.errors import InputError, Problem
from aicost.model.scenario import DIFFED, LIMITS

OK, WARN, FAIL, ERROR = "ok", "warning", "failed", "error"
EXIT_OK, EXIT_BREACH, EXIT_INPUT, EXIT_INTERNAL = 0, 1, 2, 3
DEFAULT_SAMPLES = 10_000


@dataclass
class Check:
    """One scenario and one limit (or one scenario that could not be evaluated)."""

    scenario: str  # the scenario's name
    file: str  # as the user named it
    line: int | None  # the limit's line in the file (for annotations)
    budget: str  # e.g. max_cost_per_success; "input" for an input error
    status: str  # ok | warning | failed | error
    message: str
    option: str | None = None
    chosen: str | None = None  # "production" (named by the budget) or "best eligible"
    metric: str | None = None
    kind: str | None = None  # max | min
    limit: float | None = None
    actual: float | None = None
    warn_level: float | None = None
    percentile: int | None = None
    over_by: float | None = None  # how far past the limit (positive when breached), in the metric's unit

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class Report:
    checks: list[Check] = field(default_factory=list)
    skipped: list[tuple[str, str]] = field(default_factory=list)  # (file, why): scenarios without a budget
    currency: str = "USD"
    scenarios: list[dict] = field(default_factory=list)  # per scenario: the option judged and its figures
    baseline: str | None = None  # the --compare-to file, when given
    ignored: int = 0  # YAML files met in a directory that are not scenarios or budgets files

    def counts(self) -> dict[str, int]:
        out = {OK: 0, WARN: 0, FAIL: 0, ERROR: 0}
        for c in self.checks:
            out[c.status] += 1
        return out

    def exit_code(self, fail_on_warn: bool = False, no_fail: bool = False) -> int:
        n = self.counts()
        if n[ERROR]:  # an incomplete run never exits 0, --no-fail or not
            return EXIT_INPUT
        if no_fail:
            return EXIT_OK
        if n[FAIL] or (fail_on_warn and n[WARN]):
            return EXIT_BREACH
        return EXIT_OK


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
    for p in out:
        key = p.resolve()
        if key not in seen:
            seen.add(key)
            unique.append(p)
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
    from aicost.analyses.compare import compare_loaded, find_option

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
    res = compare_loaded(ls, book, as_of, samples=samples if pct and ls.ranges else None, seed=seed,
                         max_price_age=max_price_age)
    options = res.options
    ids = [o.id for o in options]
    chosen, option, why_none = None, None, None
    if budget.get("option"):
        i, err = find_option(ids, budget["option"])
        if err:
            raise InputError(doc.problem(prefix + ("option",), err))
        option, chosen = options[i], "production"
    else:
        option, chosen = res.best, "best eligible"
        if option is None:
            why_none = "no option is eligible and priced"
    checks = []
    for key, (metric, kind) in LIMITS.items():
        limit = budget.get(key)
        if limit is None:
            continue
        line = doc.line_of(prefix + (key,))
        base = dict(scenario=name, file=file, line=line, budget=key, metric=metric, kind=kind, limit=float(limit),
                    chosen=chosen, percentile=pct)
        if option is None:
            checks.append(Check(**base, status=FAIL, message=f"{why_none}, so {key} cannot be checked"))
            continue
        base["option"] = option.id
        actual = option.metrics.get(metric)
        if pct and option.uncertainty and option.uncertainty.get(metric):
            actual = option.uncertainty[metric].get(f"p{pct}", actual)
        if option.status == "unpriced" or actual is None:
            why = option.reason or f"{metric} is not defined for this option"
            checks.append(Check(**base, status=FAIL, message=f"{option.id} cannot be checked: {why}"))
            continue
        status, warn_level, over = _status(float(actual), float(limit), kind, budget.get("warn_at"))
        checks.append(Check(**base, status=status, actual=float(actual), warn_level=warn_level, over_by=over,
                            message=_message(status, metric, kind, float(actual), float(limit), warn_level, pct,
                                             book.currency, option)))
    figures = {"scenario": name, "file": file, "option": option.id if option else None, "chosen": chosen,
               "figures": {k: (option.metrics.get(k) if option and option.status != "unpriced" else None)
                           for k in ("cost_per_success", "cost_per_resolved_task", "monthly_cost", "roi")}}
    if option is not None:  # stale or deprecated prices behind the option judged: warnings
        key = f"{option.provider}/{option.model}"
        keys = None if option.kind == "cascade" else (f"{key} {option.tier} price", f"{key} was deprecated")
        for w in res.warnings:
            if keys is None or w.startswith(keys):
                checks.append(Check(scenario=name, file=file, line=doc.line_of(prefix),
                                    budget="price_age" if " price was checked " in w else "deprecation",
                                    status=WARN, option=option.id, chosen=chosen, message=w))
    figures["budget"] = {"max_increase": budget.get("max_increase"), "warn_at": budget.get("warn_at"),
                         "line": doc.line_of(prefix + ("max_increase",))}
    return checks, figures


def _fmt(metric: str, x: float, currency: str) -> str:
    from aicost.report.numbers import money, pct

    return pct(x) if metric == "roi" else money(x, currency)


def _message(status, metric, kind, actual, limit, warn_level, pct, currency, option) -> str:
    what = metric.replace("_", " ") + (f" (P{pct})" if pct else "")
    a, lim = _fmt(metric, actual, currency), _fmt(metric, limit, currency)
    if status == FAIL:
        if kind == "max":
            rel = f" (+{(actual - limit) / limit:.1%})" if limit > 0 else ""
            text = f"{what} {a} is over the budget of {lim} by {_fmt(metric, actual - limit, currency)}{rel}"
        else:
            text = f"{what} {a} is below the minimum of {lim}"
    elif status == WARN:
        text = f"{what} {a} is past the warning level {_fmt(metric, warn_level, currency)} (limit {lim})"
    else:
        text = f"{what} {a} is within the {'budget' if kind == 'max' else 'minimum'} of {lim}"
    if option.status == "ineligible":
        text += f"; note: {option.id} is ineligible here ({option.reason})"
    return text


def run_checks(paths: Iterable[str], book, sets=(), as_of: date | None = None, samples: int = DEFAULT_SAMPLES,
               seed: int = 0, max_price_age: int | None = None, progress=None,
               baseline: str | Path | None = None) -> Report:
    """Every scenario file under ``paths``; bad files become error checks (the others still run).
    With ``baseline`` (a saved ``aicost check --format json``), each scenario's change is reported
    and held to its budget's ``max_increase``."""
    report = Report(currency=book.currency)
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
            report.skipped.append((str(path), "no budget: block"))
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
                  status=ERROR, message=str(p)) for p in exc.problems]


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
    jobs = []
    for i, entry in enumerate(spec.budgets):
        target = Path(entry.scenario)
        if not target.is_absolute() and (path.parent / target).exists():
            target = path.parent / target
        budget = entry.model_dump(exclude={"scenario", "set"})
        jobs.append((str(target) if target.exists() else entry.scenario, list(entry.set) + list(sets),
                     (budget, doc, ("budgets", i))))
    return jobs


def load_baseline(path: str | Path) -> dict[str, dict]:
    """Scenario name -> {option, figures} from a saved ``aicost check --format json``."""
    import json

    where = str(path)
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise InputError(Problem(where, None, "", "no such file (save one on the main branch with aicost check "
                                                  "--output json=FILE)")) from None
    except (OSError, UnicodeDecodeError, ValueError) as exc:
        raise InputError(Problem(where, None, "", f"not a JSON file: {exc}")) from None
    if not isinstance(data, dict) or data.get("kind") != "check" or not isinstance(data.get("scenarios"), list):
        raise InputError(Problem(where, None, "", "not an aicost check JSON report (expected \"kind\": \"check\" "
                                                  "with \"scenarios\"); save one with aicost check --output "
                                                  "json=FILE"))
    out = {}
    for s in data["scenarios"]:
        if isinstance(s, dict) and isinstance(s.get("scenario"), str) and isinstance(s.get("figures"), dict):
            out[s["scenario"]] = {"option": s.get("option"), "figures": s["figures"]}
    return out


def _allowed(rule, base: float) -> tuple[float, str]:
    """The largest increase a rule allows from ``base``, and the rule as said."""
    if isinstance(rule, str):
        share = float(rule.strip()[:-1]) / 100.0
        return share * abs(base), rule.strip()
    return float(rule), f"{rule:g}"


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
            out.append(Check(**common, status=OK, message="new: not in the baseline, so there is no change to "
                                                           "check"))
            continue
        if now is None or was is None:
            out.append(Check(**common, status=FAIL, message=f"{metric.replace('_', ' ')} cannot be compared with "
                                                            f"the baseline (unpriced or missing)"))
            continue
        allowed, said = _allowed(r, was)
        limit = was + allowed
        status, warn_level, over = _status(now, limit, "max", fig["budget"]["warn_at"])
        change = now - was
        rel = f" ({change / was:+.1%})" if was else ""
        what = metric.replace("_", " ")
        text = (f"{what} went from {_fmt(metric, was, currency)} to {_fmt(metric, now, currency)}: "
                f"{'+' if change >= 0 else '−'}{_fmt(metric, abs(change), currency)}{rel}, allowed +{said}")
        if base.get("option") and base["option"] != fig["option"]:
            text += f" (the baseline judged {base['option']})"
        out.append(Check(**common, status=status, limit=limit, actual=now, warn_level=warn_level, over_by=over,
                         message=text))
    return out
