"""What complaints reacts to: the registry's institutions (shared.directory, which
triage matches reports against), school-survey leads, and inspections that verified a report."""
from shared import directory
from shared.subscriptions import through_service

from . import policies
from .domain import Complaint


@through_service
def unlisted_institution_reported(service, event):
    """A school's survey names an unlisted institution: a report like any other."""
    lead = policies.survey_lead(event.data)
    service.intake(lead, "school_survey", complaint_id=lead["complaint_id"],
                   report_id=lead["report_id"])


def inspection_completed(uow, event):
    """An inspection that verified a report substantiates it or not."""
    verification = policies.verification_outcome(event.data)
    if verification is None:
        return
    complaint = uow.get(Complaint, verification.complaint_id)
    if complaint is None:
        return  # another service's source id: not ours
    if complaint.merged_into:
        complaint = uow.load(Complaint, complaint.merged_into)
    complaint.verify_by_inspection(verification.substantiated, verification.inspection_id)
    uow.save(complaint)


SUBSCRIPTIONS = {
    **directory.SUBSCRIPTIONS,
    ("tasks", "UnlistedInstitutionReported"): unlisted_institution_reported,
    ("inspection", "InspectionCompleted"): inspection_completed,
}
