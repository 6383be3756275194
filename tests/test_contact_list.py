"""The contact list: "Previous" and "Next" pages (keyset cursors, filters and order kept),
columns sorted by a whitelisted key either way, and the filtered list exported as CSV."""

from __future__ import annotations

import csv
import io
import re

import pytest
from sqlalchemy import select

from crm_sandbox.extensions import db
from crm_sandbox.models import Contact
from crm_sandbox.services import contacts
from crm_sandbox.services.context import SandboxContext

ROW_LINK = re.compile(r'<a href="/s/\d+/contacts/(\d+)">')


@pytest.fixture
def learner_crm(client, auth, provision):
    """A signed-in learner's practice sandbox with 130 more external customers (three pages
    of them), some with a segment; returns (sandbox, url prefix)."""
    sandbox = provision()
    ctx = SandboxContext(sandbox, sandbox.owner)
    segments = ["", "new", "key_account", "at_risk", "regular"]
    for i in range(130):
        contacts.create_contact(
            ctx,
            {
                "first_name": "Page",
                "last_name": f"Filler {i % 7} {i:03d}",
                "category": "external",
                "segment": segments[i % 5] or None,
            },
        )
    db.session.commit()
    auth.login(sandbox.owner.email)
    return sandbox, f"/s/{sandbox.id}"


def current(sandbox, **where) -> list[Contact]:
    query = select(Contact).where(
        Contact.sandbox_id == sandbox.id, Contact.merged_into_id.is_(None)
    )
    for name, value in where.items():
        query = query.where(getattr(Contact, name) == value)
    return list(db.session.scalars(query))


def shown(page: str) -> list[int]:
    return [int(i) for i in ROW_LINK.findall(page)]


def link(page: str, text: str) -> str | None:
    found = re.search(rf'href="([^"]*)">{text}</a>', page)
    return found.group(1).replace("&amp;", "&") if found else None


def walk(client, start: str) -> tuple[list[list[int]], list[str]]:
    """Follow "Next page" from `start` to the end: each page's contact ids, and its address."""
    pages, urls, url = [], [], start
    while url:
        page = client.get(url).data.decode()
        pages.append(shown(page))
        urls.append(url)
        url = link(page, "Next page")
    return pages, urls


def test_previous_goes_back_page_by_page_with_the_filters_kept(client, learner_crm):
    sandbox, base = learner_crm
    external = sorted(current(sandbox, category="external"), key=lambda c: (c.sort_name, c.id))
    assert len(external) > 100  # three pages
    first = client.get(f"{base}/contacts?category=external").data.decode()
    assert link(first, "Previous page") is None
    second = client.get(link(first, "Next page")).data.decode()
    third = client.get(link(second, "Next page")).data.decode()
    assert shown(third) == [c.id for c in external[100:150]]

    back_to_second = client.get(link(third, "Previous page")).data.decode()
    assert "category=external" in link(third, "Previous page")
    assert shown(back_to_second) == [c.id for c in external[50:100]]
    assert f"{len(external)} contacts match." in back_to_second
    back_to_first = client.get(link(back_to_second, "Previous page")).data.decode()
    assert shown(back_to_first) == [c.id for c in external[:50]]
    assert link(back_to_first, "Previous page") is None  # nothing before the first page
    assert shown(client.get(link(back_to_first, "Next page")).data.decode()) == shown(second)


SORTS = {
    "name": lambda c: (c.sort_name, c.id),
    "type": lambda c: (c.category, c.sort_name, c.id),
    "segment": lambda c: (c.segment or "", c.sort_name, c.id),
    "stage": lambda c: (c.lifecycle_stage or "", c.sort_name, c.id),
}


@pytest.mark.parametrize("key", SORTS)
@pytest.mark.parametrize("descending", [False, True])
def test_each_column_sorts_both_ways_across_every_page_and_back(
    client, learner_crm, key, descending
):
    sandbox, base = learner_crm
    expected = [c.id for c in sorted(current(sandbox), key=SORTS[key], reverse=descending)]
    direction = "&dir=desc" if descending else ""
    pages, urls = walk(client, f"{base}/contacts?sort={key}{direction}")
    assert [i for page in pages for i in page] == expected
    assert len(pages) > 2
    # Previous from the last page walks back through the same pages.
    page = client.get(urls[-1]).data.decode()
    for earlier in reversed(pages[:-1]):
        page = client.get(link(page, "Previous page")).data.decode()
        assert shown(page) == earlier


def test_the_sort_headers_keep_the_filters_and_turn_the_direction(client, learner_crm):
    _, base = learner_crm
    page = client.get(f"{base}/contacts?q=filler&category=external").data.decode()
    segment = link(page, r"Segment<span[^>]*>[^<]*</span>")
    assert segment == f"{base}/contacts?q=filler&category=external&sort=segment"
    page = client.get(segment).data.decode()
    assert 'aria-sort="ascending"' in page
    turned = re.search(r'href="([^"]*)">Segment <span aria-hidden', page).group(1)
    assert turned.replace("&amp;", "&").endswith("sort=segment&dir=desc")
    # The filter form keeps the order too.
    assert '<input type="hidden" name="sort" value="segment">' in page


def test_an_unknown_sort_or_direction_or_a_forged_cursor_is_ignored(client, learner_crm):
    sandbox, base = learner_crm
    by_name = [c.id for c in sorted(current(sandbox), key=SORTS["name"])][:50]
    for query in (
        "sort=password",
        "sort=sort_name;drop table contacts",
        "sort=name&dir=sideways",
        "sort=segment&after=no-bars-here",
        "sort=type&before=external|x|y",
        f"sort=stage&after=|%7C{2**63}",
    ):
        response = client.get(f"{base}/contacts?{query}")
        assert response.status_code == 200, query
        if "sort=segment" not in query and "sort=type" not in query and "stage" not in query:
            assert shown(response.data.decode()) == by_name, query


def test_the_csv_export_has_every_matching_contact_in_order_with_safe_cells(client, learner_crm):
    sandbox, base = learner_crm
    ctx = SandboxContext(sandbox, sandbox.owner)
    contacts.create_contact(
        ctx, {"first_name": '=HYPERLINK("x")', "last_name": "Filler", "category": "external"}
    )
    db.session.commit()
    page = client.get(f"{base}/contacts?category=external&sort=segment&dir=desc").data.decode()
    export = link(page, r"Export CSV<span[^>]*>[^<]*</span>")
    assert export == f"{base}/contacts/export.csv?category=external&sort=segment&dir=desc"
    response = client.get(export)
    assert response.mimetype == "text/csv"
    assert "attachment" in response.headers["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(response.data.decode("utf-8-sig"))))
    assert rows[0][:2] == ["Name", "Job title"]
    external = sorted(current(sandbox, category="external"), key=SORTS["segment"], reverse=True)
    assert len(rows) - 1 == len(external) > 50  # every matching row, not one page
    assert [r[0] for r in rows[1:]] == [
        ("'" if c.display_name.startswith("=") else "") + c.display_name for c in external
    ]
    assert '\'=HYPERLINK("x") Filler' in [r[0] for r in rows]
    assert {r[4] for r in rows[1:]} == {"External customer"}


def test_the_export_reads_only_the_learners_own_sandbox(client, learner_crm, provision):
    sandbox, base = learner_crm
    other = provision()
    theirs = current(other)[0]
    ctx = SandboxContext(other, other.owner)
    contacts.update_contact(ctx, theirs, {"first_name": "Notmine", "last_name": "Atall"})
    db.session.commit()
    response = client.get(f"{base}/contacts/export.csv")
    assert b"Notmine" not in response.data
    assert len(response.data.decode("utf-8-sig").splitlines()) - 1 == len(current(sandbox))
    assert client.get(f"/s/{other.id}/contacts/export.csv").status_code == 404
