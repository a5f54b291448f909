"""The core tables (ARCHITECTURE.md): people and offices, case work, the audit trail.

Imports nothing of counselors or reports.
"""

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
from .official_calendar import OfficialCalendarDay, OfficialCalendarYear
from .people import OfficeMembership, RegistryOffice, User
from .sealed import SealedModel
from .sign_in import BackupCode, SignInSession, TotpDevice

__all__ = [
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
    "CounselingSession",
    "CounsellingResult",
    "FollowUp",
    "NoteAddendum",
    "NoteRevision",
    "OfficeMembership",
    "OfficialCalendarDay",
    "OfficialCalendarYear",
    "Outcome",
    "OutcomeKind",
    "Party",
    "Port",
    "Purpose",
    "Referral",
    "RegistryOffice",
    "SafetyScreen",
    "Satisfaction",
    "SealedModel",
    "Service",
    "SessionNote",
    "SignInSession",
    "TotpDevice",
    "User",
]
