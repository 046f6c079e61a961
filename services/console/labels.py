"""Chinese labels for the vocabulary and the services' states."""
import re
from datetime import datetime

from shared.clock import BEIJING
from shared.vocabulary import DISTRICTS

ROLE = {"registrar": "登记管理员", "inspector": "检查员", "handler": "投诉办理员",
        "school": "学校", "coordinator": "市级统筹", "publisher": "信息发布员", "admin": "系统管理员"}
DEPARTMENT = {"education": "教育部门", "culture_tourism": "文化和旅游部门", "sports": "体育部门",
              "market_regulation": "市场监管部门", "public_security": "公安部门",
              "fire": "消防救援部门"}
CATEGORY = {"academic": "学科类", "arts": "文化艺术类", "sports": "体育类", "science": "科技类"}
STATUS = {"open": "正常经营", "suspended": "停业整改中", "closed": "已关停"}
LIST = {"white": "白名单", "black": "黑名单", "none": "未列入名单"}
SEVERITY = {"minor": "一般", "major": "较大", "critical": "重大"}
KIND = {"self": "机构自查", "safety": "专项安全检查", "enforcement": "执法检查"}
MODE = {"unannounced": "不打招呼", "day": "日间", "night": "夜间", "joint": "联合检查",
        "random_sample": "随机抽查"}
LICENCE = {"school_permit": "办学许可证", "business_licence": "营业执照",
           "npo_registration": "民办非企业单位登记证书", "fire_safety": "消防安全检查合格/备案"}
COMPLAINT_STATUS = {"received": "已受理", "assigned": "已分办", "acknowledged": "办理中",
                    "verifying": "核查中", "verified": "已核查", "answered": "已答复",
                    "closed": "已办结", "reopened": "已重新打开", "merged": "已合并"}
ORDER_STATUS = {"open": "整改中", "reported": "已报告整改", "verified": "已验收"}
COMPLAINT_CATEGORY = {"unlicensed": "无证办学", "disguised_academic": "隐形变异学科类培训",
                      "prepaid_fee": "预收费", "advertising": "违规广告", "safety_hazard": "安全隐患",
                      "art_exam": "艺考培训", "other": "其他"}
CHANNEL = {"web": "网上举报", "hotline": "热线电话", "email": "电子邮件", "supervisor": "社会监督员",
           "school_survey": "学校摸底", "open311": "Open311"}
LABELS = {"role": ROLE, "department": DEPARTMENT, "category": CATEGORY, "status": STATUS,
          "list": LIST, "severity": SEVERITY, "kind": KIND, "mode": MODE, "licence": LICENCE,
          "complaint_status": COMPLAINT_STATUS, "order_status": ORDER_STATUS, "channel": CHANNEL,
          "complaint_category": COMPLAINT_CATEGORY,
          "district": DISTRICTS}


def label(value, kind):
    if value is None or value == "":
        return "—"
    return LABELS.get(kind, {}).get(value, value)

EVENT = {"ComplaintReceived": "收到举报", "ComplaintAssigned": "分办", "ComplaintAcknowledged": "受理",
         "VerificationRequested": "请求现场核查", "ComplaintVerified": "核查结果",
         "ComplaintAnswered": "答复举报人", "ComplaintReopened": "举报人要求重新办理",
         "ComplaintClosed": "办结", "ComplaintOverdue": "逾期", "ComplaintMerged": "合并",
"InstitutionRegistered": "登记", "LicenceRecorded": "记录证照", "LicenceExpired": "证照过期",
         "InstitutionSuspended": "停业整改", "InstitutionReinstated": "恢复经营",
         "InstitutionClosed": "关停", "BlacklistReviewOpened": "启动黑名单复核",
         "BlacklistReviewDecided": "黑名单复核决定"}
# Reasons the services write in English, told in Chinese (the original stays in the events).
_HAZARD = re.compile(r"^hazard found in inspection: (?P<item>.+) \((?P<severity>\w+)\)$")
KNOWN_REASONS = {"operating without the required licences": "无证办学", "rectified": "整改合格"}


MESSAGES = {"invalid input": "请按标出的提示修改后再提交。"}
# shared.auth's district refusal, said as the console's own district check says it
_OTHER_DISTRICT = re.compile(r"^a \w+ of district (?P<own>\d+) may not (act in|read) (?P<other>\d+)$")


def message(text):
    """A service's refusal, in Chinese where it is a generic one (the reason as given otherwise)."""
    other = _OTHER_DISTRICT.match(text or "")
    if other:  # shared.auth's refusal: says whose it is, as the console's own check does
        return (f"这是{label(other['other'], 'district')}的事项；您只能查看和办理"
                f"{label(other['own'], 'district')}的事项 ({text})")
    return MESSAGES.get(text, text)


def reason(text):
    if not text:
        return "—"
    hazard = _HAZARD.match(text)
    if hazard:
        return f"检查发现{label(hazard['severity'], 'severity')}隐患（{hazard['item']}）"
    return KNOWN_REASONS.get(text, text)


def local(instant, with_time=True):
    """An RFC 3339 instant in Beijing time: `2024-01-20 09:00` (dates stay as they are)."""
    if not instant or "T" not in str(instant):
        return instant or "—"
    try:
        moment = datetime.fromisoformat(str(instant).replace("Z", "+00:00")).astimezone(BEIJING)
    except ValueError:
        return instant
    return f"{moment:%Y-%m-%d %H:%M}" if with_time else f"{moment:%Y-%m-%d}"
