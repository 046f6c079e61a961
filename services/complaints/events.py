"""The complaints service's events: wire shapes and versions (docs/events.md).

No event carries personal data: reporters' names, phone numbers, e-mail addresses,
descriptions and answers stay in the service's case files (encrypted where personal)."""
from marshmallow import validate

from shared.events import Catalogue, Event, EventSchema, fields
from shared.vocabulary import DEPARTMENTS, DISTRICTS

CHANNELS = ("web", "hotline", "email", "supervisor", "school_survey", "open311")
CATEGORIES = ("unlicensed", "not_white_listed", "disguised_academic", "prepaid_fee",
              "advertising", "safety_hazard", "art_exam", "other")
STAGES = ("acknowledge", "verify", "answer")
MATCHES = ("given", "credit_code", "name", "unlisted")

District = lambda: fields.Str(required=True, validate=validate.OneOf(DISTRICTS))  # noqa: E731
Category = lambda: fields.Str(required=True, validate=validate.OneOf(CATEGORIES))  # noqa: E731
Department = lambda: fields.Str(required=True, validate=validate.OneOf(DEPARTMENTS))  # noqa: E731
Ref = lambda **kw: fields.Str(required=True, **kw)  # noqa: E731
OptionalRef = lambda **kw: fields.Str(load_default=None, allow_none=True, **kw)  # noqa: E731
Instant = lambda **kw: fields.Str(required=True, **kw)  # noqa: E731  (RFC 3339, UTC)


class EvidenceRef(EventSchema):
    photo_id = Ref()
    sha256 = Ref(metadata={"description": "SHA-256 of the stored file"})
    content_type = Ref()
    size = fields.Int(required=True)


class Deadlines(EventSchema):
    acknowledge = Instant()
    verify = Instant()
    answer = Instant()


class ComplaintReceived(Event):
    """A report arrived on any channel (web, hotline, email, supervisor, school_survey, open311)."""
    class Schema(EventSchema):
        complaint_id = Ref()
        channel = fields.Str(required=True, validate=validate.OneOf(CHANNELS))
        district = District()
        category = Category()
        institution_id = OptionalRef(metadata={"description": "as given by the reporter"})
        institution_name = fields.Str(load_default="", metadata={"description": "a business's name"})
        credit_code = OptionalRef()
        address = fields.Str(load_default="", metadata={"description": "the reported site"})
        evidence = fields.List(fields.Nested(EvidenceRef), load_default=list)
        has_contact = fields.Bool(load_default=False, metadata={
            "description": "whether the reporter left contact details (kept encrypted, never here)"})
        supervisor_id = OptionalRef(metadata={"description": "the registered social supervisor"})
        report_id = OptionalRef(metadata={"description": "tasks' survey report (school_survey)"})
        received_at = Instant()


class ComplaintAssigned(Event):
    """Triage matched the institution and routed the complaint (again on a re-triage)."""
    class Schema(EventSchema):
        complaint_id = Ref()
        district = District()
        category = Category()
        institution_id = OptionalRef()
        institution_match = fields.Str(required=True, validate=validate.OneOf(MATCHES))
        institution_name = fields.Str(load_default=None, allow_none=True,
                                      metadata={"description": "corrected by triage, else null"})
        address = fields.Str(load_default=None, allow_none=True)
        lead_department = Department()
        handling_departments = fields.List(Department(), required=True)
        due = Instant(metadata={"description": "the answer deadline"})
        deadlines = fields.Nested(Deadlines, required=True)


class ComplaintMerged(Event):
    """A duplicate (same institution and matter) joined an open complaint; it follows that one."""
    class Schema(EventSchema):
        complaint_id = Ref()
        into = Ref(metadata={"description": "the complaint that is handled"})
        district = District()
        lead_department = Department()


class ComplaintAcknowledged(Event):
    """The lead or a handling department accepted the case (受理)."""
    class Schema(EventSchema):
        complaint_id = Ref()
        district = District()
        department = Department()


class VerificationRequested(Event):
    """The handler asks the inspection service to check the report on site."""
    class Schema(EventSchema):
        complaint_id = Ref()
        district = District()
        category = Category()
        institution_id = OptionalRef()
        institution_name = fields.Str(load_default="")
        address = fields.Str(load_default="")
        lead_department = Department()
        handling_departments = fields.List(Department(), load_default=list)
        focus = fields.List(fields.Str(), load_default=list, metadata={
            "description": "inspection topics (FindingRecorded categories) the check should cover"})
        check_departments = fields.List(Department(), load_default=list, metadata={
            "description": "departments making the check: the lead and those it asked to join "
                           "(empty in older events: the lead alone)"})
        modes = fields.List(fields.Str(), load_default=list, metadata={
            "description": "how the check is made besides unannounced: day, night, joint"})


class ComplaintVerified(Event):
    """The report was checked: by an inspection (inspection_id) or by the handler."""
    class Schema(EventSchema):
        complaint_id = Ref()
        district = District()
        category = Category()
        institution_id = OptionalRef()
        substantiated = fields.Bool(required=True)
        inspection_id = OptionalRef()


class ComplaintAnswered(Event):
    """The reporter's answer was written (visible with the tracking code)."""
    class Schema(EventSchema):
        complaint_id = Ref()
        district = District()
        category = Category()
        substantiated = fields.Bool(load_default=None, allow_none=True)
        via = OptionalRef(metadata={"description": "the handled complaint, for a merged one"})


class ComplaintReopened(Event):
    """The reporter was not satisfied and asked once to reopen; new deadlines run."""
    class Schema(EventSchema):
        complaint_id = Ref()
        district = District()
        requested_by = Ref(metadata={"description": "this complaint or a merged duplicate"})
        reopened_at = Instant()
        deadlines = fields.Nested(Deadlines, required=True)


class ComplaintClosed(Event):
    """The handler closed the answered case."""
    class Schema(EventSchema):
        complaint_id = Ref()
        district = District()
        via = OptionalRef()


class ComplaintOverdue(Event):
    """A stage (acknowledge, verify, answer) passed its deadline; emitted once per deadline."""
    class Schema(EventSchema):
        complaint_id = Ref()
        district = District()
        category = Category()
        stage = fields.Str(required=True, validate=validate.OneOf(STAGES))
        due = Instant()
        lead_department = Department()


class ComplaintEscalated(Event):
    """The first missed deadline escalated the case to the municipal office (once)."""
    class Schema(EventSchema):
        complaint_id = Ref()
        district = District()
        stage = fields.Str(required=True, validate=validate.OneOf(STAGES))
        escalated_to = fields.Str(required=True, validate=validate.OneOf(DISTRICTS))


class SupervisorRegistered(Event):
    """A social supervisor was registered for a district (name and phone stay encrypted)."""
    class Schema(EventSchema):
        supervisor_id = Ref()
        district = District()


class SupervisorRevoked(Event):
    """A social supervisor's reporting code was withdrawn."""
    class Schema(EventSchema):
        supervisor_id = Ref()
        district = District()


CATALOGUE = Catalogue(
    "complaints", ComplaintReceived, ComplaintAssigned, ComplaintMerged, ComplaintAcknowledged,
    VerificationRequested, ComplaintVerified, ComplaintAnswered, ComplaintReopened,
    ComplaintClosed, ComplaintOverdue, ComplaintEscalated, SupervisorRegistered,
    SupervisorRevoked)
