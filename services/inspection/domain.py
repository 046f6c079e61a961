"""Inspection rules: inspections and their findings, rectification orders and
random samples. No I/O here: commands check the rules and trigger events."""
import uuid
from datetime import date, timedelta

from shared.aggregate import Aggregate, applies
from shared.errors import BadRequest, Conflict, Forbidden

from . import events as ev
from . import patrol, sampling

SAFETY_CATEGORIES = ("fire_safety", "premises")
HAZARD_SEVERITIES = ("major", "critical")
SEVERITY_RANK = {"minor": 1, "major": 2, "critical": 3}
DEFAULT_RECTIFICATION_DAYS = 14
# 行政处罚法 (2021) art. 42: enforcement is carried out by no fewer than two officers
# qualified for it, who show their enforcement certificates (art. 55).
ENFORCEMENT_OFFICERS = 2


def is_hazard(category, severity, suspend_immediately):
    """Plan task 6: a site, facility or fire hazard means immediate suspension."""
    return bool(suspend_immediately) or (category in SAFETY_CATEGORIES
                                         and severity in HAZARD_SEVERITIES)


NOTE_READERS = ("inspector", "coordinator", "admin")


CITY_OFFICES = ("coordinator", "admin")


def may_read_notes(actor, district):
    """A finding's description is free text that may name people: only the officials who
    inspect in the district (inspectors, coordinators, admins) read it."""
    return actor is not None and actor.role in NOTE_READERS and actor.can_act_in(district)


def may_read_inspection(actor, district, status, departments):
    """Reads are bound to the district; a check not yet done is known only to its
    departments and the municipal office: an unannounced check must not leak."""
    if not actor.can_act_in(district):
        return False
    return status != "scheduled" or actor.role in CITY_OFFICES or actor.department in departments


def may_read_certificates(actor, district):
    """Certificate numbers identify an officer: officials of the district read them."""
    return actor is not None and actor.can_act_in(district)


def _new_id():
    return str(uuid.uuid4())


CARRY_OVER_IDS = uuid.UUID("5d0c7a36-2f4e-5a55-9b1e-6f1c3c0a7e21")


def carry_over_id(campaign, institution_id, items):
    """The same unfinished rectification (campaign, institution, items) always gets the
    same order id, so importing a carry-over table again adds no second order."""
    key = "\n".join([campaign or "", institution_id, *sorted(set(items))])
    return str(uuid.uuid5(CARRY_OVER_IDS, key))


def _unique(values):
    return list(dict.fromkeys(values))


def check_officers(kind, officers, completing):
    """Officers named on a check ([{officer_id, certificate}]): each once; an
    enforcement check is completed by at least two present with certificate numbers."""
    errors = []
    ids = [o["officer_id"] for o in officers]
    certificates = [o["certificate"] for o in officers if o.get("certificate")]
    if len(set(ids)) < len(ids):
        errors.append("an officer is named twice")
    if len(set(certificates)) < len(certificates):
        errors.append("two officers cannot hold one certificate number")
    if completing and kind == "enforcement" and len(set(certificates)) < ENFORCEMENT_OFFICERS:
        errors.append(f"an enforcement check needs at least {ENFORCEMENT_OFFICERS} officers "
                      "present, each with an enforcement certificate number (执法证号)")
    if errors:
        raise BadRequest("the officers named are not enough or not valid", {"officers": errors})


VISIT = tuple(ev.InspectionScheduled.Schema().fields)  # the fields a visit has now


def _certificates(officers):
    return {o["officer_id"]: o.get("certificate") for o in officers}


class Inspection(Aggregate):
    def __init__(self, id):
        super().__init__(id)
        self.visit = {}  # what InspectionScheduled says, repeated by InspectionCompleted
        self.institution_id = self.district = self.kind = None
        self.departments = []
        self.site_name = self.site_address = None
        self.status = None  # scheduled, completed; None before it is scheduled
        self.answered = False
        self.unlicensed_reported = False
        self.findings = {}            # finding id -> severity
        self.finding_items = {}       # finding id -> checklist item
        self.finding_categories = {}  # finding id -> category
        self.notes = {}  # finding id -> description: kept by the service, never in an event
        self.certificates = None  # officer id -> certificate number, when newly named

    @classmethod
    def schedule(cls, district, kind, departments, modes=(), focus=(), institution_id=None,
                 site_name=None, site_address=None, source=None, source_type=None,
                 sample_id=None, scheduled_for=None, inspection_id=None, officers=()):
        if institution_id is None and not site_name:
            raise BadRequest("an unregistered site needs a name",
                             {"site_name": ["required when there is no institution_id"]})
        if not departments:
            raise BadRequest("no department assigned", {"departments": ["assign at least one"]})
        if "joint" in modes and len(set(departments)) < 2:
            raise BadRequest("a joint check needs departments working together",
                             {"departments": ["a joint check needs two or more departments"]})
        check_officers(kind, officers, completing=False)
        inspection = cls(inspection_id or _new_id())
        inspection.trigger(
            ev.InspectionScheduled, inspection_id=inspection.id, institution_id=institution_id,
            district=district, kind=kind, modes=_unique(modes), departments=_unique(departments),
            focus=_unique(focus), source=source, source_type=source_type, site_name=site_name,
            site_address=site_address, sample_id=sample_id,
            scheduled_for=scheduled_for.isoformat() if scheduled_for else None,
            officer_ids=[o["officer_id"] for o in officers])
        if officers:
            inspection.certificates = _certificates(officers)
        return inspection

    # -- commands -----------------------------------------------------------
    def record_finding(self, item, severity, description, department,
                       suspend_immediately=False, evidence=()):
        """`item` is a checklist item (id, category, checklist). Returns the finding id."""
        self._require_open()
        self.require_assigned(department)
        finding_id = _new_id()
        category = item["category"]
        self.trigger(ev.FindingRecorded, inspection_id=self.id, finding_id=finding_id,
                     institution_id=self.institution_id, district=self.district, item=item["id"],
                     checklist=item["checklist"], category=category, severity=severity,
                     suspend_immediately=bool(suspend_immediately),
                     department=department, evidence=list(evidence))
        self.notes[finding_id] = description
        if self.institution_id and is_hazard(category, severity, suspend_immediately):
            self.trigger(ev.HazardFound, inspection_id=self.id, finding_id=finding_id,
                         institution_id=self.institution_id, district=self.district,
                         severity=severity, item=item["id"], category=category,
                         suspend_immediately=bool(suspend_immediately), department=department)
        if category == "unlicensed" and not self.unlicensed_reported:
            self.trigger(ev.UnlicensedOperationFound, inspection_id=self.id, finding_id=finding_id,
                         institution_id=self.institution_id, name=self.site_name or "",
                         address=self.site_address or "", district=self.district)
        return finding_id

    def answer(self, checklist, answers, department):
        """A self-inspection: every item of `checklist` answered; each failed one is a finding."""
        if self.kind != "self":
            raise Conflict(f"inspection {self.id} is a {self.kind} inspection, not a self-inspection")
        if self.answered:
            raise Conflict(f"self-inspection {self.id} was answered already")
        _check_answers(checklist, answers)
        self.trigger(ev.SelfInspectionAnswered, inspection_id=self.id,
                     institution_id=self.institution_id, district=self.district,
                     checklist=checklist["id"], checklist_version=str(checklist["version"]),
                     answers=[{"item": a["item"], "result": a["result"],
                               "evidence": list(a.get("evidence", []))} for a in answers])
        items = {item["id"]: {**item, "checklist": f"{checklist['id']}@{checklist['version']}"}
                 for item in checklist["items"]}
        for answer in answers:
            if answer["result"] == "fail":
                self.record_finding(items[answer["item"]], answer.get("severity") or "minor",
                                    answer.get("note") or "failed in the self-inspection",
                                    department, evidence=answer.get("evidence", []))

    def import_patrol_log(self, sha256, patrols, opening_hours, days, department, item,
                          severity="minor"):
        """Each stretch of opening hours over 2 h without a patrol becomes a finding."""
        self._require_open()
        self.require_assigned(department)
        opens, closes = patrol.opening_hours(opening_hours)
        gaps = patrol.gaps(patrols, days, opens, closes)
        self.trigger(ev.PatrolLogImported, inspection_id=self.id,
                     institution_id=self.institution_id, district=self.district, sha256=sha256,
                     period_from=days[0].isoformat(), period_to=days[-1].isoformat(),
                     opening_hours=opening_hours, patrols=len(patrols), gaps=len(gaps))
        for start, end in gaps:
            hours = (end - start).total_seconds() / 3600
            text = (f"no fire patrol from {start:%Y-%m-%d %H:%M} to {end:%H:%M} "
                    f"({hours:.1f} h) during opening hours")
            self.record_finding(item, severity, text, department, evidence=[sha256])
        return len(gaps)

    def complete(self, officers=()):
        """`officers`: those present, [{officer_id, certificate}]."""
        self._require_open()
        check_officers(self.kind, officers, completing=True)
        worst = max(self.findings.values(), key=SEVERITY_RANK.get, default=None)
        self.trigger(ev.InspectionCompleted, **{**self.visit, "officer_ids": [
                         o["officer_id"] for o in officers]},
                     outcome="violation_found" if self.findings else "no_violation",
                     findings_count=len(self.findings), max_severity=worst)
        self.certificates = _certificates(officers)

    def require_assigned(self, department):
        if department not in self.departments:
            raise Forbidden(f"only the assigned departments ({', '.join(self.departments)}) "
                            "record this inspection")

    def _require_open(self):
        if self.status != "scheduled":
            raise Conflict(f"inspection {self.id} is {self.status}")

    # -- queries --------------------------------------------------------------
    def rectifiable(self):
        """(items, finding ids) to rectify: every finding but unlicensed operation,
        which the registry answers by black-listing."""
        chosen = {fid: item for fid, item in self.finding_items.items()
                  if self.finding_categories[fid] != "unlicensed"}
        return sorted(set(chosen.values())), sorted(chosen)

    # -- state ------------------------------------------------------------------
    @applies(ev.InspectionScheduled)
    def _scheduled(self, event):
        data = event.data
        # a field an older event had and the visit no longer has is not repeated
        self.visit = {key: data[key] for key in VISIT if key in data}
        self.institution_id, self.district = data.get("institution_id"), data["district"]
        self.kind, self.departments = data["kind"], data["departments"]
        self.site_name, self.site_address = data.get("site_name"), data.get("site_address")
        self.status = "scheduled"

    @applies(ev.SelfInspectionAnswered)
    def _answered(self, event):
        self.answered = True

    @applies(ev.FindingRecorded)
    def _finding(self, event):
        self.findings[event.finding_id] = event.severity
        self.finding_items[event.finding_id] = event.item
        self.finding_categories[event.finding_id] = event.category

    @applies(ev.UnlicensedOperationFound)
    def _unlicensed(self, event):
        self.unlicensed_reported = True

    @applies(ev.InspectionCompleted)
    def _completed(self, event):
        self.status = "completed"


def _check_answers(checklist, answers):
    expected = [item["id"] for item in checklist["items"]]
    given = [a["item"] for a in answers]
    errors = {}
    unknown = [i for i in given if i not in expected]
    if unknown:
        errors["answers"] = [f"{i} is not an item of {checklist['id']}" for i in unknown]
    missing = [i for i in expected if i not in given]
    if missing:
        errors.setdefault("answers", []).extend(f"{i} is not answered" for i in missing)
    if len(set(given)) != len(given):
        errors.setdefault("answers", []).append("an item is answered twice")
    if errors:
        raise BadRequest("the self-inspection is incomplete", errors)


class RectificationOrder(Aggregate):
    def __init__(self, id):
        super().__init__(id)
        self.institution_id = self.district = None
        self.carry_over = False
        self.deadline = None  # a date
        self.status = None    # open, reported, verified; None before it is ordered
        self.overdue = False  # flagged for the current deadline

    @classmethod
    def order(cls, institution_id, district, items, deadline, today, carry_over=False,
              inspection_id=None, finding_ids=(), campaign=None, order_id=None):
        if not items:
            raise BadRequest("nothing to rectify", {"items": ["name at least one checklist item"]})
        if deadline < today and not carry_over:
            raise BadRequest("the deadline has passed", {"deadline": ["must not be in the past"]})
        order = cls(order_id or _new_id())
        order.trigger(ev.RectificationOrdered, order_id=order.id, institution_id=institution_id,
                      district=district, carry_over=carry_over, items=_unique(items),
                      deadline=deadline.isoformat(), inspection_id=inspection_id,
                      finding_ids=list(finding_ids), campaign=campaign)
        return order

    @classmethod
    def for_inspection(cls, inspection, today, deadline=None):
        """The order for a completed inspection's findings, or None when nothing is to fix."""
        items, finding_ids = inspection.rectifiable()
        if not items or not inspection.institution_id:
            return None
        deadline = deadline or today + timedelta(days=DEFAULT_RECTIFICATION_DAYS)
        return cls.order(inspection.institution_id, inspection.district, items, deadline, today,
                         inspection_id=inspection.id, finding_ids=finding_ids)

    def report(self, evidence=()):
        self._require_status("open", "reported done already; awaiting re-inspection")
        self.trigger(ev.RectificationReported, **self._ref(), evidence=list(evidence))

    def verify(self, passed, department, today, new_deadline=None, evidence=()):
        """The re-inspection: verified, or failed with a new deadline."""
        if self.status == "verified":
            raise Conflict(f"order {self.id} is verified already")
        if passed:
            self.trigger(ev.RectificationVerified, **self._ref(), department=department,
                         evidence=list(evidence))
            return
        if new_deadline is None or new_deadline <= today:
            raise BadRequest("a failed re-inspection sets a new deadline",
                             {"new_deadline": ["a date after today is required when passed is false"]})
        self.trigger(ev.RectificationFailed, **self._ref(), department=department,
                     new_deadline=new_deadline.isoformat(), evidence=list(evidence))

    def flag_overdue(self, today):
        """Emitted once per deadline, only while nothing has been reported."""
        if self.status == "open" and not self.overdue and self.deadline < today:
            self.trigger(ev.RectificationOverdue, **self._ref(), deadline=self.deadline.isoformat())

    def _ref(self):
        return {"order_id": self.id, "institution_id": self.institution_id,
                "district": self.district, "carry_over": self.carry_over}

    def _require_status(self, status, why):
        if self.status != status:
            raise Conflict(f"order {self.id} is {self.status}: {why}")

    @applies(ev.RectificationOrdered)
    def _ordered(self, event):
        self.institution_id, self.district = event.institution_id, event.district
        self.carry_over = event.carry_over
        self.deadline = date.fromisoformat(event.deadline)
        self.status = "open"

    @applies(ev.RectificationReported)
    def _reported(self, event):
        self.status = "reported"

    @applies(ev.RectificationVerified)
    def _verified(self, event):
        self.status = "verified"

    @applies(ev.RectificationFailed)
    def _failed(self, event):
        self.status, self.overdue = "open", False
        self.deadline = date.fromisoformat(event.new_deadline)

    @applies(ev.RectificationOverdue)
    def _overdue(self, event):
        self.overdue = True


class Sample(Aggregate):
    def __init__(self, id):
        super().__init__(id)
        self.institution_ids = []  # those drawn, in the order drawn

    @classmethod
    def draw(cls, district, population, size, seed, sample_id=None):
        population = sorted(set(population))
        if size > len(population):
            raise BadRequest("the sample is larger than the population",
                             {"size": [f"district {district} has {len(population)} institutions"]})
        sample = cls(sample_id or _new_id())
        sample.trigger(ev.SampleDrawn, sample_id=sample.id, district=district, seed=seed,
                       method=sampling.METHOD, size=size, population_size=len(population),
                       population=population, population_digest=sampling.digest(population),
                       institution_ids=sampling.draw(population, size, seed))
        return sample

    @applies(ev.SampleDrawn)
    def _drawn(self, event):
        self.institution_ids = event.institution_ids
