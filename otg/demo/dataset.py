"""The demo's Weihai data set, made up from a seed: the same seed and size always
give the same institutions (valid credit codes, licences, addresses), schools and
ledgers, so a demo can be replayed and compared."""
import csv
import io
import random
from dataclasses import dataclass

from shared.creditcode import CHARSET, complete
from shared.vocabulary import DISTRICTS as DISTRICT_NAMES

from . import names

HUANCUI, WENDENG = "371002", "371003"
LAGGING = "371073"  # 临港区: the district that falls behind in the story
# The first institution of these districts plays a part in the story: always licensed.
CAST = {HUANCUI: "arts", WENDENG: "sports"}
MIN_PER_DISTRICT = 3


@dataclass
class Dataset:
    seed: int
    institutions: list  # bodies for the registry's POST /institutions/import
    schools: list       # {"school_id", "name", "district"}
    hazard: dict        # where the special safety inspection finds a critical hazard
    complained: dict    # the institution a parent complains about
    lead_school: dict   # the school whose ledger names an institution on no list
    lagging: str = LAGGING

    def institutions_in(self, district):
        return [i for i in self.institutions if i["district"] == district]

    def schools_in(self, district):
        return [s for s in self.schools if s["district"] == district]


def build(seed=2024, count=300):
    """The data set for `count` institutions (at least 3 per district)."""
    rng = random.Random(f"otg-demo:{seed}")
    counts = allocate(count, names.WEIGHTS)
    made, codes = [], set()
    for district, number in counts.items():
        for n in range(number):
            cast = CAST.get(district) if n == 0 else None
            made.append(institution(rng, district, len(made) + 1, made, codes, cast))
    schools = [school for district, number in counts.items()
               for school in district_schools(district, max(2, min(6, number // 10)))]
    return Dataset(seed=seed, institutions=made, schools=schools,
                   hazard=_first(made, HUANCUI), complained=_first(made, WENDENG),
                   lead_school=next(s for s in schools if s["district"] == HUANCUI))


def allocate(count, weights):
    """Split `count` by weight (largest remainder), at least MIN_PER_DISTRICT each."""
    floor = MIN_PER_DISTRICT * len(weights)
    if count < floor:
        raise ValueError(f"the demo needs at least {floor} institutions")
    spare = count - floor
    shares = {d: spare * w for d, w in weights.items()}
    result = {d: MIN_PER_DISTRICT + int(s) for d, s in shares.items()}
    by_remainder = sorted(weights, key=lambda d: shares[d] - int(shares[d]), reverse=True)
    for district in by_remainder[:count - sum(result.values())]:
        result[district] += 1
    return result


def institution(rng, district, serial, made, codes, category=None):
    """One institution; a given `category` (a part in the story) is always fully licensed."""
    cast = category is not None
    category = category or rng.choices(list(names.CATEGORIES),
                                       [c[0] for c in names.CATEGORIES.values()])[0]
    code = credit_code(rng, district, category, codes)
    prefix, streets = names.DISTRICTS[district]
    return {"name": _unique_name(rng, prefix, category, {i["name"] for i in made}),
            "credit_code": code, "district": district, "category": category,
            "address": f"威海市{DISTRICT_NAMES[district]}{rng.choice(streets)}{rng.randint(1, 320)}号",
            "licences": licences(rng, district, category, code, serial, permit=cast)}


def credit_code(rng, district, category, taken):
    """A valid 统一社会信用代码: 52 (a private non-profit school) for academic
    institutions, 91 (a company) for the others; the district's code inside."""
    while True:
        head = "52" if category == "academic" else "91"
        org = "".join(rng.choice(CHARSET) for _ in range(7))
        code = complete(f"{head}{district}{'MA' if head == '91' else 'MJ'}{org}")
        if code not in taken:
            taken.add(code)
            return code


def licences(rng, district, category, code, serial, permit=False):
    """A permit (missing for about 1 in 16: 证照不全, so not on the white list), the
    business or NPO registration (its number is the credit code), often a fire check."""
    found = []
    if permit or category == "academic" or rng.random() > 1 / 16:
        found.append({"kind": "school_permit",
                      "number": f"{names.PERMIT_PREFIX[category]}{district}{serial:07d}号",
                      "valid_until": f"{rng.randint(2026, 2029)}-12-31"})
    kind = "npo_registration" if category == "academic" else "business_licence"
    found.append({"kind": kind, "number": code, "valid_until": "2044-12-31"})
    if rng.random() < 0.7:
        found.append({"kind": "fire_safety", "number": f"威消检字〔2023〕第{serial:04d}号",
                      "valid_until": f"{rng.randint(2025, 2027)}-06-30"})
    return found


def district_schools(district, number):
    prefix = DISTRICT_NAMES[district]
    return [{"school_id": f"{district}-s{n + 1:02d}", "name": f"威海市{prefix}{kind}",
             "district": district} for n, kind in enumerate(names.SCHOOL_KINDS[:number])]


def on_white_list(institution):
    return any(licence["kind"] == "school_permit" for licence in institution["licences"])


def ledger(seed, school, offerings, unlisted=False):
    """A school's holiday-enrolment ledger (CSV, the header tasks expects): one row per
    enrolment, pupils without training have empty institution columns. `offerings` are
    white-listed institutions (dicts with name, credit_code, category) pupils attend;
    `unlisted` adds pupils at the institution on no list (the survey lead)."""
    rng = random.Random(f"otg-demo:{seed}:{school['school_id']}")
    grades = names.GRADES["小学" if "小学" in school["name"] else "中学"]
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["pupil_id", "pupil_name", "grade", "class", "institution_name",
                     "credit_code", "course"])
    for n in range(rng.randint(10, 18)):
        where = _enrolment(rng, offerings)
        writer.writerow([f"G{school['school_id'].replace('-', '')}{n + 1:04d}", _pupil(rng),
                         rng.choice(grades), f"{rng.randint(1, 8)}班", *where])
    for n in range(3 if unlisted else 0):
        writer.writerow([f"G{school['school_id'].replace('-', '')}9{n + 1:03d}", _pupil(rng),
                         rng.choice(grades), f"{rng.randint(1, 8)}班", names.UNLISTED["name"], "",
                         names.UNLISTED["course"]])
    return out.getvalue().encode("utf-8")


def plan_document(district, campaign_title):
    """A district's implementation plan (task 1), as a short Markdown file."""
    name = DISTRICT_NAMES[district]
    return (f"# {name}{campaign_title}实施方案\n\n"
            f"根据市教育局方案，{name}成立校外培训治理工作专班，明确教育、文化和旅游、体育、"
            "市场监管、公安、消防等部门分工，按时完成八项重点任务。\n\n"
            "（演示数据 / demo data）\n").encode("utf-8")


def _enrolment(rng, offerings):
    """(institution name, credit code or "", course) — or empty for no training."""
    usable = [o for o in offerings if names.courses(o["name"], o["category"])]
    if not usable or rng.random() < 0.4:
        return "", "", ""
    chosen = rng.choice(usable)
    code = chosen["credit_code"] if rng.random() < 0.5 else ""  # schools often lack the code
    return chosen["name"], code, rng.choice(names.courses(chosen["name"], chosen["category"]))


def _pupil(rng):
    return rng.choice(names.SURNAMES) + rng.choice(names.GIVEN)


def _unique_name(rng, prefix, category, taken):
    endings = list(names.CATEGORIES[category][1])
    for _ in range(50):
        name = f"{prefix}{rng.choice(names.BRANDS)}{rng.choice(endings)}"
        if name not in taken:
            return name
    return f"{prefix}{rng.choice(names.BRANDS)}{rng.choice(endings)}（第{len(taken) + 1}分校）"


def _first(made, district):
    return next(i for i in made if i["district"] == district)
