"""The duplicate finder pairs records of one customer (shared email, phone, full name, surname at
the same postcode, the same person at the same organisation) and not two customers who happen to
share a surname."""

from __future__ import annotations

import pytest

from crm_sandbox.services import contacts


@pytest.fixture
def ctx(provision, ctx_for):
    return ctx_for(provision())


def business(ctx, organisation, first, last, **more):
    return contacts.create_contact(
        ctx,
        {
            "organisation_name": organisation,
            "first_name": first,
            "last_name": last,
            "account_type": "business",
            "category": "external",
            **more,
        },
    )


def person(ctx, first, last, **more):
    return contacts.create_contact(
        ctx,
        {"first_name": first, "last_name": last, "category": "external", **more},
    )


def test_two_organisations_whose_contacts_share_a_surname_are_not_duplicates(ctx):
    school = business(ctx, "Millbrook Primary School", "Rachel", "Ellisworthy", postcode="LS6 1AA")
    cleaners = business(
        ctx, "Payne Cleaning Services Group", "Mathew", "Ellisworthy", postcode="BD1 2BB"
    )
    assert cleaners not in contacts.possible_duplicates(ctx, school)
    assert school not in contacts.possible_duplicates(ctx, cleaners)


def test_the_same_organisation_entered_twice_for_the_same_person_pairs(ctx):
    main = business(ctx, "Kirkgate Dental Practice", "Sandra", "Oduyaq", phone="0113 496 0412")
    again = business(ctx, "kirkgate dental practice", "Sandy", "Oduyaq")
    bare = business(ctx, "Kirkgate Dental Practice", "", "")
    colleague = business(ctx, "Kirkgate Dental Practice", "Tom", "Whitelock")
    found = contacts.possible_duplicates(ctx, main)
    assert again in found and bare in found
    assert colleague not in found


def test_real_looking_near_duplicates_of_a_person_still_pair(ctx):
    original = person(
        ctx,
        "Catherine",
        "Wolstenholme",
        email="c.wolstenholme@example.org",
        phone="07911 123456",
        postcode="LS18 5PA",
    )
    old_email = person(ctx, "Catherine", "Wolstenholme", email="cathy.w@example.com")
    misspelt = person(ctx, "Catherine", "Wolstenhlome", email="C.Wolstenholme@example.org")
    nickname = person(ctx, "Cathy", "Wolstenholme", postcode="ls185pa")
    same_phone = person(ctx, "Cath", "Wolstenholm", phone="07911 123456")
    stranger = person(ctx, "Peter", "Wolstenholme", postcode="YO1 7HH")
    found = contacts.possible_duplicates(ctx, original, limit=10)
    assert {old_email, misspelt, nickname, same_phone} <= set(found)
    assert stranger not in found
