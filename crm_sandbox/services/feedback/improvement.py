"""Findings and improvement actions: what the feedback shows, linked to its evidence, and
the actions that follow from it, planned, done and evaluated against their baseline."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from sqlalchemy import Integer, bindparam, select

from ...models import (
    ActionStatus,
    Contact,
    Finding,
    ImprovementAction,
    Interaction,
    Question,
    Response,
    Segment,
    ServiceStandard,
    Survey,
    db,
)
from ...scoping import MAX_ID
from ...wording import date_text
from .. import action_log, standards, validation
from ..context import SandboxContext
from ..errors import ServiceError
from ..together import Record, prepared, rows
from . import figures


def add_finding(
    ctx: SandboxContext,
    survey: Survey,
    text: str,
    *,
    question_id=None,
    segment: str = "",
    theme: str = "",
    response_ids: list[int] | None = None,
    measure: str = "",
    figure=None,
    option: str = "",
) -> Finding:
    """Record what the feedback shows, citing its data: the collection, and a question, a
    segment, a theme of comments or particular responses. A figure the finding states is
    structured (what it measures and the number) and recorded beside the figure the CRM
    computes from the same data, with how many answers it rests on and who gave them."""
    ctx.require_writable()
    text = validation.text(text, "Finding", 2000, required=True, field="text")
    question = None
    if question_id:
        question = ctx.get(Question, question_id)
        if question.survey_id != survey.id:
            raise ServiceError("That question belongs to another survey.", "question_id")
    if segment:
        validation.choice(segment, Segment, "Segment", field="segment")
    ids = [int(i) for i in response_ids or []]
    if any(not 0 < i <= MAX_ID for i in ids):
        raise ServiceError("Some of those responses are not part of this survey.")
    if ids:
        found = set(
            db.session.scalars(
                select(Response.id).where(
                    Response.sandbox_id == ctx.sandbox_id,
                    Response.survey_id == survey.id,
                    Response.id.in_(ids),
                )
            )
        )
        if found != set(ids):
            raise ServiceError("Some of those responses are not part of this survey.")
    theme = validation.text(theme, "Theme", 40, field="theme")
    option = validation.text(option, "Option", 80, field="option")
    measure = (measure or "").strip()
    stated = None
    if figure not in (None, ""):
        stated = validation.number(
            figure,
            "The figure",
            -validation.MEASURE_LIMIT,
            validation.MEASURE_LIMIT,
            field="figure",
        )
        if not measure:
            raise ServiceError("Say what the figure measures.", "measure")
    if measure:
        figures.validate_figure(survey, measure, question, option, theme)
        if stated is None:
            raise ServiceError("Give the figure the finding states, as a number.", "figure")
    if not (question or segment or theme or ids or measure):
        raise ServiceError(
            "Link the finding to its evidence: a question, a segment, a theme "
            "of comments or a figure from the analysis.",
            "question_id",
        )
    computed = figures.compute(
        ctx, survey, measure, question=question, segment=segment, theme=theme, option=option
    )
    evidence = {
        "response_ids": ids,
        "theme": theme,
        "measure": measure,
        "option": option,
        "figure": stated,
        "computed": computed.value,
        "tolerance": figures.FIGURES[measure].tolerance if measure else None,
        "agrees": figures.agrees(measure, stated, computed.value) if measure else None,
        "based_on": computed.based_on,
        "respondents": computed.respondents,
        "as_of": ctx.now().isoformat(timespec="minutes"),
    }
    return save_finding(ctx, text, evidence, survey, question, segment)


def save_finding(
    ctx: SandboxContext, text: str, evidence: dict, survey=None, question=None, segment: str = ""
) -> Finding:
    """Save a finding and log it (`finding.recorded`): one from a feedback collection, or (with
    no survey) one from the loyalty report."""
    finding = Finding(
        sandbox_id=ctx.sandbox_id,
        survey_id=survey.id if survey else None,
        question_id=question.id if question else None,
        segment=segment,
        text=text,
        created_sbx=ctx.now(),
        evidence=evidence,
    )
    db.session.add(finding)
    db.session.flush()
    action_log.record(
        ctx,
        "finding.recorded",
        "finding",
        finding.id,
        after={
            "survey_id": finding.survey_id,
            "question_id": finding.question_id,
            "segment": segment,
            "text": text,
            "evidence": evidence,
        },
    )
    return finding


def _measure_for(ctx: SandboxContext, finding: Finding, data: dict) -> dict | None:
    """The structured measure an action is judged by, from the form or step: the finding's own
    figure, another figure from a collection's responses, or a standard's compliance."""
    tracks = data.get("tracks") or ""
    if not tracks:
        return None
    aim = data.get("aim") or ""
    if aim not in figures.AIMS:
        raise ServiceError("Say whether the measure should go up or down.", "aim")
    if tracks == "finding":
        ev = finding.evidence or {}
        if finding.survey_id is None or not ev.get("measure"):
            raise ServiceError(
                "This finding states no figure from a collection to track: choose another measure.",
                "tracks",
            )
        spec = {
            "source": "survey",
            "survey_id": finding.survey_id,
            "question_id": finding.question_id,
            "figure": ev["measure"],
            "segment": finding.segment or "",
            "option": ev.get("option") or "",
            "theme": ev.get("theme") or "",
        }
    elif tracks == "standard":
        standard_id = data.get("standard_id") or None
        if not standard_id:
            raise ServiceError("Choose the standard whose compliance measures it.", "standard_id")
        ctx.get(ServiceStandard, standard_id)
        spec = {"source": "standard", "standard_id": int(standard_id)}
    elif tracks == "question":
        question = ctx.get(Question, data.get("measure_question_id") or 0)
        survey = ctx.get(Survey, question.survey_id)
        segment = data.get("measure_segment") or ""
        if segment:
            validation.choice(segment, Segment, "Segment", field="measure_segment")
        option = data.get("measure_option") or ""
        theme = data.get("measure_theme") or ""
        figure = data.get("measure_figure") or ""
        figures.validate_figure(survey, figure, question, option, theme)
        spec = {
            "source": "survey",
            "survey_id": survey.id,
            "question_id": question.id,
            "figure": figure,
            "segment": segment,
            "option": option,
            "theme": theme,
        }
    else:
        raise ServiceError("Choose how the CRM will measure the change.", "tracks")
    spec["aim"] = aim
    return spec


def measure_value(
    ctx: SandboxContext, spec: dict, since: datetime | None = None, until: datetime | None = None
) -> figures.Figure:
    """The measure's figure from the CRM's records: the responses that arrived after `since`
    and by `until` (a collection's figure), or the standard's compliance over those days."""
    now = ctx.now()
    until = min(until or now, now)
    if spec["source"] == "standard":
        standard = ctx.get(ServiceStandard, spec["standard_id"])
        start = since.date() if since else until.date() - timedelta(days=90)
        result = standards.compliance(ctx, standard, start, until.date())
        return figures.Figure(result.value, len(result.decided))
    survey = ctx.get(Survey, spec["survey_id"])
    question = ctx.get(Question, spec["question_id"]) if spec.get("question_id") else None
    return figures.compute(
        ctx,
        survey,
        spec["figure"],
        question=question,
        segment=spec.get("segment") or "",
        theme=spec.get("theme") or "",
        option=spec.get("option") or "",
        since=since,
        until=until,
    )


def tolerance_of(spec: dict) -> float:
    """How far the measure must move to count as a change (a standard's compliance: 1 point)."""
    if spec["source"] == "standard":
        return 1.0
    return figures.FIGURES[spec["figure"]].tolerance


def verdict(spec: dict, baseline, after) -> str | None:
    """What the CRM's figures say: "improved", "no change" or "worse" (by the aim and the
    measure's tolerance); None when either figure is missing."""
    if baseline is None or after is None:
        return None
    change = float(after) - float(baseline)
    if spec.get("aim") == "down":
        change = -change
    if change > tolerance_of(spec) + figures.EPSILON:
        return "improved"
    if change < -tolerance_of(spec) - figures.EPSILON:
        return "worse"
    return "no change"


def add_action(ctx: SandboxContext, finding: Finding, data: dict) -> ImprovementAction:
    """Turn a finding into an improvement action: what changes, who owns it, by when, which
    standard or process it changes, and how success will be measured (in words, and as a
    measure the CRM computes, whose baseline it works out now)."""
    ctx.require_writable()
    due_on = data.get("due_on")
    if not isinstance(due_on, date):
        raise ServiceError("Give a due date for the action.", "due_on")
    if due_on < ctx.now().date():
        raise ServiceError("The due date cannot be in the past (sandbox time).", "due_on")
    standard_id = data.get("standard_id") or None
    if standard_id:
        ctx.get(ServiceStandard, standard_id)
    process_changed = validation.text(
        data.get("process_changed"), "Process changed", 300, field="process_changed"
    )
    if not standard_id and not process_changed:
        raise ServiceError("Say which standard or process the action changes.", "process_changed")
    stated = data.get("baseline")
    if stated not in (None, ""):
        stated = validation.number(
            stated,
            "The baseline",
            -validation.MEASURE_LIMIT,
            validation.MEASURE_LIMIT,
            field="baseline",
        )
    else:
        stated = None
    spec = _measure_for(ctx, finding, data)
    baseline = stated
    if spec is not None:
        before = measure_value(ctx, spec)
        if before.value is None:
            raise ServiceError(
                "The CRM has no figures for that measure yet, so there is no baseline to "
                "judge the change against: choose a measure with data behind it.",
                "tracks",
            )
        baseline = before.value
        spec.update(stated_baseline=stated, baseline_based_on=before.based_on)
    action = ImprovementAction(
        sandbox_id=ctx.sandbox_id,
        finding_id=finding.id,
        description=validation.text(
            data.get("description"), "Action", 2000, required=True, field="description"
        ),
        owner=validation.text(data.get("owner"), "Owner", 120, required=True, field="owner"),
        due_on=due_on,
        standard_id=int(standard_id) if standard_id else None,
        process_changed=process_changed,
        success_measure=validation.text(
            data.get("success_measure"),
            "How success is measured",
            500,
            required=True,
            field="success_measure",
        ),
        baseline=baseline,
        measure=spec,
        status=ActionStatus.PLANNED.value,
        created_sbx=ctx.now(),
    )
    db.session.add(action)
    db.session.flush()
    action_log.record(
        ctx,
        "improvement.planned",
        "improvement_action",
        action.id,
        after={
            "finding_id": finding.id,
            "description": action.description,
            "owner": action.owner,
            "due_on": due_on,
            "standard_id": action.standard_id,
            "success_measure": action.success_measure,
            "baseline": baseline,
            "measure": spec,
        },
    )
    return action


def complete_action(ctx: SandboxContext, action: ImprovementAction) -> ImprovementAction:
    """Mark a planned improvement action as done (it can then be evaluated)."""
    ctx.require_writable()
    if action.status != ActionStatus.PLANNED.value:
        raise ServiceError("This action is already done.")
    action.status = ActionStatus.DONE.value
    action.completed_sbx = ctx.now()
    db.session.flush()
    action_log.record(
        ctx, "improvement.done", "improvement_action", action.id, after={"status": action.status}
    )
    return action


OUTCOMES = ("improved", "no change", "worse")


def evaluate_action(
    ctx: SandboxContext, action: ImprovementAction, result, evaluation: str, outcome: str
) -> ImprovementAction:
    """Evaluate a completed action once its due date has come: the CRM recomputes the measure
    for the period since the change was made and records it beside the baseline, the figure
    the learner gave (if any) and their judgement (did the change work?)."""
    ctx.require_writable()
    if action.status == ActionStatus.PLANNED.value:
        raise ServiceError("Mark the action as done before evaluating it.")
    if action.status == ActionStatus.EVALUATED.value:
        raise ServiceError("This action has already been evaluated.")
    now = ctx.now()
    if now.date() < action.due_on:
        raise ServiceError(
            "The change has not had time to work yet: evaluate it on or after its due date "
            f"({date_text(action.due_on)}), against the measure you set."
        )
    stated = None
    if result not in (None, ""):
        stated = validation.number(
            result,
            "The measure's value now",
            -validation.MEASURE_LIMIT,
            validation.MEASURE_LIMIT,
            field="result",
        )
    if outcome not in OUTCOMES:
        raise ServiceError("Say whether things improved, did not change, or got worse.", "outcome")
    spec = dict(action.measure) if action.measure else None
    figure_after = stated
    if spec is not None:
        after = measure_value(ctx, spec, since=action.completed_sbx, until=now)
        figure_after = after.value
        spec.update(
            stated_result=stated,
            after_based_on=after.based_on,
            after_from=action.completed_sbx.isoformat(timespec="minutes"),
            after_to=now.isoformat(timespec="minutes"),
            verdict=verdict(spec, action.baseline, after.value),
        )
    elif stated is None:
        raise ServiceError("Give the measure's value now, as a number.", "result")
    action.result = figure_after
    action.measure = spec
    action.evaluation = validation.text(
        evaluation, "Evaluation", 2000, required=True, field="evaluation"
    )
    action.outcome = outcome
    action.status = ActionStatus.EVALUATED.value
    action.evaluated_sbx = now
    db.session.flush()
    action_log.record(
        ctx,
        "improvement.evaluated",
        "improvement_action",
        action.id,
        after={
            "baseline": action.baseline,
            "result": figure_after,
            "stated_result": stated,
            "outcome": outcome,
            "verdict": (spec or {}).get("verdict"),
            "evaluation": action.evaluation,
        },
    )
    return action


CONSENT_FIELD = {
    "email": "consent_email",
    "phone": "consent_phone",
    "sms": "consent_sms",
    "letter": "consent_post",
}


def tell_customers(
    ctx: SandboxContext,
    action: ImprovementAction,
    channel: str,
    words: str,
    contact_ids: list[int] | None = None,
) -> tuple[list[Interaction], list[Contact]]:
    """ "You said, we did": send the customers whose feedback the action's finding rests on
    (or some of them) a message saying what changed, on a channel each agreed to. Returns the
    messages sent and the customers skipped (no consent for that channel)."""
    from .. import conversations  # conversations imports the feedback package's models only

    ctx.require_writable()
    if channel not in CONSENT_FIELD:
        raise ServiceError("Choose email, phone, text message or letter.", "channel")
    finding = action.finding
    behind = list((finding.evidence or {}).get("respondents") or [])
    if not behind:
        raise ServiceError(
            "No customer on record gave the feedback this finding rests on, so there is "
            "nobody to tell what changed."
        )
    chosen = [int(i) for i in contact_ids] if contact_ids else behind
    if set(chosen) - set(behind):
        raise ServiceError("Tell the customers who gave this feedback.", "contacts")
    words = validation.text(words, "Message", 2000, required=True, field="words")
    sent, skipped = [], []
    for contact_id in chosen:
        contact = ctx.get(Contact, contact_id)
        if contact.merged_into_id is not None or not getattr(contact, CONSENT_FIELD[channel]):
            skipped.append(contact)
            continue
        sent.append(
            conversations.send_message(
                ctx,
                contact,
                {
                    "channel": channel,
                    "purpose": "follow_up",
                    "summary": words,
                    "survey_id": finding.survey_id,
                },
            )
        )
    if not sent:
        raise ServiceError(
            "None of these customers agreed to be contacted that way: choose a channel they "
            "agreed to.",
            "channel",
        )
    action_log.record(
        ctx,
        "improvement.customers_told",
        "improvement_action",
        action.id,
        after={
            "finding_id": finding.id,
            "channel": channel,
            "interaction_ids": [i.id for i in sent],
            "contact_ids": [i.contact_id for i in sent],
            "skipped_contact_ids": [c.id for c in skipped],
        },
    )
    return sent, skipped


def _findings_select(sandbox_id, survey_id=None, *columns):
    """The sandbox's feedback findings (of one survey when `survey_id` is given; ids, or
    `bindparam`s for a prepared read): the whole `Finding`, or the `columns` given."""
    query = select(*(columns or (Finding,))).where(Finding.sandbox_id == sandbox_id)
    if survey_id is not None:
        query = query.where(Finding.survey_id == survey_id)
    return query


def findings(ctx: SandboxContext, survey: Survey | None = None) -> list[Finding]:
    """The sandbox's feedback findings in the order recorded, of one survey when one is given."""
    query = _findings_select(ctx.sandbox_id, survey.id if survey is not None else None)
    return list(db.session.scalars(query.order_by(Finding.id)))


def actions(ctx: SandboxContext) -> list[ImprovementAction]:
    """Every improvement action in the sandbox, soonest due first."""
    return list(
        db.session.scalars(
            select(ImprovementAction)
            .where(ImprovementAction.sandbox_id == ctx.sandbox_id)
            .order_by(ImprovementAction.due_on, ImprovementAction.id)
        )
    )


# What a page shows of a finding (`_finding_figure.html` reads its evidence).
FINDING_COLUMNS = (
    Finding.id,
    Finding.survey_id,
    Finding.question_id,
    Finding.segment,
    Finding.text,
    Finding.evidence,
)


def finding_reads(sandbox_id, survey_id=None) -> rows:
    """The findings of `findings()` as a read of `read_together`, in the order recorded
    (ids, or `bindparam`s for a prepared read)."""
    return rows(_findings_select(sandbox_id, survey_id, *FINDING_COLUMNS), order_by=[Finding.id])


def plan_choice_reads(sandbox_id) -> dict[str, rows]:
    """The choices of the form planning an improvement action, as reads of `read_together`
    (in a sandbox: its id, or a `bindparam` for it): the `standards` it may change and the
    survey `questions` whose figure may measure it."""
    return {
        "standards": rows(
            select(ServiceStandard.id, ServiceStandard.title).where(
                ServiceStandard.sandbox_id == sandbox_id
            ),
            order_by=[ServiceStandard.id],
        ),
        "questions": rows(
            select(Question.id, Question.position, Question.text, Survey.title)
            .join(Survey, Survey.id == Question.survey_id)
            .where(Question.sandbox_id == sandbox_id, Survey.sandbox_id == sandbox_id),
            order_by=[Survey.id, Question.position],
        ),
    }


@prepared
def _plan_choice_reads() -> dict:
    return plan_choice_reads(bindparam("sandbox_id", type_=Integer))


def plan_choices(ctx: SandboxContext) -> dict[str, list[Record]]:
    """The choices of the form planning an improvement action (`plan_choice_reads`)."""
    return _plan_choice_reads().run(sandbox_id=ctx.sandbox_id)


@prepared
def _improvement_page_reads() -> dict:
    """`improvement_page`'s reads, for any sandbox (its parameter: `sandbox_id`)."""
    sandbox_id = bindparam("sandbox_id", type_=Integer)
    return {
        "findings": finding_reads(sandbox_id),
        "actions": rows(
            select(
                ImprovementAction.id,
                ImprovementAction.finding_id,
                ImprovementAction.description,
                ImprovementAction.owner,
                ImprovementAction.due_on,
                ImprovementAction.process_changed,
                ImprovementAction.success_measure,
                ImprovementAction.baseline,
                ImprovementAction.measure,
                ImprovementAction.status,
                ImprovementAction.evaluation,
                ImprovementAction.result,
                ImprovementAction.outcome,
            ).where(ImprovementAction.sandbox_id == sandbox_id),
            order_by=[ImprovementAction.id],
        ),
        **plan_choice_reads(sandbox_id),
    }


def improvement_page(ctx: SandboxContext) -> dict:
    """The findings and improvement plan, read in one statement: the `findings` (each with
    its `actions`, in the order planned) and the form's choices (`plan_choice_reads`)."""
    parts = _improvement_page_reads().run(sandbox_id=ctx.sandbox_id)
    of_finding: dict[int, list[Record]] = {}
    for action in parts.pop("actions"):
        of_finding.setdefault(action.finding_id, []).append(action)
    parts["findings"] = [
        Record(**f._asdict(), actions=of_finding.get(f.id, [])) for f in parts["findings"]
    ]
    return parts
