"""Make the LiteLLM extract the agreement test reads (tests/data/litellm_extract.json) from a
local copy of LiteLLM's price map: the entries for the models aicost ships, with only their
price, cache, tier, context, tool and source fields.

    python scripts/litellm_extract.py model_prices_and_context_window_backup.json 1.110.2 \\
        > tests/data/litellm_extract.json

Step 4 of the price refresh in docs/prices.md. A shipped model is matched by its id or an alias,
under LiteLLM's key for its provider (``gemini/`` for Google, ``azure/`` for Azure, the bare id
for OpenAI and Anthropic); models LiteLLM does not have are listed on stderr.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PREFIX = {"google": "gemini/", "azure": "azure/", "openai": "", "anthropic": ""}
KEEP = ("litellm_provider", "mode", "max_input_tokens", "prompt_cache_min_tokens", "deprecation_date", "source")


def extract(data: dict, version: str) -> dict:
    sys.path.insert(0, str(ROOT))
    from aicost.inputs.pricebook import PriceBook

    book = PriceBook.load([])
    out: dict = {"_about": f"Extract of LiteLLM's model_prices_and_context_window_backup.json from the PyPI wheel "
                           f"litellm=={version} (BerriAI/litellm): the entries for the models aicost ships, with "
                           "their price, cache, tier, context and tool fields only. Used by "
                           "tests/inputs/test_litellm_agreement.py; made by scripts/litellm_extract.py."}
    missing = []
    for (prov, mid), e in sorted(book.models.items()):
        if prov not in PREFIX or e.multiplier != 1:
            continue
        for name in (mid, *e.spec.aliases):
            key = PREFIX[prov] + name
            if isinstance(data.get(key), dict):
                entry = data[key]
                kept = {k: v for k, v in entry.items() if k in KEEP or "cost" in k}
                out[PREFIX[prov] + mid] = {**kept, "litellm_provider": entry.get("litellm_provider")}
                break
        else:
            missing.append(f"{prov}/{mid}")
    if missing:
        print(f"not in LiteLLM {version}: {', '.join(missing)}", file=sys.stderr)
    return dict(sorted(out.items()))


def main() -> int:
    if len(sys.argv) != 3:
        print(__doc__, file=sys.stderr)
        return 2
    data = json.loads(Path(sys.argv[1]).read_text(encoding="utf-8"))
    print(json.dumps(extract(data, sys.argv[2]), indent=1, sort_keys=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
