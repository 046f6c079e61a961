"""The inspection service's events: wire shapes and versions (docs/events.md).

Events carry references only: evidence files travel as SHA-256 hashes, never
as content, and no event names a person (descriptions must not either)."""
from marshmallow import validate

from shared.events import Catalogue, Event, EventSchema, fields
from shared.vocabulary import DEPARTMENTS, DISTRICTS, SEVERITIES

KINDS = ("self", "safety", "enforcement")
MODES = ("unannounced", "day", "night", "joint", "random_sample")
FOCUS = ("fire_safety", "premises", "prepaid_fee", "advertising", "art_exam", "unlicensed",
         "disguised_academic")
CATEGORIES = ("fire_safety", "premises", "unlicensed", "disguised_academic", "prepaid_fee",
              "advertising", "art_exam", "other")
OUTCOMES = ("no_violation", "violation_found")


def _described(field, text):
    field.metadata = {**field.metadata, "description": text}
    return field


def Ref(text="an aggregate id (UUID)"):
    return _described(fields.Str(required=True), text)


def OptionalRef(text):
    return _described(fields.Str(load_default=None, allow_none=True), text)


def District():
    return _described(fields.Str(required=True, validate=validate.OneOf(DISTRICTS)),
                      "GB/T 2260 district code")


def Severity(**kw):
    return _described(fields.Str(validate=validate.OneOf(SEVERITIES), **kw), "minor | major | critical")


def Words(choices, text):
    return _described(fields.List(fields.Str(validate=validate.OneOf(choices)), required=True), text)


def Hashes():
    return _described(fields.List(fields.Str(validate=validate.Regexp(r"^[0-9a-f]{64}$")),
                                  load_default=list),
                      "SHA-256 of evidence files kept by the service (GET /evidence/{sha256})")


class _Visit(EventSchema):
    inspection_id = Ref()
    institution_id = OptionalRef("the registry's institution id; null for an unregistered site")
    district = District()
    kind = _described(fields.Str(required=True, validate=validate.OneOf(KINDS)),
                      "self | safety | enforcement")
    modes = Words(MODES, "unannounced, day, night, joint, random_sample")
    departments = Words(DEPARTMENTS, "departments assigned to the check")
    focus = Words(FOCUS, "topics checked, e.g. fire_safety, prepaid_fee, unlicensed")
    source = OptionalRef("the complaint_id when the check verifies a complaint")
    source_type = _described(fields.Str(load_default=None, allow_none=True,
                                        validate=validate.OneOf(("complaint",))),
                             '"complaint" or null')
    site_name = OptionalRef("the business name of the site (not personal data)")
    site_address = OptionalRef("the business address of the site")
    sample_id = OptionalRef("the SampleDrawn that selected this institution, if any")
    scheduled_for = fields.Date(load_default=None, allow_none=True)
    officer_ids = _described(fields.List(fields.Str(), load_default=list),
                             "ids of the officers named (console accounts), never names; "
                             "their certificate numbers stay in the service")


def _with_no_officers(data):
    return {**data, "officer_ids": []}


class InspectionScheduled(Event):
    """An inspection (self, safety or enforcement check) was scheduled and assigned.

    v2: `officer_ids`, the officers assigned (empty in v1 events)."""
    VERSION = 2
    upcasters = {1: _with_no_officers}
    Schema = _Visit


class SelfInspectionAnswered(Event):
    """An institution (or its district on its behalf) answered a self-inspection checklist."""

    class Schema(EventSchema):
        inspection_id = Ref()
        institution_id = Ref()
        district = District()
        checklist = Ref("checklist id, e.g. fire_nine_rules")
        checklist_version = Ref("checklist version answered")
        answers = _described(fields.List(fields.Dict(), required=True),
                             "[{item, result: pass|fail|not_applicable, evidence: [sha256]}]")


def _without_description(data):
    return {key: value for key, value in data.items() if key != "description"}


class FindingRecorded(Event):
    """An inspector (or a self-inspection) recorded a finding against a checklist item.

    v2: the free-text description stays in the inspection service (it may name people)."""
    VERSION = 2
    upcasters = {1: _without_description}

    class Schema(EventSchema):
        inspection_id = Ref()
        finding_id = Ref()
        institution_id = OptionalRef("null for an unregistered site")
        district = District()
        item = Ref("checklist item id (GET /checklists)")
        checklist = Ref("checklist id and version, e.g. special_safety@2024.1")
        category = _described(fields.Str(required=True, validate=validate.OneOf(CATEGORIES)),
                              " | ".join(CATEGORIES))
        severity = Severity(required=True)
        suspend_immediately = fields.Bool(load_default=False)
        department = _described(fields.Str(required=True, validate=validate.OneOf(DEPARTMENTS)),
                                "department that found it")
        evidence = Hashes()


class HazardFound(Event):
    """A major/critical safety finding, or one marked "suspend immediately", at a registered institution."""

    class Schema(EventSchema):
        inspection_id = Ref()
        finding_id = Ref()
        institution_id = Ref()
        district = District()
        severity = Severity(required=True)
        item = Ref("checklist item id")
        category = fields.Str(required=True, validate=validate.OneOf(CATEGORIES))
        suspend_immediately = fields.Bool(required=True)
        department = fields.Str(required=True, validate=validate.OneOf(DEPARTMENTS))


class UnlicensedOperationFound(Event):
    """A site was found operating without the required licences (the registry black-lists it)."""

    class Schema(EventSchema):
        inspection_id = Ref()
        finding_id = Ref()
        institution_id = OptionalRef("null for an unregistered site")
        name = Ref("business name of the site")
        address = fields.Str(load_default="")
        district = District()


class PatrolLogImported(Event):
    """An institution's fire-patrol log was imported and checked for gaps over 2 hours."""

    class Schema(EventSchema):
        inspection_id = Ref()
        institution_id = OptionalRef("null for an unregistered site")
        district = District()
        sha256 = Ref("SHA-256 of the imported log file (kept as evidence)")
        period_from = fields.Date(required=True)
        period_to = fields.Date(required=True)
        opening_hours = Ref("HH:MM-HH:MM")
        patrols = fields.Int(required=True)
        gaps = fields.Int(required=True)


class InspectionCompleted(Event):
    """An inspection ended (a submitted self-inspection ends at once) with its outcome.

    v2: `officer_ids`, the officers present (empty in v1 events)."""
    VERSION = 2
    upcasters = {1: _with_no_officers}

    class Schema(_Visit):
        outcome = _described(fields.Str(required=True, validate=validate.OneOf(OUTCOMES)),
                             "no_violation | violation_found")
        findings_count = fields.Int(required=True)
        max_severity = Severity(load_default=None, allow_none=True)


class _Order(EventSchema):
    order_id = Ref()
    institution_id = Ref()
    district = District()
    carry_over = _described(fields.Bool(required=True), "from an earlier campaign")


class RectificationOrdered(Event):
    """A rectification order with its items and deadline (also an imported carry-over)."""

    class Schema(_Order):
        items = _described(fields.List(fields.Str(), required=True), "checklist item ids")
        deadline = fields.Date(required=True)
        inspection_id = OptionalRef("the inspection whose findings are to be rectified")
        finding_ids = fields.List(fields.Str(), load_default=list)
        campaign = OptionalRef("for a carry-over: the earlier campaign, e.g. 安全守护")


class RectificationReported(Event):
    """The institution reported its rectification done (optionally with evidence)."""

    class Schema(_Order):
        evidence = Hashes()


class RectificationVerified(Event):
    """A re-inspection found the rectification complete."""

    class Schema(_Order):
        department = fields.Str(required=True, validate=validate.OneOf(DEPARTMENTS))
        evidence = Hashes()


class RectificationFailed(Event):
    """A re-inspection found the rectification incomplete; a new deadline is set."""

    class Schema(_Order):
        department = fields.Str(required=True, validate=validate.OneOf(DEPARTMENTS))
        new_deadline = fields.Date(required=True)
        evidence = Hashes()


class RectificationOverdue(Event):
    """An order's deadline passed with no rectification reported (once per deadline)."""

    class Schema(_Order):
        deadline = fields.Date(required=True)


class SampleDrawn(Event):
    """Institutions drawn at random for checks; re-draw with the seed to audit the selection."""

    class Schema(EventSchema):
        sample_id = Ref()
        district = District()
        seed = Ref("the seed; anyone can re-draw with it")
        method = Ref("sha256-rank-v1: the `size` ids with the smallest sha256(seed + ':' + id)")
        size = fields.Int(required=True)
        population_size = fields.Int(required=True)
        population = _described(fields.List(fields.Str(), required=True),
                                "ids of every institution the draw chose from")
        population_digest = Ref("sha256 of the sorted population ids joined by newlines")
        institution_ids = _described(fields.List(fields.Str(), required=True),
                                     "the selected ids, in draw order")


CATALOGUE = Catalogue(
    "inspection", InspectionScheduled, SelfInspectionAnswered, FindingRecorded, HazardFound,
    UnlicensedOperationFound, PatrolLogImported, InspectionCompleted, RectificationOrdered,
    RectificationReported, RectificationVerified, RectificationFailed, RectificationOverdue,
    SampleDrawn)
