"""Every route denies by default; each role reaches its own area and no other."""

from __future__ import annotations

import pytest

from crm_sandbox.access import PUBLIC, SIGNED_IN, STATIC_ENDPOINTS, access_of
from crm_sandbox.models import Role

AREAS = {
    "/learner/": {Role.LEARNER},
    "/tutor/": {Role.TUTOR, Role.ADMIN},
    "/assessor/": {Role.ASSESSOR, Role.ADMIN},
    "/admin/": {Role.ADMIN},
}
PUBLIC_ENDPOINTS = {"auth.login", "main.home", "main.health"}
# What a learning platform calls (LTI 1.3): our key set, the OIDC login and the launch.
PUBLIC_ENDPOINTS |= {"lti.jwks", "lti.login", "lti.launch"}


def test_every_route_in_the_url_map_declares_who_may_open_it(app):
    unmarked = []
    checked = 0
    for rule in app.url_map.iter_rules():
        if rule.endpoint in STATIC_ENDPOINTS:
            continue
        checked += 1
        access = access_of(app.view_functions[rule.endpoint])
        if access is None:
            unmarked.append(f"{rule.rule} ({rule.endpoint})")
        elif access == PUBLIC:
            assert rule.endpoint in PUBLIC_ENDPOINTS, (
                f"{rule.endpoint} is public: is it meant to be?"
            )
        else:
            assert access == SIGNED_IN or set(access) <= set(Role)
    assert not unmarked, "routes without a role decorator: " + ", ".join(unmarked)
    assert checked >= 8


def test_a_route_without_a_role_decorator_is_refused_at_run_time(app_factory):
    app = app_factory()

    @app.route("/forgotten")
    def forgotten():
        return "secret"

    assert app.test_client().get("/forgotten").status_code == 403


@pytest.mark.parametrize("role", list(Role))
def test_each_role_reaches_its_own_areas_and_is_refused_the_others(client, auth, create_user, role):
    auth.login(create_user(role).email)
    for path, allowed in AREAS.items():
        expected = 200 if role in allowed else 403
        assert client.get(path).status_code == expected, (role, path)


def test_signed_out_visitors_are_sent_to_sign_in_from_every_area(client):
    for path in AREAS:
        response = client.get(path)
        assert response.status_code == 302
        assert response.headers["Location"].startswith("/login?next=")


def test_a_tutor_sees_only_their_own_groups(client, auth, create_user, create_group):
    me, other = create_user(Role.TUTOR), create_user(Role.TUTOR)
    mine = create_group("Mine", tutor=me, learners=[create_user(Role.LEARNER, name="Ann Mine")])
    theirs = create_group(
        "Theirs", tutor=other, learners=[create_user(Role.LEARNER, name="Bob Theirs")]
    )
    auth.login(me.email)
    home = client.get("/tutor/").data
    assert b"Mine" in home and b"Theirs" not in home
    assert b"Ann Mine" in client.get(f"/tutor/groups/{mine.id}").data
    foreign = client.get(f"/tutor/groups/{theirs.id}")
    assert foreign.status_code == 404
    assert b"Bob Theirs" not in foreign.data


def test_an_admin_can_disable_and_enable_an_account(client, auth, create_user, app):
    admin, learner = create_user(Role.ADMIN), create_user(Role.LEARNER)
    auth.login(admin.email)
    response = client.post(f"/admin/users/{learner.id}/active", follow_redirects=True)
    assert b"disabled" in response.data
    from crm_sandbox.extensions import db

    db.session.rollback()
    assert db.session.get(type(learner), learner.id).active is False
    client.post(f"/admin/users/{learner.id}/active")
    db.session.rollback()
    assert db.session.get(type(learner), learner.id).active is True
