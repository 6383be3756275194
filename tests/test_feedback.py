"""Feedback: design, send, simulated answers, analysis figures, findings and actions."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select

from crm_sandbox.extensions import db
from crm_sandbox.models import Answer, Contact, Response
from crm_sandbox.services import feedback, standards
from crm_sandbox.services.errors import ServiceError


@pytest.fixture
def crm(provision, ctx_for, frozen):
    sandbox = provision(size="standard")
    frozen(sandbox, "2026-03-09 09:00")
    return sandbox, ctx_for(sandbox), frozen


def survey_with_every_kind(ctx):
    survey = feedback.create_survey(
        ctx,
        {"title": "How did we do?", "method": "survey", "purpose": "Find out what regulars think"},
    )
    feedback.add_question(ctx, survey, "rating_5", "How satisfied are you overall?")
    feedback.add_question(ctx, survey, "recommend_0_10", "How likely are you to recommend us?")
    feedback.add_question(ctx, survey, "yes_no", "Did your order arrive on time?")
    feedback.add_question(
        ctx, survey, "single_choice", "How did you order?", "Online\nIn store\nBy phone"
    )
    feedback.add_question(
        ctx, survey, "multiple_choice", "What could we improve?", ["Delivery", "Prices", "Website"]
    )
    feedback.add_question(ctx, survey, "free_text", "Anything else you want to tell us?")
    return survey


def test_a_survey_needs_valid_questions(crm):
    _, ctx, _ = crm
    survey = feedback.create_survey(ctx, {"title": "Q", "method": "survey"})
    with pytest.raises(ServiceError, match="at least two options"):
        feedback.add_question(ctx, survey, "single_choice", "Pick one", "Only one")
    with pytest.raises(ServiceError, match="Question type must be one of"):
        feedback.add_question(ctx, survey, "essay", "Write")
    with pytest.raises(ServiceError, match="Add at least one question"):
        feedback.send_survey(ctx, survey, "external")


def test_sending_reaches_only_contacts_who_agreed_to_email(crm):
    sandbox, ctx, _ = crm
    survey = survey_with_every_kind(ctx)
    feedback.send_survey(ctx, survey, "external", "regular", days_open=10)
    consenting = db.session.scalars(
        select(Contact.id).where(
            Contact.sandbox_id == sandbox.id,
            Contact.category == "external",
            Contact.segment == "regular",
            Contact.consent_email.is_(True),
            Contact.merged_into_id.is_(None),
        )
    ).all()
    assert survey.recipients == len(consenting) > 0
    responders = set(
        db.session.scalars(select(Response.contact_id).where(Response.survey_id == survey.id))
    )
    assert responders and responders <= set(consenting)
    with pytest.raises(ServiceError, match="already been sent"):
        feedback.send_survey(ctx, survey, "external")


def test_answers_arrive_over_the_following_sandbox_days(crm):
    sandbox, ctx, at = crm
    survey = survey_with_every_kind(ctx)
    feedback.send_survey(ctx, survey, "external", "", days_open=10)
    assert feedback.analyse(ctx, survey).responses == 0
    at(sandbox, "2026-03-11 09:00")
    early = feedback.analyse(ctx, survey).responses
    at(sandbox, "2026-03-30 09:00")
    late = feedback.analyse(ctx, survey).responses
    assert 0 < early < late


def test_the_analysis_figures_match_the_answers(crm):
    sandbox, ctx, at = crm
    survey = survey_with_every_kind(ctx)
    feedback.send_survey(ctx, survey, "external", "", days_open=10)
    at(sandbox, "2026-03-30 09:00")
    analysis = feedback.analyse(ctx, survey)
    by_kind = {r.question.kind: r for r in analysis.questions}
    rows = db.session.execute(
        select(Answer.question_id, Answer.number, Answer.choices)
        .join(Response)
        .where(Response.survey_id == survey.id)
    ).all()
    numbers = {
        q.kind: [n for qid, n, _ in rows if qid == q.id and n is not None] for q in survey.questions
    }
    ratings = numbers["rating_5"]
    assert by_kind["rating_5"].average == round(sum(ratings) / len(ratings), 2)
    assert sum(n for _, n in by_kind["rating_5"].distribution) == len(ratings)
    recommend = numbers["recommend_0_10"]
    promoters = sum(1 for n in recommend if n >= 9)
    detractors = sum(1 for n in recommend if n <= 6)
    assert by_kind["recommend_0_10"].recommend_score == round(
        100 * (promoters - detractors) / len(recommend), 1
    )
    yes = numbers["yes_no"]
    assert by_kind["yes_no"].yes_percent == round(100 * sum(yes) / len(yes), 1)
    multi = by_kind["multiple_choice"]
    assert {label for label, _ in multi.distribution} == {"Delivery", "Prices", "Website"}
    assert analysis.response_rate == round(100 * analysis.responses / survey.recipients, 1)
    assert by_kind["free_text"].themes, "comments are grouped by theme"
    assert analysis.by_segment and all(n > 0 for _, n, _ in analysis.by_segment)


def test_the_same_seed_and_actions_give_the_same_answers(provision, ctx_for, frozen):
    figures = []
    for _ in range(2):
        sandbox = provision(size="standard")
        frozen(sandbox, "2026-03-09 09:00")
        ctx = ctx_for(sandbox)
        survey = survey_with_every_kind(ctx)
        feedback.send_survey(ctx, survey, "external", "key_account")
        frozen(sandbox, "2026-04-30 09:00")
        a = feedback.analyse(ctx, survey)
        figures.append(
            (
                a.responses,
                [r.average for r in a.questions],
                [r.recommend_score for r in a.questions],
                [r.distribution for r in a.questions],
            )
        )
    assert figures[0][0] > 0
    assert figures[0] == figures[1]


def test_known_comment_cards_give_known_figures(crm):
    sandbox, ctx, _ = crm
    cards = feedback.create_survey(ctx, {"title": "Comment cards, March", "method": "comment_card"})
    rating = feedback.add_question(ctx, cards, "rating_5", "How was your visit?")
    rec = feedback.add_question(ctx, cards, "recommend_0_10", "Would you recommend us?")
    text = feedback.add_question(ctx, cards, "free_text", "Comments")
    for r, n, t in (
        (5, 10, "Staff were lovely and helpful"),
        (4, 9, "Delivery was quick"),
        (2, 3, "The delivery was late and nobody called"),
        (1, 0, ""),
    ):
        feedback.record_response(ctx, cards, {rating.id: r, rec.id: n, text.id: t})
    analysis = feedback.analyse(ctx, cards)
    result = {r.question.id: r for r in analysis.questions}
    assert result[rating.id].average == 3.0
    assert result[rating.id].distribution == [("1", 1), ("2", 1), ("3", 0), ("4", 1), ("5", 1)]
    assert result[rec.id].recommend_score == 0.0  # 2 promoters, 2 detractors of 4
    themes = {t: n for t, n, _ in result[text.id].themes}
    assert themes.get("delivery") == 2
    with pytest.raises(ServiceError, match="from 1 to 5"):
        feedback.record_response(ctx, cards, {rating.id: 9})


def test_findings_link_to_evidence_and_actions_complete_the_cycle(crm):
    sandbox, ctx, at = crm
    survey = survey_with_every_kind(ctx)
    feedback.send_survey(ctx, survey, "external", "")
    at(sandbox, "2026-03-30 09:00")
    with pytest.raises(ServiceError, match="Link the finding to its evidence"):
        feedback.add_finding(ctx, survey, "Customers are unhappy")
    q = survey.questions[0]
    with pytest.raises(ServiceError, match="must be a number"):
        feedback.add_finding(ctx, survey, "Low", question_id=q.id, measure="average", figure="x")
    with pytest.raises(ServiceError, match="Say what the figure measures"):
        feedback.add_finding(ctx, survey, "Low", question_id=q.id, figure=2.8)
    with pytest.raises(ServiceError, match="worked out from one question"):
        feedback.add_finding(ctx, survey, "Low", measure="average", figure=2.8)
    computed = feedback.measure_value(
        ctx,
        {"source": "survey", "survey_id": survey.id, "question_id": q.id, "figure": "average"},
    ).value
    finding = feedback.add_finding(
        ctx,
        survey,
        "Customers rate us lowest here",
        question_id=q.id,
        measure="average",
        figure=round(computed, 1),
    )
    ev = finding.evidence
    assert ev["computed"] == computed and ev["agrees"] and ev["based_on"] > 0
    assert ev["respondents"]  # the customers behind the figure, for "you said, we did"
    wrong = feedback.add_finding(
        ctx, survey, "Made up", question_id=q.id, measure="average", figure=computed + 1
    )
    assert wrong.evidence["agrees"] is False  # recorded (the assessor sees it), not counted
    standard = standards.create_standard(
        ctx,
        {
            "title": "Call at-risk customers within 2 working days of a complaint",
            "measure": "follow_ups_on_time",
            "target_percent": 90,
            "period": "month",
        },
    )
    with pytest.raises(ServiceError, match="Say which standard or process"):
        feedback.add_action(
            ctx,
            finding,
            {
                "description": "Call them",
                "owner": "Team lead",
                "due_on": date(2026, 4, 10),
                "success_measure": "Average rating",
            },
        )
    with pytest.raises(ServiceError, match="up or down"):
        feedback.add_action(
            ctx,
            finding,
            {
                "description": "Call them",
                "owner": "Team lead",
                "due_on": date(2026, 4, 10),
                "process_changed": "Calls",
                "success_measure": "Average rating",
                "tracks": "finding",
            },
        )
    action = feedback.add_action(
        ctx,
        finding,
        {
            "description": "Phone every at-risk customer after any complaint",
            "owner": "Team lead",
            "due_on": date(2026, 4, 10),
            "standard_id": standard.id,
            "success_measure": "Average rating",
            "tracks": "finding",
            "aim": "up",
            "baseline": "2.8",
        },
    )
    assert action.baseline == computed and action.measure["stated_baseline"] == 2.8
    with pytest.raises(ServiceError, match="Mark the action as done"):
        feedback.evaluate_action(ctx, action, 3.5, "Better", "improved")
    feedback.complete_action(ctx, action)
    with pytest.raises(ServiceError, match="has not had time to work"):
        feedback.evaluate_action(ctx, action, 3.5, "Better", "improved")
    at(sandbox, "2026-04-10 09:00")
    for not_a_figure in ("nan", "Infinity", "-inf"):
        with pytest.raises(ServiceError, match="not NaN or Infinity") as refused:
            feedback.evaluate_action(ctx, action, not_a_figure, "Better", "improved")
        assert refused.value.field == "result" and action.status == "done"
    with pytest.raises(ServiceError, match="The baseline must be an ordinary number"):
        feedback.add_action(
            ctx,
            finding,
            {
                "description": "Again",
                "owner": "Team lead",
                "due_on": date(2026, 4, 10),
                "standard_id": standard.id,
                "success_measure": "Rating",
                "baseline": "inf",
            },
        )
    feedback.evaluate_action(ctx, action, None, "No new answers yet", "improved")
    # no responses arrived after the change: the CRM has no figure after it, and says so
    assert action.status == "evaluated" and action.result is None
    assert action.measure["verdict"] is None and action.measure["after_based_on"] == 0


def test_a_finding_linked_to_responses_outside_the_survey_is_refused(crm):
    _, ctx, _ = crm
    survey = survey_with_every_kind(ctx)
    for bogus in ([99999999999], [-1], [123456]):
        with pytest.raises(ServiceError, match="not part of this survey"):
            feedback.add_finding(ctx, survey, "Something", response_ids=bogus)
