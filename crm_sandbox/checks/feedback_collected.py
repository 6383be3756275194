"""Check type `feedback_collected`: feedback gathered by enough methods and question types."""

from __future__ import annotations

from ..models import Question, Survey
from ..wording import count_of
from . import CheckResult, Params, register
from ._helpers import as_log


class FeedbackCollected(Params):
    min_methods: int = 1
    methods: list[str] = []  # at least one of these must be used, if given
    question_kinds: list[str] = []  # each must appear in a collection made in this attempt
    sent_or_recorded: bool = True  # a survey sent, or responses recorded by hand


@register("feedback_collected", FeedbackCollected)
def feedback_collected(state, log, scenario, p: FeedbackCollected) -> CheckResult:
    """Passes when collections made in this attempt use at least `min_methods` methods (one of
    `methods` if given) and every kind in `question_kinds`, and were actually used."""
    log = as_log(log)
    made = {i.object_id: i.seq for i in log.of("survey.created")}
    used = {i.object_id for i in log.of("survey.sent", "survey.response_recorded")}
    surveys = [s for s in state.all(Survey) if s.id in made]
    if p.sent_or_recorded:
        surveys = [s for s in surveys if s.id in used]
    methods = {s.method for s in surveys}
    kinds = {q.kind for q in state.all(Question, Question.survey_id.in_([s.id for s in surveys]))}
    evidence = [made[s.id] for s in surveys]
    problems = []
    if len(methods) < p.min_methods:
        problems.append(f"{count_of(len(methods), 'method')} used, {p.min_methods} needed")
    if p.methods and not methods & set(p.methods):
        problems.append("use one of: " + ", ".join(m.replace("_", " ") for m in p.methods))
    missing = [k for k in p.question_kinds if k not in kinds]
    if missing:
        problems.append("no question of type " + ", ".join(k.replace("_", " ") for k in missing))
    if p.sent_or_recorded and not surveys:
        problems.append("nothing was sent or recorded")
    if problems:
        return CheckResult(False, "; ".join(problems) + ".", evidence)

    return CheckResult(
        True,
        f"{count_of(len(surveys), 'collection')}, {count_of(len(methods), 'method')}.",
        evidence,
    )
