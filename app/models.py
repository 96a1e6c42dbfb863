"""Every model of every domain, imported in one place (for Alembic and the factory)."""

from app.auth.models import ApiToken, Role, User, UserRole
from app.catalog.models import CatalogSource, HarvestRun, LessonPlanItem, MergeSplit, Resource, ResourceOrigin
from app.core.audit import AuditEntry
from app.live.models import (
    ChatMessage,
    CheckIn,
    CheckInWindow,
    ConfusionMark,
    HandRaise,
    LessonRoomState,
    Mute,
    Poll,
    PollAnswer,
    PresenceInterval,
    RollCall,
)
from app.notify.models import Notification
from app.orgs.models import Course, OrgUnit, Stage, Term, UnitKind
from app.participation.models import (
    AttendanceRecord,
    ContactLog,
    ResourceProgress,
    ResourceStudyDay,
    StatementOutbox,
    StudyTimeFlag,
)
from app.reports.models import DailyReport, LessonClassRollup, LessonRollup, StaleRange, StudentDayRollup
from app.schedule.calendar_models import CalendarFeed
from app.schedule.models import LiveSeries, LiveSession, PolicyException, PolicySetting, SessionStatus

__all__ = [
    "ApiToken",
    "AttendanceRecord",
    "AuditEntry",
    "CalendarFeed",
    "CatalogSource",
    "ChatMessage",
    "CheckIn",
    "CheckInWindow",
    "ConfusionMark",
    "ContactLog",
    "Course",
    "DailyReport",
    "HandRaise",
    "HarvestRun",
    "LessonPlanItem",
    "LessonClassRollup",
    "LessonRollup",
    "LessonRoomState",
    "LiveSeries",
    "LiveSession",
    "MergeSplit",
    "Mute",
    "Notification",
    "OrgUnit",
    "PolicyException",
    "PolicySetting",
    "Poll",
    "PollAnswer",
    "PresenceInterval",
    "Resource",
    "ResourceOrigin",
    "ResourceProgress",
    "ResourceStudyDay",
    "Role",
    "RollCall",
    "SessionStatus",
    "StaleRange",
    "StatementOutbox",
    "Stage",
    "StudentDayRollup",
    "StudyTimeFlag",
    "Term",
    "UnitKind",
    "User",
    "UserRole",
]
