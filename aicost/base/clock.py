"""The pricing day when none is given: ``$AICOST_AS_OF`` (YYYY-MM-DD), else today.

Setting it makes every run price on the same day whatever the calendar says: a CI job, a test
suite or a report that must give the same bytes next month (models retire, prices change on
their dated days).
"""

from __future__ import annotations

import os
from datetime import date


def pricing_day() -> date:
    """$AICOST_AS_OF as a date, else today; a value that is not a date is an input error."""
    text = os.environ.get("AICOST_AS_OF", "").strip()
    if not text:
        return date.today()
    try:
        return date.fromisoformat(text)
    except ValueError:
        from aicost.base.errors import InputError, Problem

        raise InputError(Problem("AICOST_AS_OF", None, "", f"not a date (YYYY-MM-DD): {text[:40]!r}")) from None
