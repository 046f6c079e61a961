"""What the demo's timeline says about an event: a Chinese label beside the event's
own (English) name, and a short detail line from its data. Events are told from
codes and business data only, like the events themselves."""
from collections import Counter

from shared.vocabulary import DISTRICTS, INSPECTION_KIND_NAMES as KINDS, SEVERITY_NAMES as SEVERITIES

SERVICES = {"console": "平台", "registry": "登记", "inspection": "检查", "tasks": "任务", "disclosure": "公示",
            "complaints": "举报"}
LABELS = {
    "OfficerAdded": "开设账号", "OfficerPasswordReset": "重置密码", "OfficerSignedIn": "登录平台",
    "OfficerSignedOut": "退出平台", "SignInRefused": "拒绝登录", "OfficerDisabled": "停用账号",
    "OfficerPasswordChanged": "修改密码", "OfficerRoleChanged": "变更岗位",
    "InstitutionRegistered": "机构登记", "LicenceRecorded": "证照登记", "LicenceExpired": "证照过期",
    "InstitutionSuspended": "停业整改", "InstitutionReinstated": "恢复营业", "InstitutionClosed": "机构关闭",
    "BlacklistReviewOpened": "启动黑名单审查", "BlacklistReviewDecided": "黑名单审查决定",
    "ListBatchPublished": "公布名单", "ListFiled": "名单报备",
    "InspectionScheduled": "安排检查", "SelfInspectionAnswered": "提交自查", "FindingRecorded": "记录问题",
    "HazardFound": "发现安全隐患", "UnlicensedOperationFound": "发现无证办学",
    "PatrolLogImported": "导入巡查记录", "InspectionCompleted": "检查结束",
    "RectificationOrdered": "责令整改", "RectificationReported": "报告整改完成",
    "RectificationVerified": "整改复查合格", "RectificationFailed": "整改复查不合格",
    "RectificationOverdue": "整改逾期", "SampleDrawn": "随机抽取",
    "ComplaintReceived": "收到举报", "ComplaintAssigned": "分派办理", "ComplaintMerged": "合并办理",
    "ComplaintAcknowledged": "受理", "VerificationRequested": "申请现场核查",
    "ComplaintVerified": "核查完成", "ComplaintAnswered": "答复举报人", "ComplaintReopened": "重新办理",
    "ComplaintClosed": "办结", "ComplaintOverdue": "办理逾期", "ComplaintEscalated": "升级至市级",
    "SupervisorRegistered": "登记社会监督员", "SupervisorRevoked": "撤销监督员",
    "ListPublished": "网站公布名单", "CaseExposed": "曝光案例", "CaseOutcomeRecorded": "案例后续",
    "CaseCorrected": "更正案例", "CaseWithdrawn": "撤回案例", "NoticePublished": "发布通报",
    "CampaignStarted": "专项行动启动", "SchoolRegistered": "学校登记",
    "ImplementationPlanFiled": "报送实施方案", "SurveyReturned": "学校摸底台账",
    "UnlistedInstitutionReported": "发现名单外机构", "MeetingsReported": "家长会/班会",
    "TaskCompleted": "任务完成", "TaskOverdue": "任务逾期", "DistrictNamed": "通报区市",
}
# Many of a kind, told as one summary line ("×24") rather than one line each.
ROUTINE = {"InstitutionRegistered", "LicenceRecorded", "SchoolRegistered", "ListBatchPublished",
           "ListFiled", "ListPublished", "ImplementationPlanFiled", "SurveyReturned",
           "MeetingsReported", "TaskCompleted", "SelfInspectionAnswered"}
# Inspection events that are routine when they belong to a self-inspection.
SELF_PARTS = {"InspectionScheduled", "InspectionCompleted", "FindingRecorded", "RectificationOrdered"}
CHANNELS = {"web": "网上举报", "hotline": "热线", "email": "邮件", "supervisor": "社会监督员",
            "school_survey": "学校摸底", "open311": "Open311"}
CATEGORIES = {"unlicensed": "无证无照办学", "disguised_academic": "隐形变异学科类培训",
              "prepaid_fee": "预付费/退费", "advertising": "违规广告", "safety_hazard": "安全隐患",
              "art_exam": "艺考培训", "other": "其他"}
CASES = {"hazard_suspension": "安全隐患·停业整改", "blacklisted": "列入黑名单", "unlicensed": "无证办学"}
DEPARTMENTS = {"education": "教育", "culture_tourism": "文旅", "sports": "体育",
               "market_regulation": "市场监管", "public_security": "公安", "fire": "消防"}


def district(code):
    return DISTRICTS.get(code or "", code or "—")


class Teller:
    """Remembers what earlier events said (institution names, self-inspections,
    task titles) to tell later ones, which carry only ids."""

    def __init__(self):
        self.names, self.districts = {}, {}  # institution id -> name, district
        self.sites = {}                      # inspection id -> the site's name
        self.self_inspections = set()
        self.tasks = {}

    def learn(self, name, data):
        if name == "InstitutionRegistered":
            self.names[data["institution_id"]] = data.get("name", "")
            self.districts[data["institution_id"]] = data.get("district")
        elif name == "InspectionScheduled":
            self.sites[data["inspection_id"]] = data.get("site_name") or ""
            if data.get("kind") == "self":
                self.self_inspections.add(data["inspection_id"])
        elif name == "CampaignStarted":
            self.tasks = {t["task_no"]: t["title"] for t in data.get("plan", {}).get("tasks", ())}

    def routine(self, name, data):
        if name in SELF_PARTS:
            return data.get("kind") == "self" or data.get("inspection_id") in self.self_inspections
        return name in ROUTINE

    def group(self, name, data):
        """What a routine event is counted under in its summary line."""
        if name == "TaskCompleted":
            return f"任务{data.get('task_no')}"
        return district(data.get("district") or self.districts.get(data.get("institution_id")))

    def who(self, data):
        name = (self.names.get(data.get("institution_id") or "") or data.get("institution_name")
                or data.get("site_name") or data.get("name")
                or self.sites.get(data.get("inspection_id") or "") or "")
        return f"{district(data.get('district'))} · {name}" if name else district(data.get("district"))

    def detail(self, name, data):
        tell = getattr(self, f"_{name}", None)
        return tell(data) if tell else self.who(data)

    def place(self, d):
        return district(d.get("district"))

    def _InstitutionSuspended(self, d):
        return join(self.who(d), d.get("reason"))

    _BlacklistReviewOpened = _InstitutionSuspended

    def _BlacklistReviewDecided(self, d):
        decided = {"cleared": "不列入黑名单 cleared", "blacklisted": "列入黑名单 blacklisted"}
        return join(self.who(d), decided.get(d.get("decision"), d.get("decision")), d.get("reason"))

    def _HazardFound(self, d):
        severity = d.get("severity")
        return join(self.who(d), f"{SEVERITIES.get(severity, '')}隐患 {severity}", d.get("item"),
                    DEPARTMENTS.get(d.get("department")))

    def _FindingRecorded(self, d):
        return join(self.who(d), d.get("item"), d.get("severity"))

    def _UnlicensedOperationFound(self, d):
        return join(self.place(d), d.get("name"), d.get("address"))

    def _InspectionScheduled(self, d):
        teams = "+".join(DEPARTMENTS.get(x, x) for x in d.get("departments", ()))
        kind = f"{KINDS.get(d.get('kind'), d.get('kind'))} {'/'.join(d.get('modes', ()))}"
        why = "核查举报 verifies a complaint" if d.get("source_type") == "complaint" else ""
        return join(self.who(d), kind, teams, why)

    def _InspectionCompleted(self, d):
        found = "发现问题 violation found" if d.get("outcome") == "violation_found" else "未发现问题"
        return join(self.who(d), KINDS.get(d.get("kind"), d.get("kind")), found)

    def _RectificationOrdered(self, d):
        return join(self.who(d), ", ".join(d.get("items", ())), f"期限 {d.get('deadline')}")

    def _ComplaintReceived(self, d):
        return join(self.place(d), CHANNELS.get(d.get("channel"), d.get("channel")),
                    CATEGORIES.get(d.get("category"), d.get("category")), d.get("institution_name"))

    def _ComplaintAssigned(self, d):
        return join(self.place(d), f"牵头 lead: {DEPARTMENTS.get(d.get('lead_department'))}")

    def _ComplaintVerified(self, d):
        return join(self.place(d), "属实 substantiated" if d.get("substantiated") else "不属实")

    _ComplaintAnswered = _ComplaintVerified

    def _ComplaintOverdue(self, d):
        return join(self.place(d), d.get("stage"))

    def _CaseExposed(self, d):
        name = d.get("institution_name") or self.names.get(d.get("institution_id") or "", "")
        return join(self.place(d), name, CASES.get(d.get("kind"), d.get("kind")),
                    f"/cases/{d.get('case_id')}")

    def _CaseOutcomeRecorded(self, d):
        return join(self.place(d), f"/cases/{d.get('case_id')}", d.get("outcome"))

    def _TaskOverdue(self, d):
        number = d.get("task_no")
        return join(self.place(d), f"任务{number} {self.tasks.get(number, '')}".strip(),
                    f"截止 {d.get('deadline')}", f"完成度 {_share(d.get('value'))}")

    def _DistrictNamed(self, d):
        return join(self.place(d), "；".join(d.get("reasons", ())))

    def _NoticePublished(self, d):
        return join(self.place(d), "区市通报 district named")

    def _UnlistedInstitutionReported(self, d):
        return join(self.place(d), d.get("institution_name"), f"{d.get('pupil_count')} 名学生 pupils")

    def _CampaignStarted(self, d):
        return join(d.get("title"), d.get("campaign_id"))


def join(*parts):
    return " · ".join(str(part) for part in parts if part)


def summary(groups):
    """`环翠区 12 · 文登区 5` for the Counter of a routine event's groups."""
    return " · ".join(f"{key} {count}" for key, count in Counter(groups).most_common())


def _share(value):
    return "—" if value is None else f"{value:.0%}"
