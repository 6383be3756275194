"""Deep Linking: from the platform's "add an activity" screen, an instructor picks one of our
scenarios and the platform receives a signed link to it, with a grade column (line item).

The picker lists the scenarios a tutor could set (library and published authored ones) with
their title, time and criteria. The response is PyLTI1p3's `DeepLink` message with one
`DeepLinkResource`: the title, our launch URL, the custom parameter `scenario=<slug>` (what a
launch reads to open it) and a line item (label = title, scoreMaximum 100, resourceId = slug,
tag "crm-sandbox"), signed by PyLTI1p3 with the tool's current key and naming it by `kid`
(the key's RFC 7638 thumbprint), so the platform finds the key in our /lti/jwks.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlsplit

from pylti1p3.deep_link_resource import DeepLinkResource
from pylti1p3.lineitem import LineItem

from ...criteria import criteria_for_scenario, load_catalogue
from ...models import Group, User
from ...scenarios.loader import library
from ..errors import ServiceError
from ..tutoring import assigning
from .identities import launched_by
from .launch import ValidLaunch

DEEP_LINKING_SETTINGS = "https://purl.imsglobal.org/spec/lti-dl/claim/deep_linking_settings"
SCORE_MAXIMUM = 100
LINE_ITEM_TAG = "crm-sandbox"


@dataclass(frozen=True)
class Choice:
    """A scenario on the picker."""

    id: str
    title: str
    minutes: int | None
    criteria: list[str]
    authored: bool


def choices(group: Group | None = None) -> list[Choice]:
    """The scenarios an instructor may link, with their time and criteria (numbered for the
    group's qualification when there is a group)."""
    shipped = library()
    body_id = group.body_id if group is not None else load_catalogue().bodies[0].id
    found = []
    for item in assigning.assignable_scenarios():
        scenario = shipped.get(item.id)
        minutes, criteria = None, []
        if scenario is not None:
            minutes = scenario.estimated_minutes
            criteria = [
                f"{c.number} {c.learner_text}" for c in criteria_for_scenario(scenario, body_id)
            ]
        found.append(Choice(item.id, item.title, minutes, criteria, item.authored))
    return found


def return_url(launch: ValidLaunch) -> str:
    """Where the platform wants the deep-linking response posted."""
    settings = launch.body.get(DEEP_LINKING_SETTINGS) or {}
    return str(settings.get("deep_link_return_url") or "")


def return_origin(launch: ValidLaunch) -> str:
    """The scheme and host of the platform's return URL (for the page's form-action policy)."""
    parts = urlsplit(return_url(launch))
    return f"{parts.scheme}://{parts.netloc}"


def check_owner(launch: ValidLaunch | None, user: User) -> ValidLaunch:
    """The cached deep-linking launch, if it is this signed-in instructor's; else a refusal."""
    if (
        launch is None
        or launch.message_type != "LtiDeepLinkingRequest"
        or not launched_by(launch, user)
    ):
        raise ServiceError(
            "This choice has expired or belongs to another launch. Go back to your course and "
            "add the activity again."
        )
    return launch


def response_jwt(launch: ValidLaunch, scenario_id: str, launch_url: str) -> str:
    """The signed deep-linking response for one scenario (see the module's docstring)."""
    titles = {c.id: c.title for c in assigning.assignable_scenarios()}
    if scenario_id not in titles:
        raise ServiceError("Choose a scenario from the list.", field="scenario")
    title = titles[scenario_id]
    line_item = (
        LineItem()
        .set_label(title)
        .set_score_maximum(SCORE_MAXIMUM)
        .set_resource_id(scenario_id)
        .set_tag(LINE_ITEM_TAG)
    )
    resource = (
        DeepLinkResource()
        .set_title(title)
        .set_url(launch_url)
        .set_custom_params({"scenario": scenario_id})
        .set_lineitem(line_item)
    )
    return launch.message.get_deep_link().get_response_jwt([resource])
