"""The registry's events: wire shapes and versions (docs/events.md)."""
from marshmallow import validate

from shared.events import Catalogue, Event, EventSchema, fields
from shared.vocabulary import CATEGORIES, DEPARTMENTS, DISTRICTS, LICENCE_KINDS

District = lambda: fields.Str(required=True, validate=validate.OneOf(DISTRICTS))  # noqa: E731
Ref = lambda: fields.Str(required=True)  # noqa: E731
Cause = lambda: fields.Str(load_default=None, allow_none=True)  # noqa: E731


class InstitutionRegistered(Event):
    """An institution entered the registry (registrar, or bulk import)."""

    class Schema(EventSchema):
        institution_id = Ref()
        name = fields.Str(required=True)
        credit_code = fields.Str(required=True)
        district = District()
        category = fields.Str(required=True, validate=validate.OneOf(CATEGORIES))
        supervising_department = fields.Str(required=True, validate=validate.OneOf(DEPARTMENTS))
        address = fields.Str(load_default="")
        national_platform_id = fields.Str(load_default=None, allow_none=True)


class LicenceRecorded(Event):
    """A licence was recorded or renewed for an institution."""

    class Schema(EventSchema):
        institution_id = Ref()
        kind = fields.Str(required=True, validate=validate.OneOf(LICENCE_KINDS))
        number = fields.Str(required=True)
        valid_until = fields.Date(required=True)


class LicenceExpired(Event):
    """A licence passed its validity date (flagged by the periodic check)."""

    class Schema(EventSchema):
        institution_id = Ref()
        kind = fields.Str(required=True, validate=validate.OneOf(LICENCE_KINDS))
        valid_until = fields.Date(required=True)


class InstitutionSuspended(Event):
    """Suspended for rectification (停业整改): by hand, or at once on a major/critical hazard."""

    class Schema(EventSchema):
        institution_id = Ref()
        district = District()
        reason = fields.Str(required=True)
        source_event_id = Cause()


class InstitutionReinstated(Event):
    """Reinstated after rectification was verified (or by hand)."""

    class Schema(EventSchema):
        institution_id = Ref()
        district = District()
        source_event_id = Cause()


class InstitutionClosed(Event):
    """The institution closed; it stays in the registry's history."""

    class Schema(EventSchema):
        institution_id = Ref()
        district = District()
        reason = fields.Str(required=True)


class BlacklistReviewOpened(Event):
    """A black-list review was opened (a hazard, a complaint, a registrar's decision)."""

    class Schema(EventSchema):
        review_id = Ref()
        institution_id = Ref()
        district = District()
        reason = fields.Str(required=True)
        source_event_id = Cause()


class BlacklistReviewDecided(Event):
    """The supervising department decided the review: cleared or black-listed."""

    class Schema(EventSchema):
        review_id = Ref()
        institution_id = Ref()
        district = District()
        decision = fields.Str(required=True, validate=validate.OneOf(("cleared", "blacklisted")))
        reason = fields.Str(required=True)
        department = fields.Str(load_default=None, allow_none=True)
        # was there for consumers that got the opening after the decision; with one
        # queue per source they get it first, but integrators may read it: kept
        source_event_id = fields.Str(load_default=None, allow_none=True, metadata={
            "description": "what opened the review (its BlacklistReviewOpened's source_event_id, "
                           "which comes before this event); null when opened by hand; absent "
                           "from older events"})


class ListBatchPublished(Event):
    """A numbered batch of a district's white or black list was published."""

    class Schema(EventSchema):
        district = District()
        list = fields.Str(required=True, validate=validate.OneOf(("white", "black")))
        batch_no = fields.Int(required=True)
        institution_ids = fields.List(fields.Str(), required=True)
        published_on = fields.Date(load_default=None, allow_none=True)


class ListFiled(Event):
    """A published batch was filed with the municipal office."""

    class Schema(EventSchema):
        district = District()
        list = fields.Str(required=True, validate=validate.OneOf(("white", "black")))
        batch_no = fields.Int(required=True)


CATALOGUE = Catalogue(
    "registry", InstitutionRegistered, LicenceRecorded, LicenceExpired, InstitutionSuspended,
    InstitutionReinstated, InstitutionClosed, BlacklistReviewOpened, BlacklistReviewDecided,
    ListBatchPublished, ListFiled)
