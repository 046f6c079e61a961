"""Each district's report channels (hotline, e-mail, QR code to the complaint form).

The values come from channels.yaml beside this file (SAMPLE values, see there)
or from the file named by OTG_DISCLOSURE_CHANNELS."""
import os
from pathlib import Path

import yaml

from shared import config
from shared.vocabulary import DISTRICTS, LOCAL_DISTRICTS

DEFAULT_FILE = Path(__file__).parent / "channels.yaml"


def channels_file():
    return Path(os.environ.get("OTG_DISCLOSURE_CHANNELS") or DEFAULT_FILE)


def report_form_url(district):
    """Where the QR code points: the complaints service's public report form."""
    base = os.environ.get("OTG_COMPLAINTS_PUBLIC_URL") or config.service_url("complaints")
    return f"{base.rstrip('/')}/report?district={district}"


def load():
    """{"sample": bool, "city": {...}, "districts": [{district, name, hotline, email, hours, form_url}]}."""
    with open(channels_file(), encoding="utf-8") as handle:
        data = yaml.safe_load(handle) or {}
    known = {str(code): values or {} for code, values in (data.get("districts") or {}).items()}
    districts = []
    for code in LOCAL_DISTRICTS:
        values = known.get(code, {})
        districts.append({"district": code, "name": DISTRICTS[code],
                          "hotline": str(values.get("hotline") or ""),
                          "email": str(values.get("email") or ""),
                          "hours": str(values.get("hours") or ""),
                          "form_url": report_form_url(code)})
    return {"sample": bool(data.get("sample", False)), "city": data.get("city") or {},
            "districts": districts}


def for_district(district):
    return next(c for c in load()["districts"] if c["district"] == district)
