"""The core tables (ARCHITECTURE.md): people and offices, case work, the audit trail.

Imports nothing of counselors or reports.
"""

from .api import ApiClient, ApiRateWindow, ApiScope
from .audit import AuditChainHead, AuditEvent
from .cases import (
    Case,
    CaseAssignment,
    CaseNumberCounter,
    CaseRelation,
    Category,
    ConsentRecord,
    ConsentText,
    CounselingSession,
    CounsellingResult,
    FollowUp,
    NoteAddendum,
    NoteRevision,
    Outcome,
    OutcomeKind,
    Party,
    Port,
    Purpose,
    Referral,
    SafetyScreen,
    Satisfaction,
    Service,
    SessionNote,
)
from .contact import ContactPreference, SmsMessage
from .notices import Notice, NoticeKind
from .official_calendar import OfficialCalendarDay, OfficialCalendarYear
from .people import OfficeMembership, RegistryOffice, User
from .registry import RegistryApplication, RegistryEvent, RegistryUpload, WalkInAnswer
from .sealed import SealedModel
from .sign_in import BackupCode, SignInSession, TotpDevice

__all__ = [
    "ApiClient",
    "ApiRateWindow",
    "ApiScope",
    "AuditChainHead",
    "AuditEvent",
    "BackupCode",
    "Case",
    "CaseAssignment",
    "CaseNumberCounter",
    "CaseRelation",
    "Category",
    "ConsentRecord",
    "ConsentText",
    "ContactPreference",
    "CounselingSession",
    "CounsellingResult",
    "FollowUp",
    "NoteAddendum",
    "NoteRevision",
    "Notice",
    "NoticeKind",
    "OfficeMembership",
    "OfficialCalendarDay",
    "OfficialCalendarYear",
    "Outcome",
    "OutcomeKind",
    "Party",
    "Port",
    "Purpose",
    "Referral",
    "RegistryApplication",
    "RegistryEvent",
    "RegistryOffice",
    "RegistryUpload",
    "SafetyScreen",
    "Satisfaction",
    "SealedModel",
    "Service",
    "SessionNote",
    "SmsMessage",
    "SignInSession",
    "TotpDevice",
    "User",
    "WalkInAnswer",
]
