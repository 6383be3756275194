"""The scenario file format, validated with pydantic. A scenario is data only: it names check
types and step types from registries in the package, and can never run code."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, field_validator, model_validator

from ..services.clock import check_in_range
from ..services.customers.persona import Persona

Slug = Field(pattern=r"^[a-z0-9][a-z0-9_-]{0,63}$")
Category = Literal["internal", "external", "non_customer", "unclassified"]
TrueCategory = Literal["internal", "external", "non_customer"]
ChannelName = Literal["phone", "email", "letter", "meeting", "live_chat", "social"]
Segment = Literal["new", "regular", "key_account", "at_risk"]
Lifecycle = Literal["acquisition", "retention", "development"]
# Every date and time in a scenario lies in the range business time may take (see
# services.clock): a start in year 9999 would overflow the sandbox's date arithmetic.
BusinessTime = Annotated[datetime, AfterValidator(check_in_range)]
BusinessDate = Annotated[date, AfterValidator(check_in_range)]


class _Spec(BaseModel):
    # A misspelt field must fail loudly, not vanish.
    model_config = ConfigDict(extra="forbid", frozen=True)


class Duration(_Spec):
    amount: float = Field(gt=0, le=1000)
    unit: Literal["working_hours", "working_days", "hours", "days"]


class ContactSpec(_Spec):
    key: str = Slug
    first_name: str = Field("", max_length=80)
    last_name: str = Field("", max_length=80)
    organisation_name: str = Field("", max_length=160)
    job_title: str = Field("", max_length=120)
    department: str = Field("", max_length=120)
    email: str = Field("", max_length=254)
    phone: str = Field("", max_length=32)
    address: str = Field("", max_length=300)
    postcode: str = Field("", max_length=10)
    category: Category = "unclassified"
    expected_category: TrueCategory | None = None  # the answer a classification check wants
    account_type: Literal[
        "individual", "business", "colleague", "department", "supplier", "other"
    ] = "individual"
    segment: Segment | None = None
    lifecycle_stage: Lifecycle | None = None
    consent: dict[Literal["email", "phone", "post", "sms"], bool] = {}
    notes: str = Field("", max_length=4000)
    # What only the customer knows (never shown to the learner): see services/customers.
    persona: Persona | None = None

    @model_validator(mode="after")
    def _named(self) -> ContactSpec:
        if not (self.first_name or self.last_name or self.organisation_name):
            raise ValueError("a contact needs a first_name, last_name or organisation_name")
        return self


class InteractionSpec(_Spec):
    contact: str
    channel: ChannelName
    direction: Literal["inbound", "outbound"]
    initiative: Literal["reactive", "proactive"] = "reactive"
    summary: str = Field(min_length=1, max_length=2000)
    outcome: str = Field("", max_length=500)
    occurred_at: BusinessTime | None = None
    follow_up_on: BusinessDate | None = None


class NeedSpec(_Spec):
    contact: str
    description: str = Field(min_length=1, max_length=500)
    confirmed_as: Literal["asked_back", "summarised", "in_writing"] | None = None


class OrderSpec(_Spec):
    """An order, booking or renewal the customer placed before the attempt (repeat business,
    and what a post-sale follow-up is about); `key` names it for steps."""

    key: str | None = Field(None, pattern=r"^[a-z0-9][a-z0-9_-]{0,63}$")
    contact: str
    kind: Literal["order", "booking", "renewal"] = "order"
    description: str = Field(min_length=1, max_length=300)
    amount: float = Field(0, ge=0, le=1_000_000)
    placed_on: date


class ComplaintSpec(_Spec):
    key: str = Slug
    contact: str
    channel: ChannelName
    category: str = Field(min_length=1, max_length=80)
    description: str = Field(min_length=1, max_length=4000)
    severity: Literal["low", "medium", "high"] = "medium"
    received_at: BusinessTime | None = None
    acknowledged: bool = False


class StandardSpec(_Spec):
    key: str = Slug
    title: str = Field(min_length=1, max_length=200)
    description: str = Field("", max_length=2000)
    measure: Literal[
        "complaint_ack_time",
        "complaint_resolution_time",
        "first_response_time",
        "follow_ups_on_time",
        "satisfaction_score",
        "manual",
    ]
    threshold: float | None = None
    threshold_unit: str = Field("", max_length=20)
    target_percent: float | None = Field(None, ge=0, le=100)
    period: Literal["week", "month", "quarter"] = "month"
    agreed_with: str = Field("", max_length=200)


class QuestionSpec(_Spec):
    kind: Literal[
        "rating_5", "recommend_0_10", "yes_no", "single_choice", "multiple_choice", "free_text"
    ]
    text: str = Field(min_length=1, max_length=300)
    options: list[str] = []


class SurveySpec(_Spec):
    key: str = Slug
    title: str = Field(min_length=1, max_length=200)
    method: Literal["survey", "comment_card", "interview", "focus_group", "suggestion_box"]
    purpose: str = Field("", max_length=2000)
    questions: list[QuestionSpec] = Field(min_length=1, max_length=20)
    send_to: dict[Literal["category", "segment"], str] | None = None


class Opening(_Spec):
    contacts: list[ContactSpec] = []
    interactions: list[InteractionSpec] = []
    needs: list[NeedSpec] = []
    complaints: list[ComplaintSpec] = []
    standards: list[StandardSpec] = []
    surveys: list[SurveySpec] = []
    orders: list[OrderSpec] = []


class Trigger(_Spec):
    """An event that follows a learner's action: `verb` from the action log, optionally on one
    named object (`key`)."""

    verb: str = Field(min_length=3, max_length=40)
    key: str | None = None


class EventSpec(_Spec):
    id: str = Slug
    at: BusinessTime | None = None
    after: Trigger | None = None
    delay: Duration | None = None
    kind: Literal[
        "inbound_interaction",
        "customer_chases",
        "customer_replies",
        "supervisor_replies",
        "internal_request",
        "note",
    ]
    contact: str | None = None
    complaint: str | None = None
    channel: ChannelName = "email"
    summary: str = Field(min_length=1, max_length=2000)

    @model_validator(mode="after")
    def _when(self) -> EventSpec:
        if (self.at is None) == (self.after is None):
            raise ValueError("an event happens either 'at' a sandbox time or 'after' an action")
        return self


class CheckSpec(_Spec):
    id: str = Slug
    type: str = Field(min_length=1, max_length=60)
    params: dict = {}
    feedback: str = Field(min_length=1, max_length=1000)
    criteria: list[str] = []
    mistakes: list[str] = []


# A task's hints come in tiers, opened in this order: a nudge (a question or a reminder of
# the principle), a pointer to the policy or record that holds the answer, then the step.
HintTier = Literal["nudge", "pointer", "step"]
HINT_TIERS: tuple[str, ...] = ("nudge", "pointer", "step")
HINT_TIER_LABELS = {
    "nudge": "Nudge",
    "pointer": "Pointer to the policy or record",
    "step": "The step",
}


def tier_by_position(index: int) -> str:
    """The tier of a hint written as a plain string: the 1st is a nudge, the 2nd a pointer,
    the 3rd and later the step."""
    return HINT_TIERS[min(index, len(HINT_TIERS) - 1)]


class HintSpec(_Spec):
    tier: HintTier
    text: str = Field(min_length=1, max_length=2000)

    @property
    def label(self) -> str:
        return HINT_TIER_LABELS[self.tier]


class HintCosts(_Spec):
    """What each hint used takes off the overall score, as a fraction of it (0.05 is 5
    percentage points), per tier. A check's pass or fail never depends on hints."""

    nudge: float = Field(0.0, ge=0, le=0.5)
    pointer: float = Field(0.0, ge=0, le=0.5)
    step: float = Field(0.0, ge=0, le=0.5)

    def of(self, tier: str) -> float:
        return float(getattr(self, tier, 0.0) or 0.0)

    @property
    def any(self) -> bool:
        return any(self.of(tier) for tier in HINT_TIERS)


class TaskSpec(_Spec):
    id: str = Slug
    title: str = Field(min_length=1, max_length=200)
    instruction: str = Field(min_length=1, max_length=4000)
    hints: list[HintSpec] = []
    checks: list[CheckSpec] = Field(min_length=1)

    @field_validator("hints", mode="before")
    @classmethod
    def _tiers_by_position(cls, value):
        """A hint given as a plain string takes its tier from its position."""
        if not isinstance(value, list):
            return value
        return [
            {"tier": tier_by_position(i), "text": hint} if isinstance(hint, str) else hint
            for i, hint in enumerate(value)
        ]

    @field_validator("hints")
    @classmethod
    def _in_tier_order(cls, value: list[HintSpec]) -> list[HintSpec]:
        for number, (before, hint) in enumerate(zip(value, value[1:], strict=False), start=2):
            if HINT_TIERS.index(hint.tier) < HINT_TIERS.index(before.tier):
                raise ValueError(
                    f"hint {number} is a {hint.tier} after a {before.tier}: a task's hints go "
                    "in tier order, nudge before pointer before step"
                )
        return value


class StepSpec(BaseModel):
    """One action of a model answer or walk-through: `do` names a step type; the other keys
    are its parameters, validated by that step type."""

    model_config = ConfigDict(extra="allow", frozen=True)
    do: str = Field(min_length=1, max_length=60)


class Walkthrough(_Spec):
    id: str = Slug
    title: str = Field(min_length=1, max_length=200)
    mistake: str
    steps: list[StepSpec] = Field(min_length=1)
    expect_failing: list[str] = Field(min_length=1)


class Variant(_Spec):
    """A competent variant: the competent thing done another valid way (another channel,
    order, wording, or extra work). It must pass every check."""

    id: str = Slug
    title: str = Field(min_length=1, max_length=200)
    differs: str = Field(min_length=1, max_length=1000)  # how it differs from the model answer
    steps: list[StepSpec] = Field(min_length=1)


# What a careless learner tries to get green without doing the competent thing.
GamingKind = Literal[
    "keyword_stuffing",  # the expected words, without the substance
    "box_ticking",  # marking something done or confirmed that nobody did or confirmed
    "doing_nothing",  # an untouched attempt, or only time passing
    "made_up_figures",  # numbers that are not the CRM's
    "wrong_order",  # acting before confirming, evaluating before the change could work
    "consent_afterwards",  # contact first, consent recorded later
    "bare_minimum",  # one-word messages, placeholders, the least that fills a form
    "wrong_values",  # the right kind of record with the wrong amount, type or person
]


class GamingAttempt(_Spec):
    """A gaming attempt: the minimum a careless learner tries for green. Every check it
    `targets` must fail (a pass there is a false pass)."""

    id: str = Slug
    title: str = Field(min_length=1, max_length=200)
    kind: GamingKind
    steps: list[StepSpec] = []  # empty: the untouched attempt
    targets: list[str] = Field(min_length=1)


class Scenario(_Spec):
    id: str = Slug
    title: str = Field(min_length=1, max_length=200)
    level: int = Field(2, ge=1, le=3)
    estimated_minutes: int = Field(ge=5, le=480)
    profile: Literal["retail", "leisure", "housing", "it_services"]
    seed: int = Field(ge=0, le=2**31 - 1)  # a database integer
    size: Literal["small", "standard", "large"] = "small"
    start: BusinessTime
    criteria: list[str] = Field(min_length=1)
    hint_costs: HintCosts = HintCosts()
    brief: str = Field(min_length=1, max_length=20000)
    opening: Opening = Opening()
    events: list[EventSpec] = []
    tasks: list[TaskSpec] = Field(min_length=1)
    model_answer: list[StepSpec] = Field(min_length=1)
    walkthroughs: list[Walkthrough] = Field(min_length=2)
    variants: list[Variant] = []
    gaming: list[GamingAttempt] = []

    @field_validator("start")
    @classmethod
    def _naive(cls, value: datetime) -> datetime:
        if value.tzinfo is not None:
            raise ValueError("give the start as business time without a time zone")
        return value

    def checks(self) -> list[tuple[TaskSpec, CheckSpec]]:
        return [(task, check) for task in self.tasks for check in task.checks]
