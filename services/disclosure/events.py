"""The disclosure service's events: what was made public, and when (docs/events.md).

Every payload is public by design: it holds references, codes and business data
(an institution's name and address), never a person's name, phone or e-mail."""
from marshmallow import validate

from shared.events import Catalogue, Event, EventSchema, fields
from shared.vocabulary import DISTRICTS

District = lambda: fields.Str(required=True, validate=validate.OneOf(DISTRICTS))  # noqa: E731
Ref = lambda **kw: fields.Str(required=True, **kw)  # noqa: E731
Optional = lambda **kw: fields.Str(load_default=None, allow_none=True, **kw)  # noqa: E731
Reason = lambda: fields.Str(required=True, validate=validate.Length(min=2, max=500),  # noqa: E731
                            metadata={"description": "why; kept in the case's public history"})
CASE_KINDS = ("hazard_suspension", "blacklisted", "unlicensed", "violation", "complaint")
LISTS = ("white", "black")


class ListPublished(Event):
    """A district's white or black list batch, published by the registry, is now on the public site."""

    class Schema(EventSchema):
        district = District()
        list = fields.Str(required=True, validate=validate.OneOf(LISTS))
        batch_no = fields.Int(required=True)
        published_on = Optional(metadata={"description": "the registry's batch date (ISO)"})
        institution_ids = fields.List(fields.Str(), load_default=list)
        source_event_id = Optional(metadata={"description": "the registry's ListBatchPublished"})


class CaseExposed(Event):
    """A violation case is published, redacted: a hazard suspension, a black-listing, unlicensed
    operation, another major/critical finding (`violation`: prepaid fees, advertising,
    disguised academic training, art-exam rules…), a substantiated complaint, or a case a
    publisher published by hand (`decision.by_hand`)."""

    class Schema(EventSchema):
        case_id = Ref()
        institution_id = Optional()
        district = District()
        source_event_id = Ref(metadata={"description": "the finding event that started the case"})
        exposed_at = Ref(metadata={"description": "RFC 3339 time of publication"})
        kind = fields.Str(required=True, validate=validate.OneOf(CASE_KINDS))
        found_at = Optional(metadata={"description": "RFC 3339 time of the finding event"})
        seconds_to_publish = fields.Float(load_default=None, allow_none=True,
                                          metadata={"description": "exposed_at - found_at"})
        institution_name = fields.Str(load_default="")
        credit_code = Optional()
        address = fields.Str(load_default="")
        category = Optional(metadata={"description": "institution category"})
        finding = fields.Dict(load_default=dict, metadata={
            "description": "category, severity, item, department, inspection kind and modes"})
        decision = fields.Dict(load_default=dict, metadata={
            "description": "action (suspended | blacklisted | ordered_to_stop | ordered_to_rectify), "
                           "department, reason, at, by_hand"})


class CaseOutcomeRecorded(Event):
    """A published case got a later outcome (reinstated after rectification, black-listed, closed)."""

    class Schema(EventSchema):
        case_id = Ref()
        district = District()
        outcome = fields.Str(required=True, validate=validate.OneOf(
            ("reinstated", "blacklisted", "cleared", "closed")))
        at = Ref()
        department = Optional()
        reason = Optional()
        source_event_id = Optional()


class CaseCorrected(Event):
    """A publishing official corrected a published case's text."""

    class Schema(EventSchema):
        case_id = Ref()
        district = District()
        reason = Reason()
        changes = fields.Dict(required=True, metadata={"description": "field -> corrected text"})


class CaseWithdrawn(Event):
    """A publishing official withdrew a published case."""

    class Schema(EventSchema):
        case_id = Ref()
        district = District()
        reason = Reason()


class NoticePublished(Event):
    """A district notice (e.g. a district publicly named by the municipal office) is published."""

    class Schema(EventSchema):
        notice_id = Ref()
        district = District()
        kind = fields.Str(required=True, validate=validate.OneOf(("district_named",)))
        campaign_id = Optional()
        reasons = fields.List(fields.Str(), load_default=list)
        named_on = Optional()
        source_event_id = Optional()


CATALOGUE = Catalogue("disclosure", ListPublished, CaseExposed, CaseOutcomeRecorded,
                      CaseCorrected, CaseWithdrawn, NoticePublished)
