"""Documents of an inspection: the 责令整改通知书 (rectification notice) and the 现场检查笔录
(on-site record), issued once with a number and frozen (documents.py), shown as
print-ready HTML and PDF."""
from urllib.parse import quote

from werkzeug.wrappers import Response

from shared.errors import NotFound, OtgError

from . import documents
from .backend import Answer
from .web import page, redirect

# a document is a page of its own: its inline print styles, nothing else
DOCUMENT_HEADERS = {"Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'; "
                                               "img-src data:; font-src data:",
                    "X-Content-Type-Options": "nosniff", "Cache-Control": "private, no-store"}


class DocumentPages:
    @page("POST", "/inspections/<inspection_id>/documents")
    def issue_document(self, request, inspection_id):
        visit = self.visit(request)
        found = visit.backend.get("inspection", f"/inspections/{inspection_id}")
        if not found.ok:
            return self.inspection(request, inspection_id)
        inspection = found.data
        visit.require_district(inspection["district"])
        checklists = visit.backend.get("inspection", "/checklists")
        try:
            document = documents.issue(
                request.form.get("kind", ""), inspection, self.order_of(visit, inspection),
                self.officers_present(visit, inspection), self.store, visit.actor(),
                checklists.data if checklists.ok else ())
        except OtgError as refused:
            problem = Answer(refused.status, message=str(refused), fields=refused.fields)
            return self.inspection(request, inspection_id, problem=problem,
                                   errors={"documents": refused.fields})
        return redirect(f"/documents/{quote(document.number)}")

    @page("GET", "/documents/<number>")
    def document(self, request, number):
        document = self._document(request, number)
        return Response(document.html, content_type="text/html; charset=utf-8",
                        headers=DOCUMENT_HEADERS)

    @page("GET", "/documents/<number>/pdf")
    def document_pdf(self, request, number):
        document = self._document(request, number)
        return Response(documents.pdf(document), content_type="application/pdf", headers={
            **DOCUMENT_HEADERS, "Content-Disposition": f"inline; filename*=UTF-8''{quote(number)}.pdf"})

    def _document(self, request, number):
        visit = self.visit(request)
        document = documents.find(self.store, number)
        if document is None:
            raise NotFound(f"没有编号为 {number} 的文书")
        visit.require_district(document.district)
        return document

    @staticmethod
    def order_of(visit, inspection):
        """The rectification order the inspection's completion made, if any."""
        if not inspection.get("institution_id"):
            return None
        found = visit.backend.get("inspection", "/rectifications",
                                  {"institution_id": inspection["institution_id"]})
        orders = (found.data or {}).get("items", []) if found.ok else []
        return next((o for o in orders if o.get("inspection_id") == inspection["id"]), None)

    def officers_present(self, visit, inspection):
        """[{officer_id, name, certificate}] of those the inspection names (else the
        signed-in officer); names and certificate numbers from the console's accounts."""
        named = [o["officer_id"] for o in inspection.get("officers") or []] \
            or inspection.get("officer_ids") or [visit.officer["officer_id"]]
        known = {o["officer_id"]: o for o in self.colleagues(visit, everyone=True)}
        return [{"officer_id": officer, "name": known.get(officer, {}).get("name") or officer,
                 "certificate": known.get(officer, {}).get("certificate")} for officer in named]
