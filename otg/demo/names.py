"""Material for the demo's fictitious Weihai data set: places, brand words, course
names, pupils' names. Every institution, school, address and pupil the demo makes
up is invented from these lists; any likeness to a real one is chance."""

# Name prefixes and streets per district (the street names are Weihai-like, the
# house numbers invented).
DISTRICTS = {
    "371002": ("环翠区", ("新威路", "统一路", "青岛北路", "文化中路", "昆明路", "塔山中路",
                          "古寨东路", "光明路", "东城路", "海港路", "菊花顶路", "戚谷疃路")),
    "371003": ("文登区", ("米山路", "龙山路", "世纪大道", "峰山路", "昆嵛路", "环山路",
                          "天福路", "文山路", "抱龙河路", "珠海路")),
    "371082": ("荣成市", ("成山大道", "观海路", "府新路", "青山中路", "黄海中路", "嘉和路",
                          "石岛海湾路", "龙湾路", "寻山路")),
    "371083": ("乳山市", ("胜利街", "府前路", "青山路", "商业街", "育黎路", "金岭路",
                          "杭州路", "深圳路")),
    "371071": ("威海高区", ("文化西路", "火炬路", "沈阳中路", "科技路", "张家山路",
                            "双岛路", "初张路", "怡园街")),
    "371072": ("威海经区", ("海南路", "青岛中路", "大庆路", "香港路", "齐鲁大道",
                            "珠海路", "皇冠路", "泰山路")),
    "371073": ("威海临港区", ("江苏东路", "开元路", "草庙子路", "蔄山路", "汪疃路",
                              "苘山路")),
    "371074": ("威海南海新区", ("香山路", "观海路", "龙海路", "滨海大道", "海韵路",
                                "崮山路")),
}

# Share of the city's institutions in each district (they sum to 1).
WEIGHTS = {"371002": 0.28, "371003": 0.15, "371082": 0.15, "371083": 0.10,
           "371071": 0.11, "371072": 0.11, "371073": 0.05, "371074": 0.05}

BRANDS = ("海星", "启明", "博雅", "星辰", "蓝海", "智慧树", "书香", "墨韵", "童心", "未来",
          "金帆", "远航", "阳光", "朝阳", "彩虹", "晨曦", "乐学", "卓越", "明德", "致远",
          "新蕾", "小天鹅", "海鸥", "云帆", "青禾", "知行", "悦动", "飞扬", "奇思", "创想",
          "贝壳", "海韵", "琴韵", "丹青", "翰墨", "舞韵", "跃龙", "星火", "橙果", "麦田",
          "萌芽", "鲸鱼", "石榴籽", "松柏", "银杏", "扬帆", "灯塔", "海燕", "金话筒", "七色光",
          "小画家", "百灵鸟", "梧桐", "竹韵", "蒲公英", "向日葵", "海之声", "北斗", "天鹅湖", "鸿鹄")

# Institution categories: (share of institutions, {name ending: courses taught}).
CATEGORIES = {
    "arts": (0.45, {"艺术培训学校": ("钢琴", "美术", "中国舞"), "美术培训中心": ("美术", "素描"),
                    "舞蹈艺术学校": ("中国舞", "拉丁舞"), "音乐培训中心": ("钢琴", "声乐", "古筝"),
                    "书法培训学校": ("书法",), "播音主持培训中心": ("小主持人",),
                    "钢琴艺术学校": ("钢琴",), "戏剧表演培训中心": ("戏剧表演",)}),
    "sports": (0.25, {"体育培训中心": ("体能", "篮球"), "跆拳道培训中心": ("跆拳道",),
                      "篮球培训中心": ("篮球",), "游泳培训中心": ("游泳",), "武术培训学校": ("武术",),
                      "足球培训中心": ("足球",), "轮滑培训中心": ("轮滑",),
                      "羽毛球培训中心": ("羽毛球",)}),
    "science": (0.15, {"科技培训中心": ("科学实验",), "机器人编程培训中心": ("机器人", "少儿编程"),
                       "创客教育中心": ("创客",), "航模科技培训学校": ("航模",),
                       "少儿编程培训中心": ("少儿编程",)}),
    # Academic tutoring is not offered in the holidays: pupils' ledgers never name one.
    "academic": (0.15, {"文化培训学校": (), "教育培训学校": (), "学科培训中心": ()}),
}


def courses(name, category):
    """What an institution of this name teaches (by its name's ending)."""
    return next((taught for ending, taught in CATEGORIES[category][1].items()
                 if name.endswith(ending) or f"{ending}（" in name), ())


# Licence number prefixes of the permits (办学许可证) by category.
PERMIT_PREFIX = {"academic": "教民", "science": "教民", "arts": "文民", "sports": "体民"}

SCHOOL_KINDS = ("实验小学", "第一实验小学", "第二实验小学", "实验中学", "第一中学", "第二中学",
                "第三中学", "外国语学校")
GRADES = {"小学": ("一年级", "二年级", "三年级", "四年级", "五年级", "六年级"),
          "中学": ("七年级", "八年级", "九年级")}

SURNAMES = "王李张刘于孙姜丛毕谷林陈杨赵黄周吴徐胡朱高郭马罗宋梁曲鞠"
GIVEN = ("子涵", "欣怡", "梓轩", "浩然", "雨桐", "一诺", "思远", "佳琪", "宇航", "沐阳", "可馨",
         "诗涵", "博文", "俊熙", "若曦", "明轩", "雨泽", "梦瑶", "嘉怡", "天佑", "晨阳", "紫萱",
         "皓轩", "语桐", "一鸣", "乐瑶", "海宁", "书航")

# The institution a school's ledger names although it is on no list (the survey lead):
# academic tutoring in the holidays, disguised as a "study room".
UNLISTED = {"name": "启航学堂", "course": "数学培优"}
