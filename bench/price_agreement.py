"""How often aicost's shipped price tables agree with LiteLLM's and genai-prices' on the cost of one call.

Method. Both other sources are read from local files (no network) and turned into aicost
tables by aicost's own importers (``from_litellm``, ``from_genai_prices``), loaded into a
PriceBook, and read with ``flat_rates`` like the shipped tables. For every (provider, model,
tier) that aicost and the source both price, one call is priced on each side:

* 10,000 input tokens, of which 2,000 are cache reads at ``cached_input`` and 8,000 fresh at
  ``input``, plus 1,000 output tokens at ``output``;
* base rates (not long-context), in force on ``--as-of`` (default 2026-11-30).

A side with no ``cached_input`` prices the call with all 10,000 input tokens fresh; a pair where
exactly one side lacks it is reported apart ("cache rate missing on one side") and left out of
the headline figures. Agreement: |aicost - source| <= 0.5% of source (exact equality counted too).
Models match when the source's model id is aicost's id or one of its aliases, same provider id
(the importers map LiteLLM ``azure/<id>`` to azure ``<id>`` and ``gemini/<id>`` to google ``<id>``).

genai-prices keeps batch/flex/priority as ``price_variants`` (``processing: batch``,
``service_tier: flex|priority``) that ``from_genai_prices`` does not read; here each tier is
resolved with genai-prices' own ``ModelInfo.get_prices`` on the as-of date (a partial variant
inherits the standard price for keys it does not set, as genai-prices bills it), imported as a
standard tier, and grafted in as that tier. Its long-context rates are not carried (base only).

    python bench/price_agreement.py [--litellm FILE] [--genai DIR] [--as-of DATE] [--format table|json]
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import types
from collections import Counter
from datetime import UTC, date, datetime, time
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("AICOST_NO_CACHE", "1")  # the imported tables live in temp folders: nothing to reuse

from aicost.analyses.pricing import flat_rates
from aicost.inputs.importers import from_genai_prices, from_litellm, to_yaml
from aicost.inputs.pricebook import PriceBook

FRESH, CACHED, OUTPUT = 8_000, 2_000, 1_000  # one call: 10,000 input (2,000 cache reads) + 1,000 output
MTOK = Decimal(1_000_000)
TOLERANCE = Decimal("0.005")  # 0.5% of the source's cost
#: aicost tier -> the genai-prices price context that selects it
GENAI_TIERS = {"batch": {"processing": "batch"}, "flex": {"service_tier": "flex"},
               "priority": {"service_tier": "priority"}}


def base_rates(book: PriceBook, as_of: date) -> dict[tuple, dict]:
    """{(provider, model, tier): {rate: value}} of the base (not long-context) rates in force."""
    out: dict[tuple, dict] = {}
    for (prov, mid, tier, ctx, rate), v in flat_rates(book, as_of).items():
        if ctx == "base":
            out.setdefault((prov, mid, tier), {})[rate] = v
    return out


def call_cost(r: dict, cached: bool) -> Decimal:
    """USD for one call; ``cached=False`` bills the 2,000 cache reads as fresh input."""
    if cached:
        return (FRESH * r["input"] + CACHED * r["cached_input"] + OUTPUT * r["output"]) / MTOK
    return ((FRESH + CACHED) * r["input"] + OUTPUT * r["output"]) / MTOK


def load(tables: dict[str, dict]) -> PriceBook:
    """Imported tables -> a PriceBook, through YAML in a temp folder (as the agreement test does)."""
    with tempfile.TemporaryDirectory() as folder:
        for prov, table in tables.items():
            Path(folder, f"{prov}.yaml").write_text(to_yaml(table))
        return PriceBook.load([folder], bundled=False)


# ---- the sources -----------------------------------------------------------------------------

def litellm_book(file: Path, providers: set[str], as_of: date) -> PriceBook:
    data = json.loads(file.read_text())
    return load(from_litellm(data, providers, checked=as_of, source=f"LiteLLM {file.name}"))


def _genai_price_dict(mp) -> dict:
    """A genai-prices ModelPrice as plain data: TieredPrices -> {base, tiers: [{start, price}]}."""
    out = {}
    for key, v in vars(mp).items():
        if v is None or key.startswith("_"):
            continue
        tiers = getattr(v, "tiers", None)
        out[key] = v if tiers is None else {"base": v.base, "tiers": [{"start": t.start, "price": t.price} for t in tiers]}
    return out


def _genai_prices(m, tier: str, when: datetime):
    """The model's prices as the importer reads them: standard keeps genai's dated list; other tiers
    are resolved on ``when`` if an active variant selects them, else None."""
    if tier == "standard":
        if not isinstance(m.prices, list):
            return _genai_price_dict(m.prices)
        return [{"constraint": None if c.constraint is None else
                 {"start_date": c.constraint.start_date.isoformat()} if hasattr(c.constraint, "start_date") else
                 {"start_time": str(c.constraint.start_time), "end_time": str(c.constraint.end_time)},
                 "prices": _genai_price_dict(c.prices)} for c in m.prices]
    ctx = GENAI_TIERS[tier]
    if not any(v.when == ctx and (v.constraint is None or v.constraint.active(when)) and _genai_price_dict(v.prices)
               for v in m.price_variants or ()):
        return None
    return _genai_price_dict(m.get_prices(when, ctx))


def genai_book(folder: Path, providers: set[str], as_of: date) -> tuple[PriceBook, str]:
    sys.path.insert(0, str(folder))
    sys.modules.setdefault("httpx2", types.ModuleType("httpx2"))  # only its price downloader uses it
    from genai_prices import data

    version = next((p.name.removesuffix(".dist-info").split("-")[1] for p in folder.glob("genai_prices-*.dist-info")), "?")
    source = f"genai-prices {version}"
    when = datetime.combine(as_of, time(12), tzinfo=UTC)

    def dicts(tier: str) -> list[dict]:
        return [{"id": p.id, "name": p.name, "pricing_urls": p.pricing_urls or [],
                 "models": [{"id": m.id, "name": m.name, "context_window": m.context_window, "prices": prices}
                            for m in p.models if (prices := _genai_prices(m, tier, when)) is not None]}
                for p in data.providers]

    tables = from_genai_prices(dicts("standard"), providers, checked=as_of, source=source)
    for tier in GENAI_TIERS:  # graft each resolved tier into the standard import
        for prov, t in from_genai_prices(dicts(tier), providers, checked=as_of, source=source).items():
            for mid, m in t["models"].items():
                main = tables.get(prov, {}).get("models", {}).get(mid)
                if main is None:
                    continue
                main["tiers"][tier] = m["tiers"]["standard"]
                if "cached_input" in m["tiers"]["standard"]:
                    main.setdefault("min_cache_tokens", 0)
    return load(tables), source


# ---- the comparison --------------------------------------------------------------------------

def compare(ours: PriceBook, theirs: dict[tuple, dict], as_of: date) -> list[dict]:
    """One row per (provider, aicost model, tier) the source also prices (by id, else by alias)."""
    mine = base_rates(ours, as_of)
    rows = []
    for (prov, mid, tier), a in sorted(mine.items()):
        e = ours.models[(prov, mid)]
        ref = next((n for n in (mid, *e.spec.aliases) if (prov, n, tier) in theirs), None)
        if ref is None:
            continue
        b = theirs[(prov, ref, tier)]
        has_a, has_b = "cached_input" in a, "cached_input" in b
        ca, cb = call_cost(a, has_a), call_cost(b, has_b)
        rows.append({"provider": prov, "model": mid, "source_model": ref, "tier": tier,
                     "aicost": ca, "source": cb, "ratio": (ca / cb) if cb else None,
                     "agree": abs(ca - cb) <= TOLERANCE * cb, "exact": ca == cb,
                     "cache_missing": None if has_a == has_b else ("aicost" if has_b else "source")})
    return rows


def summarise(name: str, where: str, rows: list[dict]) -> dict:
    main = [r for r in rows if r["cache_missing"] is None]
    n = len(main)

    def pct(k: str) -> float | None:
        return round(100 * sum(r[k] for r in main) / n, 1) if n else None

    def by_ratio(r: dict) -> tuple:
        return (r["ratio"] is None, r["ratio"] or 0, r["provider"], r["model"], r["tier"])

    return {"source": name, "file": where, "pairs_compared": n,
            "agree": sum(r["agree"] for r in main), "agree_pct": pct("agree"),
            "exact": sum(r["exact"] for r in main), "exact_pct": pct("exact"),
            "models_per_provider": dict(sorted(Counter(p for p, _ in {(r["provider"], r["model"]) for r in rows}).items())),
            "disagreeing": sorted((r for r in main if not r["agree"]), key=by_ratio),
            "cache_rate_missing": sorted((r for r in rows if r["cache_missing"]), key=by_ratio)}


# ---- output ----------------------------------------------------------------------------------

def _jsonable(x):
    if isinstance(x, Decimal):
        return float(round(x, 6))
    if isinstance(x, dict):
        return {k: _jsonable(v) for k, v in x.items()}
    if isinstance(x, list):
        return [_jsonable(v) for v in x]
    return x


def _pair_lines(rows: list[dict], extra: bool = False) -> list[str]:
    lines = [f"    {'provider/model':<44} {'tier':<9} {'aicost $':>10} {'source $':>10} {'ratio':>7}"]
    for r in rows:
        name = f"{r['provider']}/{r['model']}" + (f" (as {r['source_model']})" if r["source_model"] != r["model"] else "")
        ratio = "-" if r["ratio"] is None else f"{r['ratio']:.4f}"
        tail = f"  no cache rate: {r['cache_missing']}" + (" (agrees)" if r["agree"] else "") if extra else ""
        lines.append(f"    {name:<44} {r['tier']:<9} {r['aicost']:>10.6f} {r['source']:>10.6f} {ratio:>7}{tail}")
    return lines


def table(report: dict) -> str:
    out = [f"Price agreement, aicost vs other price data, as of {report['as_of']}",
           "One call: 10,000 input tokens (2,000 cache reads at cached_input, 8,000 at input) + 1,000 output;",
           "base (not long-context) rates. Agree: |aicost - source| <= 0.5% of source. A side with no",
           "cached_input bills all 10,000 as input; pairs where only one side has it are listed apart.", "",
           "aicost models per provider (priced on the as-of date): " + ", ".join(
               f"{p} {n} ({report['aicost_models_priced_on_as_of'].get(p, 0)})"
               for p, n in report["aicost_models_per_provider"].items())]
    for s in report["sources"]:
        n = s["pairs_compared"]
        out += ["", f"== {s['source']}  ({s['file']})",
                (f"  pairs compared: {n}   within 0.5%: {s['agree']} ({s['agree_pct']}%)   "
                 f"exactly equal: {s['exact']} ({s['exact_pct']}%)"),
                "  models compared per provider (any pair): " + ", ".join(f"{p} {k}" for p, k in s["models_per_provider"].items()),
                f"  disagreeing pairs ({len(s['disagreeing'])}), by ratio aicost/source:"]
        out += _pair_lines(s["disagreeing"]) if s["disagreeing"] else ["    none"]
        out.append(f"  cache rate missing on one side ({len(s['cache_rate_missing'])}):")
        out += _pair_lines(s["cache_rate_missing"], extra=True) if s["cache_rate_missing"] else ["    none"]
    return "\n".join(out)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--litellm", type=Path, default=Path("/tmp/pkgs/lite/litellm/model_prices_and_context_window_backup.json"))
    ap.add_argument("--genai", type=Path, default=Path("/tmp/pkgs/genai"), help="folder holding the genai_prices package")
    ap.add_argument("--as-of", type=date.fromisoformat, default=date(2026, 11, 30))
    ap.add_argument("--format", choices=("table", "json"), default="table")
    args = ap.parse_args(argv)

    ours = PriceBook.load([])  # the shipped (bundled) tables
    providers = set(ours.providers)
    sources = [("LiteLLM", args.litellm, litellm_book(args.litellm, providers, args.as_of))]
    gbook, gname = genai_book(args.genai, providers, args.as_of)
    sources.append((gname, args.genai, gbook))
    report = {"as_of": args.as_of.isoformat(),
              "call": {"input_tokens": FRESH + CACHED, "cache_read_tokens": CACHED, "output_tokens": OUTPUT,
                       "context": "base", "tolerance_pct": float(TOLERANCE * 100)},
              "aicost_models_per_provider": dict(sorted(Counter(p for p, _ in ours.models).items())),
              "aicost_models_priced_on_as_of": dict(sorted(Counter(p for p, _ in {k[:2] for k in base_rates(ours, args.as_of)}).items())),
              "sources": [summarise(name, str(where), compare(ours, base_rates(book, args.as_of), args.as_of))
                          for name, where, book in sources]}
    print(json.dumps(_jsonable(report), indent=2) if args.format == "json" else table(report))
    return 0


if __name__ == "__main__":
    sys.exit(main())
