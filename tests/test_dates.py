"""One date style and one date-and-time style on every page (CRM, learner, tutor, assessor,
admin): "Thu 16 Apr 2026" and "Thu 16 Apr 2026, 10:00" (real times add "UTC"). Machine formats
(CSV, JSON, ISO in form fields and URLs) are left as they are."""

from __future__ import annotations

import re
from datetime import date, datetime
from pathlib import Path

from crm_sandbox.web.filters import real_time, sandbox_date, sandbox_time
from crm_sandbox.wording import date_text, datetime_text

ROOT = Path(__file__).resolve().parents[1]


def test_the_filters_share_one_style():
    when = datetime(2026, 4, 16, 10, 0)
    assert datetime_text(when) == sandbox_time(when) == "Thu 16 Apr 2026, 10:00"
    assert date_text(when.date()) == sandbox_date(date(2026, 4, 16)) == "Thu 16 Apr 2026"
    assert real_time(datetime(2026, 12, 6, 1, 27, 20)) == "Sun 6 Dec 2026, 01:27 UTC"
    assert sandbox_time(None) == date_text(None) == "—"


def test_no_page_or_message_formats_a_date_its_own_way():
    # A date on a page goes through the filters (sbx, sbxdate, utc, date_text,
    # datetime_text); a flash through crm_sandbox.wording. strftime or an f-string format
    # in a template or a view is a second style.
    own_way = re.compile(r"strftime\(|\{[^{}]*:%[aAdbBYHm-]")
    found = []
    for path in [*ROOT.glob("templates/**/*.html"), *ROOT.glob("crm_sandbox/web/**/*.py")]:
        if path.name == "filters.py":
            continue
        for number, line in enumerate(path.read_text().splitlines(), 1):
            if own_way.search(line):
                found.append(f"{path.relative_to(ROOT)}:{number}")
    assert found == []
