"""Disclosure rules: published cases, list batches and notices. No I/O here.

Ids are derived from the event that started a thing (uuid5), so two routes to
the same case (a hazard seen before or after the suspension it caused) meet in
one stream and the case is published exactly once."""
import re
import uuid
from datetime import datetime

from shared.aggregate import Aggregate, applies
from shared.clock import rfc3339
from shared.errors import BadRequest, Conflict
from shared.redact import mask

from . import events as ev

NAMESPACE = uuid.UUID("5b0f3c1e-8d7a-4b55-9a43-2f6d1c0e7a91")
CORRECTABLE = ("summary", "decision", "department", "institution_name", "address")
BUSINESS = ("institution_name", "address")
# Officials write a person as role + name ("负责人张三", "检查员王建国"): the role stays,
# the name goes. A name written without its role is the entry's detector's to find.
ROLE_NAME = re.compile(r"(检查员|执法人员|负责人|联系人|举报人|法定代表人|法人|老师|教师|校长|"
                       r"园长|店长|经理|员工|家长|学生|学员)([：:]?)(?![一-龥]*(?:部门|单位|机构))"
                       r"[一-龥·]{2,4}?(?=[（(，,。；;、\s：:]|$|[拒称说表未已在对将于向])")


def redact(text):
    """Mask e-mail addresses, ID-card and phone numbers (shared.redact) and names written
    after a role in free text that goes public.

    Public texts are built from codes and business data; this is the second line
    for free text typed by officials (findings, reasons), which may quote a person."""
    masked = mask(text, "＊＊＊")
    return ROLE_NAME.sub(lambda m: m.group(1) + m.group(2) + "＊＊", masked) if masked else masked


def business_text(text):
    """An institution's name and address are published as it calls itself ("王老师家教"),
    only numbers masked: the role rule is for what officials write about people."""
    return mask(text, "＊＊＊")


def derived_id(kind, source_event_id):
    return str(uuid.uuid5(NAMESPACE, f"{kind}:{source_event_id}"))


def seconds_between(start, end):
    if not start:
        return None
    begun = datetime.fromisoformat(start.replace("Z", "+00:00"))
    return round(max((end - begun).total_seconds(), 0.0), 3)


class Case(Aggregate):
    """One exposed violation case and its public history."""

    def __init__(self, id):
        super().__init__(id)
        self.district = None
        self.outcomes = set()  # outcomes recorded, each once
        self.withdrawn = False

    @staticmethod
    def id_for(root_event_id):
        return derived_id("case", root_event_id)

    def expose(self, kind, facts, found_at, now):
        """Publish once; a second route to the same case changes nothing."""
        if self.exists:
            return False
        self.trigger(ev.CaseExposed, case_id=self.id, kind=kind, found_at=found_at,
                     exposed_at=rfc3339(now), seconds_to_publish=seconds_between(found_at, now),
                     **facts)
        return True

    def record_outcome(self, outcome, at, department=None, reason=None, source_event_id=None):
        if not self.exists or self.withdrawn or outcome in self.outcomes:
            return
        self.trigger(ev.CaseOutcomeRecorded, case_id=self.id, district=self.district,
                     outcome=outcome, at=at, department=department, reason=redact(reason),
                     source_event_id=source_event_id)

    def correct(self, changes, reason):
        self._require_published()
        unknown = sorted(set(changes) - set(CORRECTABLE))
        if unknown or not changes:
            raise BadRequest("nothing to correct", {"changes": [
                f"give one or more of {', '.join(CORRECTABLE)}"]})
        clean = {field: (business_text if field in BUSINESS else redact)(value)
                 for field, value in changes.items()}
        self.trigger(ev.CaseCorrected, case_id=self.id, district=self.district,
                     reason=redact(reason), changes=clean)

    def withdraw(self, reason):
        self._require_published()
        self.trigger(ev.CaseWithdrawn, case_id=self.id, district=self.district,
                     reason=redact(reason))

    def _require_published(self):
        if self.withdrawn:
            raise Conflict(f"case {self.id} is withdrawn")

    @applies(ev.CaseExposed)
    def _exposed(self, event):
        self.district = event.district

    @applies(ev.CaseOutcomeRecorded)
    def _outcome(self, event):
        self.outcomes.add(event.outcome)

    @applies(ev.CaseWithdrawn)
    def _withdrawn(self, event):
        self.withdrawn = True


class PublishedLists(Aggregate):
    """The batches of one district's white or black list that are on the site."""

    def __init__(self, id):
        super().__init__(id)
        self.batch_nos = set()  # the registry's batch numbers published here

    @staticmethod
    def stream_id(district, list_name):
        return f"published-{district}-{list_name}"

    def publish(self, district, list_name, batch_no, institution_ids, published_on,
                source_event_id=None):
        """Republish a registry batch; the same batch seen twice is published once."""
        if batch_no in self.batch_nos:
            return False
        self.trigger(ev.ListPublished, district=district, list=list_name, batch_no=batch_no,
                     institution_ids=sorted(institution_ids), published_on=published_on,
                     source_event_id=source_event_id)
        return True

    @applies(ev.ListPublished)
    def _published(self, event):
        self.batch_nos.add(event.batch_no)


class Notice(Aggregate):
    """A public district notice."""

    @staticmethod
    def id_for(source_event_id):
        return derived_id("notice", source_event_id)

    def publish(self, district, kind, reasons, named_on=None, campaign_id=None,
                source_event_id=None):
        if self.exists:
            return False
        self.trigger(ev.NoticePublished, notice_id=self.id, district=district, kind=kind,
                     reasons=[redact(str(r)) for r in reasons], named_on=named_on,
                     campaign_id=campaign_id, source_event_id=source_event_id)
        return True

    @applies(ev.NoticePublished)
    def _published(self, event):
        pass
