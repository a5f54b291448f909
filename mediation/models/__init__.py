"""The core tables (ARCHITECTURE.md): people and offices, case work, the audit trail.

Imports nothing of counselors or reports.
"""

from .api import ApiClient, ApiRateWindow, ApiScope
from .attachments import Attachment
from .audit import AuditChainHead, AuditEvent, AuditLink, AuditPending
from .cases import (
    CancelReason,
    Case,
    CaseAssignment,
    CaseNumberCounter,
    CaseRelation,
    Category,
    CounselingSession,
    CounsellingResult,
    FollowUp,
    Outcome,
    OutcomeKind,
    Party,
    Port,
    Referral,
    SafetyScreen,
    Satisfaction,
    Service,
)
from .consent import ConsentRecord, ConsentSignature, ConsentText, Purpose
from .contact import ContactPreference, SmsMessage
from .notes import NoteAddendum, NoteDraft, NoteRevision, SessionNote
from .notices import Notice, NoticeKind
from .official_calendar import OfficialCalendarDay, OfficialCalendarYear
from .people import OfficeMembership, RegistryOffice, Room, User
from .privacy import (
    IdentityCorrection,
    LegalHold,
    PersonRequest,
    PrivacyDocument,
    ScrubPending,
)
from .registry import RegistryApplication, RegistryEvent, RegistryUpload, WalkInAnswer
from .sealed import SealedModel
from .sign_in import BackupCode, SignInSession, TotpDevice

__all__ = [
    "ApiClient",
    "ApiRateWindow",
    "ApiScope",
    "Attachment",
    "AuditChainHead",
    "AuditEvent",
    "AuditLink",
    "AuditPending",
    "BackupCode",
    "CancelReason",
    "Case",
    "CaseAssignment",
    "CaseNumberCounter",
    "CaseRelation",
    "Category",
    "ConsentRecord",
    "ConsentSignature",
    "ConsentText",
    "ContactPreference",
    "CounselingSession",
    "CounsellingResult",
    "FollowUp",
    "IdentityCorrection",
    "LegalHold",
    "NoteAddendum",
    "NoteDraft",
    "NoteRevision",
    "Notice",
    "NoticeKind",
    "OfficeMembership",
    "OfficialCalendarDay",
    "OfficialCalendarYear",
    "Outcome",
    "OutcomeKind",
    "Party",
    "PersonRequest",
    "Port",
    "PrivacyDocument",
    "Purpose",
    "Referral",
    "RegistryApplication",
    "RegistryEvent",
    "RegistryOffice",
    "RegistryUpload",
    "Room",
    "SafetyScreen",
    "Satisfaction",
    "ScrubPending",
    "SealedModel",
    "Service",
    "SessionNote",
    "SignInSession",
    "SmsMessage",
    "TotpDevice",
    "User",
    "WalkInAnswer",
]
