"""Findings and improvement actions: what the feedback shows, linked to its evidence, and
the actions that follow from it, planned, done and evaluated against their baseline."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select

from ...models import (
    ActionStatus,
    Finding,
    ImprovementAction,
    Question,
    Response,
    Segment,
    ServiceStandard,
    Survey,
    db,
)
from ...scoping import MAX_ID
from .. import action_log, validation
from ..context import SandboxContext
from ..errors import ServiceError


def add_finding(
    ctx: SandboxContext,
    survey: Survey,
    text: str,
    *,
    question_id=None,
    segment: str = "",
    theme: str = "",
    response_ids: list[int] | None = None,
    figure: str = "",
) -> Finding:
    """Record what the feedback shows, linked to its evidence: a question, a segment, a theme
    of comments or particular responses."""
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
    figure = validation.text(figure, "Figure", 200, field="figure")
    if not (question or segment or theme or ids or figure):
        raise ServiceError(
            "Link the finding to its evidence: a question, a segment, a theme "
            "of comments or a figure from the analysis.",
            "question_id",
        )
    finding = Finding(
        sandbox_id=ctx.sandbox_id,
        survey_id=survey.id,
        question_id=question.id if question else None,
        segment=segment,
        text=text,
        created_sbx=ctx.now(),
        evidence={"response_ids": ids, "theme": theme, "figure": figure},
    )
    db.session.add(finding)
    db.session.flush()
    action_log.record(
        ctx,
        "finding.recorded",
        "finding",
        finding.id,
        after={
            "survey_id": survey.id,
            "question_id": finding.question_id,
            "segment": segment,
            "text": text,
            "evidence": finding.evidence,
        },
    )
    return finding


def add_action(ctx: SandboxContext, finding: Finding, data: dict) -> ImprovementAction:
    """Turn a finding into an improvement action: what changes, who owns it, by when, which
    standard or process it changes, and how success will be measured."""
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
    baseline = data.get("baseline")
    if baseline not in (None, ""):
        baseline = validation.number(
            baseline,
            "The baseline",
            -validation.MEASURE_LIMIT,
            validation.MEASURE_LIMIT,
            field="baseline",
        )
    else:
        baseline = None
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
    """Evaluate a completed action: the measure's new value against its baseline, and what
    that says (did the change work?)."""
    ctx.require_writable()
    if action.status == ActionStatus.PLANNED.value:
        raise ServiceError("Mark the action as done before evaluating it.")
    if result in (None, ""):
        raise ServiceError("Give the measure's value now, as a number.", "result")
    result_value = validation.number(
        result,
        "The measure's value now",
        -validation.MEASURE_LIMIT,
        validation.MEASURE_LIMIT,
        field="result",
    )
    if outcome not in OUTCOMES:
        raise ServiceError("Say whether things improved, did not change, or got worse.", "outcome")
    action.result = result_value
    action.evaluation = validation.text(
        evaluation, "Evaluation", 2000, required=True, field="evaluation"
    )
    action.outcome = outcome
    action.status = ActionStatus.EVALUATED.value
    action.evaluated_sbx = ctx.now()
    db.session.flush()
    action_log.record(
        ctx,
        "improvement.evaluated",
        "improvement_action",
        action.id,
        after={
            "baseline": action.baseline,
            "result": result_value,
            "outcome": outcome,
            "evaluation": action.evaluation,
        },
    )
    return action


def findings(ctx: SandboxContext, survey: Survey | None = None) -> list[Finding]:
    """The sandbox's feedback findings in the order recorded, of one survey when one is given."""
    query = select(Finding).where(Finding.sandbox_id == ctx.sandbox_id)
    if survey is not None:
        query = query.where(Finding.survey_id == survey.id)
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
