"""The data model: a module per aggregate. Importing this package registers every table."""

from .action_log import ActionLogEntry
from .assessment import (
    AuthoredScenario,
    Decision,
    EqaGrant,
    Judgement,
    QualityReview,
    SamplingPlan,
)
from .background_jobs import BackgroundJob, JobStatus
from .base import Base, db
from .complaints import Complaint, ComplaintEvent, Level, SandboxCounter, Severity, Stage
from .contacts import (
    AccountType,
    Category,
    ConfirmationMethod,
    Contact,
    Lifecycle,
    Need,
    NeedType,
    Preference,
    Segment,
)
from .feedback import (
    ActionStatus,
    Answer,
    Finding,
    ImprovementAction,
    Method,
    Question,
    QuestionKind,
    Response,
    Survey,
    SurveyStatus,
)
from .groups import Group, group_assessors, group_members
from .imports import ImportJob, ImportStatus
from .interactions import (
    AnswerKind,
    Channel,
    Direction,
    Initiative,
    Interaction,
    Purpose,
    Questioning,
)
from .lti import (
    LtiAttemptLink,
    LtiContext,
    LtiIdentity,
    LtiLaunchValue,
    LtiRefusal,
    LtiRegistration,
    LtiResourceLink,
)
from .orders import Order, OrderKind
from .outbox import OutboxMessage, OutboxStatus
from .privacy import Erasure, FormSubmission
from .sandboxes import Organisation, Sandbox, SandboxKind, SandboxScoped
from .scenarios import Assignment, Attempt, AttemptStatus
from .staff_audit import StaffAuditEntry
from .standards import (
    Measure,
    Measurement,
    Period,
    ServiceStandard,
    StandardFinding,
    StandardStatus,
)
from .users import Role, User, UserSession

__all__ = [
    "BackgroundJob",
    "JobStatus",
    "Erasure",
    "LtiAttemptLink",
    "LtiContext",
    "LtiIdentity",
    "LtiLaunchValue",
    "LtiRefusal",
    "LtiRegistration",
    "LtiResourceLink",
    "OutboxMessage",
    "OutboxStatus",
    "ImportJob",
    "ImportStatus",
    "FormSubmission",
    "AuthoredScenario",
    "Decision",
    "EqaGrant",
    "SamplingPlan",
    "Judgement",
    "QualityReview",
    "Assignment",
    "Attempt",
    "AttemptStatus",
    "ActionStatus",
    "Answer",
    "Complaint",
    "ComplaintEvent",
    "Finding",
    "ImprovementAction",
    "Level",
    "Measure",
    "Measurement",
    "Method",
    "Period",
    "Question",
    "QuestionKind",
    "Response",
    "SandboxCounter",
    "ServiceStandard",
    "StaffAuditEntry",
    "Severity",
    "Stage",
    "StandardFinding",
    "StandardStatus",
    "Survey",
    "SurveyStatus",
    "AccountType",
    "ActionLogEntry",
    "Category",
    "Channel",
    "ConfirmationMethod",
    "Contact",
    "Direction",
    "Initiative",
    "Interaction",
    "Lifecycle",
    "Need",
    "NeedType",
    "AnswerKind",
    "Purpose",
    "Questioning",
    "Order",
    "OrderKind",
    "Organisation",
    "Preference",
    "Sandbox",
    "SandboxKind",
    "SandboxScoped",
    "Segment",
    "Base",
    "db",
    "Group",
    "group_assessors",
    "group_members",
    "Role",
    "User",
    "UserSession",
]
