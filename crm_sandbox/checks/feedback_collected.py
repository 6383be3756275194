"""Check type `feedback_collected`: feedback gathered by enough methods and question types,
with answers actually received."""

from __future__ import annotations

from ..models import Answer, Question, Response, Survey
from ..wording import count_of
from . import CheckResult, Params, register
from ._helpers import as_log


class FeedbackCollected(Params):
    min_methods: int = 1
    methods: list[str] = []  # at least one of these must be used, if given
    question_kinds: list[str] = []  # each must have been answered in a collection counted
    min_responses: int = 1  # a collection counts once this many responses have arrived


@register("feedback_collected", FeedbackCollected)
def feedback_collected(state, log, scenario, p: FeedbackCollected) -> CheckResult:
    """Passes when collections made in this attempt that received at least `min_responses`
    responses (by the sandbox's now) use at least `min_methods` methods (one of `methods` if
    given), and each kind in `question_kinds` was answered in one of them. Creating or sending
    a collection that nobody answered gathers no feedback."""
    made = {i.object_id: i.seq for i in as_log(log).of("survey.created")}
    surveys = [s for s in state.all(Survey) if s.id in made]
    if not surveys:
        return CheckResult(False, "no feedback collection has been set up in this attempt yet.")
    ids = [s.id for s in surveys]
    arrived = state.all(Response, Response.survey_id.in_(ids), Response.responded_at <= state.now)
    counts: dict[int, int] = {}
    for r in arrived:
        counts[r.survey_id] = counts.get(r.survey_id, 0) + 1
    used = [s for s in surveys if counts.get(s.id, 0) >= p.min_responses]
    evidence = [made[s.id] for s in surveys]
    methods = {s.method for s in used}
    answered_ids = {
        a.question_id
        for a in state.all(Answer, Answer.response_id.in_([r.id for r in arrived]))
        if a.number is not None or a.text or a.choices
    }
    kinds = {
        q.kind
        for q in state.all(Question, Question.survey_id.in_([s.id for s in used]))
        if q.id in answered_ids
    }
    problems = []
    if not used:
        problems.append(
            f"{count_of(len(surveys), 'collection')} set up, but none has received answers yet"
        )
    elif len(methods) < p.min_methods:
        problems.append(
            f"answers received by {count_of(len(methods), 'method')}; {p.min_methods} are asked for"
        )
    if used and p.methods and not methods & set(p.methods):
        problems.append("the method the task asks for has received no answers")
    missing = [k for k in p.question_kinds if k not in kinds]
    if used and missing:
        problems.append(
            "no answers yet to a question of type "
            + ", ".join(k.replace("_", " ") for k in missing)
        )
    if problems:
        return CheckResult(
            False,
            "; ".join(problems)
            + ". Feedback is gathered when customers' answers are in the CRM (sent surveys "
            "fill up over the following days; cards and interviews are typed in).",
            evidence,
        )
    return CheckResult(
        True,
        f"answers received by {count_of(len(methods), 'method')} "
        f"({count_of(len(used), 'collection')}).",
        evidence,
    )
