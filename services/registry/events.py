"""The registry's events: wire shapes and versions (docs/events.md)."""
from marshmallow import validate

from shared.events import Catalogue, Event, EventSchema, fields
from shared.vocabulary import CATEGORIES, DEPARTMENTS, DISTRICTS, LICENCE_KINDS

District = lambda: fields.Str(required=True, validate=validate.OneOf(DISTRICTS))  # noqa: E731
Ref = lambda: fields.Str(required=True)  # noqa: E731
Cause = lambda: fields.Str(load_default=None, allow_none=True)  # noqa: E731


class InstitutionRegistered(Event):
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
    class Schema(EventSchema):
        institution_id = Ref()
        kind = fields.Str(required=True, validate=validate.OneOf(LICENCE_KINDS))
        number = fields.Str(required=True)
        valid_until = fields.Date(required=True)


class LicenceExpired(Event):
    class Schema(EventSchema):
        institution_id = Ref()
        kind = fields.Str(required=True, validate=validate.OneOf(LICENCE_KINDS))
        valid_until = fields.Date(required=True)


class InstitutionSuspended(Event):
    class Schema(EventSchema):
        institution_id = Ref()
        district = District()
        reason = fields.Str(required=True)
        source_event_id = Cause()


class InstitutionReinstated(Event):
    class Schema(EventSchema):
        institution_id = Ref()
        district = District()
        source_event_id = Cause()


class InstitutionClosed(Event):
    class Schema(EventSchema):
        institution_id = Ref()
        district = District()
        reason = fields.Str(required=True)


class BlacklistReviewOpened(Event):
    class Schema(EventSchema):
        review_id = Ref()
        institution_id = Ref()
        district = District()
        reason = fields.Str(required=True)
        source_event_id = Cause()


class BlacklistReviewDecided(Event):
    class Schema(EventSchema):
        review_id = Ref()
        institution_id = Ref()
        district = District()
        decision = fields.Str(required=True, validate=validate.OneOf(("cleared", "blacklisted")))
        reason = fields.Str(required=True)
        department = fields.Str(load_default=None, allow_none=True)


class ListBatchPublished(Event):
    class Schema(EventSchema):
        district = District()
        list = fields.Str(required=True, validate=validate.OneOf(("white", "black")))
        batch_no = fields.Int(required=True)
        institution_ids = fields.List(fields.Str(), required=True)
        published_on = fields.Date(load_default=None, allow_none=True)


class ListFiled(Event):
    class Schema(EventSchema):
        district = District()
        list = fields.Str(required=True, validate=validate.OneOf(("white", "black")))
        batch_no = fields.Int(required=True)


CATALOGUE = Catalogue(
    "registry", InstitutionRegistered, LicenceRecorded, LicenceExpired, InstitutionSuspended,
    InstitutionReinstated, InstitutionClosed, BlacklistReviewOpened, BlacklistReviewDecided,
    ListBatchPublished, ListFiled)
