"""Names and numbers shared by every layer (one copy each; kept free of heavy imports)."""

from __future__ import annotations

#: API tiers, in the order tables, options and reports list them.
TIERS: tuple[str, ...] = ("standard", "batch", "flex", "priority")
TIER_LABEL = {"standard": "Standard", "batch": "Batch", "flex": "Flex", "priority": "Priority"}
#: Reasoning-effort levels, lowest first (the order a model's levels are compared and listed in).
EFFORTS: tuple[str, ...] = ("minimal", "low", "medium", "high", "xhigh")
#: Hosted tools with their own fees.
TOOLS: tuple[str, ...] = ("web_search", "file_search", "vector_storage", "code_session")

#: Hours in a billing month: 8760 / 12, the convention infracost uses.
HOURS_PER_MONTH = 730.0
DAYS_PER_MONTH = HOURS_PER_MONTH / 24.0
#: Token prices are quoted per million tokens.
TOKENS_PER_MTOK = 1_000_000

#: The figures options can be ranked by, and which way is better; the first is the default
#: (domain.md: the total cost per successful outcome).
RANKINGS = {"total_cost_per_success": "min", "cost_per_success": "min", "cost_per_resolved_task": "min",
            "monthly_cost": "min", "net_monthly": "max", "roi": "max"}
DEFAULT_RANK_BY = "total_cost_per_success"

#: How long a tier may take when its provider's table states no limit: the tier's documented
#: behaviour, never "unlimited" (Batch: within 24 hours; Flex: minutes, up to 15).
TIER_LATENCY_SECONDS = {"batch": 86_400.0, "flex": 900.0}

#: A Batch input file's limits when a provider's table states none (OpenAI's Batch API guide:
#: at most 50,000 requests and 200 MB per file).
BATCH_MAX_REQUESTS_PER_FILE = 50_000
BATCH_MAX_FILE_MB = 200.0

#: Prices checked longer ago than this many days before the pricing date are flagged as stale.
DEFAULT_MAX_PRICE_AGE = 90

#: Exit codes of the ``aicost`` command (README "Exit codes").
EXIT_OK, EXIT_BREACH, EXIT_INPUT, EXIT_INTERNAL = 0, 1, 2, 3
#: The output's reader went away (``| head``): the shell's code for a filter stopped by SIGPIPE.
EXIT_CLOSED_PIPE = 141

#: Meters beyond text tokens (docs/formulas.md "Audio, speech, images, embeddings"): name ->
#: (SKU meter, token direction, consumed unit, pricing unit, consumed units per pricing unit).
#: The token meters are priced per 1M tokens; minutes, characters and images by their own unit.
MEDIA_METERS: dict[str, tuple[str, str, str, str, int]] = {
    "audio_input": ("Audio Input Tokens", "input", "Tokens", "1000000 Tokens", TOKENS_PER_MTOK),
    "cached_audio_input": ("Cached Audio Input Tokens", "cached", "Tokens", "1000000 Tokens", TOKENS_PER_MTOK),
    "audio_output": ("Audio Output Tokens", "output", "Tokens", "1000000 Tokens", TOKENS_PER_MTOK),
    "image_input": ("Image Input Tokens", "input", "Tokens", "1000000 Tokens", TOKENS_PER_MTOK),
    "cached_image_input": ("Cached Image Input Tokens", "cached", "Tokens", "1000000 Tokens", TOKENS_PER_MTOK),
    "image_output": ("Image Output Tokens", "output", "Tokens", "1000000 Tokens", TOKENS_PER_MTOK),
    "embedding": ("Embedding Tokens", "input", "Tokens", "1000000 Tokens", TOKENS_PER_MTOK),
    "audio_minutes": ("Audio Minutes", "input", "Minutes", "Minutes", 1),
    "characters": ("Speech Characters", "output", "Characters", "1000000 Characters", 1_000_000),
    "images": ("Generated Images", "output", "Images", "Images", 1),
}
#: The media meters counted in tokens (they count toward tokens per minute; the others do not).
MEDIA_TOKEN_METERS = tuple(k for k, v in MEDIA_METERS.items() if v[2] == "Tokens")
#: Image quality words a table may price (dall-e-3: standard, hd; gpt-image-1: low, medium, high).
IMAGE_QUALITIES = ("standard", "hd", "low", "medium", "high")
