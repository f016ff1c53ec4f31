"""Names shared by the price tables, scenarios and reports (kept free of heavy imports)."""

TIERS: tuple[str, ...] = ("standard", "batch", "flex", "priority")
TIER_LABEL = {"standard": "Standard", "batch": "Batch", "flex": "Flex", "priority": "Priority"}
TOOLS: tuple[str, ...] = ("web_search", "file_search", "vector_storage", "code_session")
