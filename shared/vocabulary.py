"""The shared vocabulary of ARCHITECTURE.md: use these exact values everywhere."""
import json
import os
from pathlib import Path

CITY = "371000"  # the whole city (municipal office)
DISTRICTS = {
    "371000": "威海市",
    "371002": "环翠区",
    "371003": "文登区",
    "371082": "荣成市",
    "371083": "乳山市",
    "371071": "高区",
    "371072": "经区",
    "371073": "临港区",
    # 南海新区 has no code of its own in GB/T 2260 (docs/decisions/0001-nanhai-code.md).
    "371074": "南海新区",
}
DISTRICTS_EN = {
    "371000": "Weihai (city)", "371002": "Huancui", "371003": "Wendeng",
    "371082": "Rongcheng", "371083": "Rushan", "371071": "Torch Hi-tech zone",
    "371072": "Economic & Technological zone", "371073": "Lingang zone",
    "371074": "Nanhai new area",
}
# A province's divisions ({city: {name, districts: {code: name}}}, e.g. bench/shandong.json)
# join Weihai's when OTG_DISTRICTS_FILE names them: the province-scale bench (bench/scale.py).
if os.environ.get("OTG_DISTRICTS_FILE"):
    for _city in json.loads(Path(os.environ["OTG_DISTRICTS_FILE"]).read_text("utf-8")).values():
        DISTRICTS = {**_city["districts"], **DISTRICTS}
LOCAL_DISTRICTS = tuple(code for code in DISTRICTS if code != CITY)
DEPARTMENTS = ("education", "culture_tourism", "sports", "market_regulation",
               "public_security", "fire")
ROLES = ("registrar", "inspector", "handler", "school", "coordinator", "publisher", "admin")
# Tokens of programs, not of officials: they read events feeds and nothing else
# (docs/integrating.md). A `service` token is minted by a service for its own catch-up.
FEED_ROLES = ("service", "integrator")
# Events that name an unannounced check's target before it begins: never granted to
# an integrator, on the bus or in a feed (docs/security.md, "Tokens, feeds and reads").
CONFIDENTIAL_EVENTS = ("inspection.InspectionScheduled", "inspection.SampleDrawn",
                       "complaints.VerificationRequested")
CATEGORIES = {"academic": "education", "arts": "culture_tourism",
              "sports": "sports", "science": "education"}
LICENCE_KINDS = ("school_permit", "business_licence", "npo_registration", "fire_safety")
SEVERITIES = ("minor", "major", "critical")
SEVERITY_NAMES = {"minor": "一般", "major": "较大", "critical": "重大"}
INSPECTION_KIND_NAMES = {"self": "自查", "safety": "安全专项检查", "enforcement": "执法检查"}
STATUSES = ("open", "suspended", "closed")
LIST_STATUSES = ("white", "black", "none")
