"""Demo data: places, centres and one login per role, as plain data.

Modelled on the districts named in the project brief (泉州市丰泽区, 金华市金东区,
上海市普陀区). Community names follow the real reports where they name one; the others,
every address and phone number, and every person are invented.

This module imports nothing from Django, so ``scripts/start.py`` can print the demo
logins with the system Python before the virtual environment exists. The loader is
``manage.py load_demo_data`` (``centres/management/commands/load_demo_data.py``).
"""

# --- Logins --------------------------------------------------------------------------

# Passes Django's password validators (length, not common, not numeric, not like the
# phone or name). Shared by every demo login; never use these accounts in production.
DEMO_PASSWORD = "Citong-demo-2026"  # noqa: S105 (a published demo password)

DEMO_LOGINS = [
    {
        "phone": "13900000001",
        "name": "林晓禾",
        "role": "resident",
        "role_label": "Resident",
        "role_label_zh": "居民",
        "home_community": ("丰泽区", "丰泽街道", "丰泽社区"),
        "scope": "lives in 丰泽社区",
    },
    {
        "phone": "13900000002",
        "name": "黄雅琴",
        "role": "centre_staff",
        "role_label": "Centre staff",
        "role_label_zh": "中心工作人员",
        "centres": ("fengze-community", "fengze-street"),
        "scope": "丰泽社区党群服务中心, 丰泽街道党群服务中心",
    },
    {
        "phone": "13900000003",
        "name": "陈志远",
        "role": "street_staff",
        "role_label": "Street staff",
        "role_label_zh": "街道工作人员",
        "area": ("丰泽区", "丰泽街道"),
        "scope": "丰泽街道",
    },
    {
        "phone": "13900000004",
        "name": "郑文斌",
        "role": "district_staff",
        "role_label": "District staff",
        "role_label_zh": "区委组织部",
        "area": ("丰泽区",),
        "scope": "丰泽区",
    },
    {
        "phone": "13900000005",
        "name": "蔡秀兰",
        "role": "representative",
        "role_label": "Resident representative",
        "role_label_zh": "群众代表",
        "area": ("丰泽区", "丰泽街道", "丰泽社区"),
        "scope": "丰泽社区",
    },
]

# --- Places --------------------------------------------------------------------------

# (city, district, [(street or town, [communities or villages])])
AREAS = [
    (
        "泉州市",
        "丰泽区",
        [
            ("丰泽街道", ["丰泽社区", "东美社区", "坪山社区"]),
            ("东湖街道", ["圣湖社区", "东湖社区", "荀山社区"]),
            ("城东街道", ["浔美社区", "金星社区", "东星社区"]),
            ("泉秀街道", ["华丰社区", "刺桐社区", "宝洲社区"]),
            ("东海街道", ["北星社区", "东梅社区", "云山社区"]),
            ("北峰街道", ["群峰社区", "招丰社区"]),
            ("华大街道", ["城东社区", "华大社区"]),
        ],
    ),
    (
        "金华市",
        "金东区",
        [
            ("多湖街道", ["光南社区", "多湖社区", "东湄社区"]),
            ("东孝街道", ["东孝社区", "汀村社区"]),
            ("孝顺镇", ["浦口村", "中柔村"]),
        ],
    ),
    (
        "上海市",
        "普陀区",
        [
            ("万里街道", ["万里城社区", "新湖社区"]),
        ],
    ),
]

# --- Rooms ---------------------------------------------------------------------------

# key: (name, capacity, what it is for, picture drawn for a demo photo)
ROOMS = {
    "hall": ("一站式服务大厅", 20, "便民办事窗口、社保医保业务、24小时自助服务终端", "service"),
    "book_bar": ("党建书吧", 30, "阅读、党员学习、青年夜校读书会", "library"),
    "activity": ("多功能活动室", 60, "讲座、合唱排练、社区议事、邻里节", "hall"),
    "day_care": ("日间照料室", 25, "老年人日间休息、助餐、康复锻炼", "lounge"),
    "after_school": ("四点钟课堂教室", 30, "6–12岁儿童放学后作业辅导与托管", "children"),
    "early_ed": ("早教室", 15, "0–3岁婴幼儿亲子早教", "children"),
    "health": ("健康小屋", 8, "血压血糖测量、家庭医生签约咨询", "clinic"),
    "table_tennis": ("乒乓球室", 12, "乒乓球、台球，老年人健身", "sports"),
    "mediation": ("调解室", 6, "邻里纠纷调解、法律咨询", "office"),
    "canteen": ("社区食堂", 80, "老年助餐、居民就餐", "canteen"),
    "dance": ("舞蹈室", 35, "广场舞排练、青年夜校舞蹈课", "sports"),
    "veterans": ("退役军人服务站", 8, "优抚政策咨询、退役军人帮扶", "office"),
    "family_hall": ("家风家训馆", 40, "家风家训展陈、亲子参观、道德讲堂", "library"),
    "children_home": ("儿童之家", 25, "儿童游戏、绘本阅读、暑期乐园", "children"),
    "counselling": ("心理咨询室", 4, "心理疏导、青少年成长咨询", "office"),
    # street / town
    "street_hall": ("综合服务大厅", 40, "街道政务服务、不动产和社保业务窗口", "service"),
    "auditorium": ("报告厅", 200, "党课、报告会、文艺演出", "hall"),
    "civilisation": ("新时代文明实践站", 50, "志愿服务招募与培训", "hall"),
    "youth_palace": ("青少年宫", 45, "书法、武术、美术兴趣班，冬令营", "children"),
    # village
    "village_council": ("村民议事厅", 50, "村民代表会议、村务公开", "hall"),
    "farm_library": ("农家书屋", 20, "图书借阅、农技资料", "library"),
    "culture_hall": ("文化礼堂", 150, "村晚、婚丧简办、节庆活动", "hall"),
    "village_canteen": ("老年食堂", 40, "60岁以上村民助餐", "canteen"),
    "village_clinic": ("卫生室", 6, "村医门诊、慢病随访", "clinic"),
    # industrial park, office building, shopping area
    "park_party": ("园区党员活动室", 40, "企业党组织活动、主题党日", "hall"),
    "workers_books": ("职工书屋", 25, "职工阅读、技能培训", "library"),
    "enterprise_desk": ("企业服务窗口", 10, "企业开办、人才政策、用工咨询", "service"),
    "roadshow": ("路演厅", 80, "项目路演、招聘会", "hall"),
    "nursing": ("母婴室", 2, "哺乳、婴儿护理", "lounge"),
    "meeting": ("共享会议室", 20, "楼宇企业免费预约使用", "office"),
    "white_collar": ("白领课堂", 40, "青年夜校：摄影、理财、烘焙", "hall"),
    "gym": ("健身房", 20, "职工健身", "sports"),
    "merchant": ("商户服务站", 12, "个体工商户登记、消费维权", "service"),
    # new-employment groups
    "rider_rest": ("骑手休息区", 40, "沙发、饮水、微波炉、手机充电、雨具借用", "riders"),
    "battery": ("换电站", 6, "电动车电池换电柜（24小时自助）、充电桩", "riders"),
    "rider_canteen": ("爱心餐厅", 60, "骑手优惠餐 10:30–14:00、17:00–21:00", "canteen"),
    "rights": ("权益服务站", 8, "劳动保障、社保参保、法律援助", "office"),
    "repair": ("电动车维修点", 4, "小修小补、安全检测", "riders"),
}

ROOM_SETS = {
    "community": ["hall", "book_bar", "activity", "day_care", "after_school", "health"],
    "community_small": ["hall", "book_bar", "activity", "health"],
    "street": ["street_hall", "auditorium", "civilisation", "book_bar", "counselling"],
    "village": ["village_council", "farm_library", "culture_hall", "village_canteen", "village_clinic"],
    "park": ["park_party", "workers_books", "enterprise_desk", "roadshow", "nursing"],
    "building": ["meeting", "white_collar", "book_bar", "gym", "nursing"],
    "commercial": ["merchant", "meeting", "nursing", "book_bar"],
    "riders": ["rider_rest", "battery", "rider_canteen", "rights", "repair"],
}

# --- Service functions ---------------------------------------------------------------

# Several ways each standard function is described; centres take them in turn.
FUNCTION_TEXTS = {
    "eldercare": [
        "老年人日间照料；助餐服务 11:00–12:30，70岁以上老人每餐优惠；每周二上午免费测血压血糖。",
        "老年食堂 11:00–12:30、17:00–18:00；老年合唱团每周三 9:00–11:00 排练；乒乓球室全天开放。",
        "智能手机课堂每周四 9:30–11:00；上门助浴、助洁预约；独居老人每周电话问候。",
    ],
    "childcare": [
        "4点钟课堂：上学日 16:00–18:30，6–12岁儿童作业辅导与托管，由家长预约。",
        "暑期乐园（7–8月，工作日 8:30–17:00）、冬令营；周六上午书法、武术兴趣班。",
        "0–3岁亲子早教：每周二、周五 9:30–10:30，由家长陪同；4点钟课堂上学日 16:00–18:00。",
    ],
    "medical": [
        "家庭医生每周一、三、五上午坐诊 8:30–11:30；每月一次健康讲座。",
        "社区卫生服务站：工作日 8:00–17:00；中医理疗（推拿、艾灸）每周二、周四下午。",
        "健康小屋自助体检（血压、血糖、体重）；每月第一个周六义诊。",
    ],
    "culture_sports": [
        "党建书吧每天开放；青年夜校每周二、周四 19:00–20:30（舞蹈、摄影、烹饪、理财）。",
        "篮球场、健身路径全天开放；广场舞队每晚 19:30 活动；每月一场社区电影。",
        "图书借阅；周末亲子阅读会；书法、国画班每周六 14:30–16:30。",
    ],
    "daily_life": [
        "邻里义剪每月 10 日上午；家电义修每月第二个周六；社区食堂 11:00–13:00、17:00–19:00。",
        "邻里集市每月最后一个周日上午；快递代收；雨伞、轮椅、工具箱借用。",
        "家政服务对接、旧衣回收；每周四下午便民维修（修鞋、配钥匙、磨刀）。",
    ],
    "affairs": [
        "一站式服务大厅：社保、医保、居住证、老年优待证等事项就近办理；24小时自助服务终端。",
        "代办帮办：为老年人、残疾人上门代办；调解室接待邻里纠纷；退役军人服务站每周三下午接待。",
        "政务服务自助终端 24 小时可用；工作日 8:30–17:30 人工窗口，午间不打烊。",
    ],
}

# The centre's own services ("X"): name → what is offered and when.
OWN_FUNCTIONS = {
    "家风家训馆": "家风家训主题展陈；周六、周日 9:00–17:00 开放参观，学校团体可预约讲解。",
    "儿童之家": "绘本阅读、游戏活动；上学日 16:00–18:30，周末 9:00–11:30；寒暑假开设主题营。",
    "法律咨询": "律师每周三 14:30–17:00 驻点，免费解答婚姻家庭、劳动、物业纠纷问题。",
    "青少年宫": "书法、武术、美术、合唱兴趣班；周六、周日全天开课，寒暑假开设冬令营、暑期乐园。",
    "骑手换电站": "电动车电池换电柜 24 小时自助换电；充电桩 20 个；雨天免费提供雨衣。",
    "骑手之家": "休息、饮水、热饭、手机充电；每月一次骑手座谈会，听取意见建议。",
    "人才驿站": "人才政策咨询、人才公寓申请、创业指导，工作日 9:00–17:00。",
    "青年夜校": "面向 18–45 岁青年：舞蹈、摄影、咖啡、理财课程，每周二、周四 19:00–20:30。",
    "邻里议事会": "每月 15 日晚 19:30 召开，居民代表共商小区停车、加装电梯等事项。",
    "非遗传习所": "南音、木偶头雕刻体验课，每周六 14:30–16:30。",
}

FUNCTION_ORDER = ["eldercare", "childcare", "medical", "culture_sports", "daily_life", "affairs"]

# --- Opening hours -------------------------------------------------------------------

WEEKDAYS = (0, 1, 2, 3, 4)
WEEKEND = (5, 6)
HOLIDAY = (7,)
EVERY_DAY = WEEKDAYS + WEEKEND + HOLIDAY

# profile → [(days, kind, opens, closes)]; days use centres.models.Day values
# (0 Monday … 6 Sunday, 7 public holidays).
HOURS = {
    # Weekdays with a lunch break; closed at weekends.
    "office": [
        (WEEKDAYS, "regular", "08:30", "12:00"),
        (WEEKDAYS, "regular", "14:30", "17:30"),
    ],
    # Weekdays without a lunch break, extended evenings until 20:30.
    "extended": [
        (WEEKDAYS, "regular", "08:30", "17:30"),
        (WEEKDAYS, "extended", "17:30", "20:30"),
    ],
    # Closed on Mondays; staggered hours at weekends.
    "staggered": [
        ((1, 2, 3, 4), "regular", "09:00", "18:00"),
        (WEEKEND, "staggered", "09:00", "12:00"),
        (WEEKEND, "staggered", "14:30", "18:30"),
    ],
    # "365天不打烊": extended evenings, staggered weekends and public holidays, and
    # appointments after that.
    "all_year": [
        (WEEKDAYS, "regular", "08:30", "17:30"),
        (WEEKDAYS, "extended", "17:30", "20:30"),
        (WEEKDAYS, "appointment", "20:30", "21:30"),
        (WEEKEND, "staggered", "09:00", "12:00"),
        (WEEKEND, "staggered", "14:30", "18:00"),
        (WEEKEND, "appointment", "18:00", "20:00"),
        (HOLIDAY, "staggered", "09:00", "17:00"),
    ],
    # Weekdays; weekends and public holidays by appointment only.
    "appointment": [
        (WEEKDAYS, "regular", "09:00", "17:00"),
        (WEEKEND + HOLIDAY, "appointment", "09:00", "11:30"),
    ],
    # Villages open early, close for the midday heat, and open two evenings a week.
    "village": [
        (WEEKDAYS, "regular", "08:00", "11:30"),
        (WEEKDAYS, "regular", "14:00", "17:30"),
        ((1, 3), "extended", "19:00", "21:00"),
        ((5,), "staggered", "08:00", "11:30"),
    ],
    # Office towers: long weekdays, evening classes Monday to Thursday.
    "building": [
        (WEEKDAYS, "regular", "08:30", "18:30"),
        ((0, 1, 2, 3), "extended", "18:30", "21:00"),
    ],
    # Riders' stations: every day of the year, early to late.
    "riders": [
        (WEEKDAYS, "regular", "08:00", "18:00"),
        (WEEKDAYS, "extended", "18:00", "23:00"),
        (WEEKEND + HOLIDAY, "staggered", "08:00", "23:00"),
        (EVERY_DAY, "appointment", "06:30", "08:00"),
    ],
}

# --- Centres -------------------------------------------------------------------------

# area: (district, street) or (district, street, community); rooms: a ROOM_SETS key
# plus extra ROOMS keys; functions: standard codes; own: OWN_FUNCTIONS names;
# exceptions: date exceptions in the coming weeks (see DATE_EXCEPTIONS).
CENTRES = [
    # 泉州市丰泽区
    {
        "slug": "fengze-street",
        "name": "丰泽街道党群服务中心",
        "kind": "street",
        "area": ("丰泽区", "丰泽街道"),
        "address": "泉州市丰泽区丰泽街 318 号",
        "floor_area": 1260,
        "phone": "0595-22100101",
        "rooms": ("street", "youth_palace"),
        "functions": ["culture_sports", "affairs", "childcare", "medical"],
        "own": ["青少年宫", "法律咨询"],
        "hours": "extended",
    },
    {
        "slug": "fengze-community",
        "name": "丰泽社区党群服务中心",
        "kind": "community",
        "area": ("丰泽区", "丰泽街道", "丰泽社区"),
        "address": "泉州市丰泽区丰泽街 226 号",
        "floor_area": 860,
        "phone": "0595-22100102",
        "rooms": ("community", "canteen", "mediation"),
        "functions": FUNCTION_ORDER,
        "own": ["邻里议事会"],
        "hours": "all_year",
        "exceptions": ["maintenance"],
    },
    {
        "slug": "dongmei-community",
        "name": "东美社区党群服务中心",
        "kind": "community",
        "area": ("丰泽区", "丰泽街道", "东美社区"),
        "address": "泉州市丰泽区东美路 58 号",
        "floor_area": 520,
        "phone": "0595-22100103",
        "rooms": ("community_small", "table_tennis"),
        "functions": ["eldercare", "culture_sports", "affairs", "daily_life"],
        "hours": "extended",
    },
    {
        "slug": "pingshan-community",
        "name": "坪山社区党群服务中心",
        "kind": "community",
        "area": ("丰泽区", "丰泽街道", "坪山社区"),
        "address": "泉州市丰泽区坪山路 102 号",
        "floor_area": 410,
        "phone": "0595-22100104",
        "rooms": ("community_small", "veterans"),
        "functions": ["eldercare", "medical", "affairs"],
        "hours": "office",
    },
    {
        "slug": "donghu-street",
        "name": "东湖街道党群服务中心",
        "kind": "street",
        "area": ("丰泽区", "东湖街道"),
        "address": "泉州市丰泽区东湖街 87 号",
        "floor_area": 1480,
        "phone": "0595-22100105",
        "rooms": ("street",),
        "functions": ["culture_sports", "affairs", "medical"],
        "own": ["青年夜校"],
        "hours": "extended",
    },
    {
        "slug": "shenghu-community",
        "name": "圣湖社区党群服务中心",
        "kind": "community",
        "area": ("丰泽区", "东湖街道", "圣湖社区"),
        "address": "泉州市丰泽区圣湖路 16 号",
        "floor_area": 780,
        "phone": "0595-22100106",
        "rooms": ("community", "family_hall", "dance"),
        "functions": FUNCTION_ORDER,
        "own": ["家风家训馆"],
        "hours": "all_year",
        "exceptions": ["festival"],
    },
    {
        "slug": "xunshan-community",
        "name": "荀山社区邻里中心",
        "kind": "community",
        "area": ("丰泽区", "东湖街道", "荀山社区"),
        "address": "泉州市丰泽区荀山路 9 号",
        "floor_area": 630,
        "phone": "0595-22100107",
        "rooms": ("community", "canteen"),
        "functions": ["eldercare", "childcare", "daily_life", "culture_sports"],
        "hours": "staggered",
    },
    {
        "slug": "xunmei-community",
        "name": "浔美社区党群服务中心",
        "kind": "community",
        "area": ("丰泽区", "城东街道", "浔美社区"),
        "address": "泉州市丰泽区浔美路 35 号",
        "floor_area": 690,
        "phone": "0595-22100108",
        "rooms": ("community", "children_home"),
        "functions": ["eldercare", "childcare", "medical", "culture_sports", "affairs"],
        "own": ["儿童之家", "非遗传习所"],
        "hours": "extended",
    },
    {
        "slug": "chengdong-tech-park",
        "name": "城东科创园区党群服务中心",
        "kind": "park",
        "area": ("丰泽区", "城东街道"),
        "address": "泉州市丰泽区城东科创园 A 栋 1 层",
        "floor_area": 950,
        "phone": "0595-22100109",
        "rooms": ("park", "gym"),
        "functions": ["affairs", "culture_sports", "daily_life"],
        "own": ["人才驿站"],
        "hours": "building",
    },
    {
        "slug": "jinxing-community",
        "name": "金星社区党群服务中心",
        "kind": "community",
        "area": ("丰泽区", "城东街道", "金星社区"),
        "address": "泉州市丰泽区金星路 71 号",
        "floor_area": 380,
        "phone": "0595-22100110",
        "rooms": ("community_small",),
        "functions": ["eldercare", "affairs", "daily_life"],
        "hours": "appointment",
    },
    {
        "slug": "huafeng-community",
        "name": "华丰社区党群服务中心",
        "kind": "community",
        "area": ("丰泽区", "泉秀街道", "华丰社区"),
        "address": "泉州市丰泽区华丰路 128 号",
        "floor_area": 920,
        "phone": "0595-22100111",
        "rooms": ("community", "canteen", "early_ed", "table_tennis"),
        "functions": FUNCTION_ORDER,
        "own": ["法律咨询"],
        "hours": "all_year",
        "exceptions": ["renovation"],
    },
    {
        "slug": "quanxiu-new-employment",
        "name": "泉秀街道新就业群体党群服务中心",
        "kind": "new_employment",
        "area": ("丰泽区", "泉秀街道"),
        "address": "泉州市丰泽区泉秀路 560 号",
        "floor_area": 3389,
        "phone": "0595-22100112",
        "rooms": ("riders", "health"),
        "functions": ["daily_life", "affairs", "medical"],
        "own": ["骑手换电站", "骑手之家"],
        "hours": "riders",
    },
    {
        "slug": "citong-community",
        "name": "刺桐社区党群服务中心",
        "kind": "community",
        "area": ("丰泽区", "泉秀街道", "刺桐社区"),
        "address": "泉州市丰泽区刺桐路 203 号",
        "floor_area": 450,
        "phone": "0595-22100113",
        "rooms": ("community_small", "day_care"),
        "functions": ["eldercare", "culture_sports", "affairs"],
        "hours": "office",
    },
    {
        "slug": "baozhou-community",
        "name": "宝洲社区党群服务中心",
        "kind": "community",
        "area": ("丰泽区", "泉秀街道", "宝洲社区"),
        "address": "泉州市丰泽区宝洲街 45 号",
        "floor_area": 560,
        "phone": "0595-22100114",
        "rooms": ("community",),
        "functions": ["eldercare", "childcare", "culture_sports", "affairs"],
        "hours": "staggered",
    },
    {
        "slug": "beixing-community",
        "name": "北星社区党群服务中心",
        "kind": "community",
        "area": ("丰泽区", "东海街道", "北星社区"),
        "address": "泉州市丰泽区东海大街 1021 号",
        "floor_area": 740,
        "phone": "0595-22100115",
        "rooms": ("community", "dance"),
        "functions": ["eldercare", "childcare", "medical", "culture_sports", "daily_life"],
        "hours": "extended",
    },
    {
        "slug": "donghai-business-tower",
        "name": "东海商务楼宇党群服务中心",
        "kind": "building",
        "area": ("丰泽区", "东海街道"),
        "address": "泉州市丰泽区东海大街 888 号金融广场 23 层",
        "floor_area": 600,
        "phone": "0595-22100116",
        "rooms": ("building",),
        "functions": ["culture_sports", "affairs", "medical"],
        "own": ["青年夜校"],
        "hours": "building",
    },
    {
        "slug": "donghai-shopping-area",
        "name": "东海商圈党群服务站",
        "kind": "commercial",
        "area": ("丰泽区", "东海街道"),
        "address": "泉州市丰泽区东海大街 1200 号商业街 2 层",
        "floor_area": 260,
        "phone": "0595-22100117",
        "rooms": ("commercial",),
        "functions": ["affairs", "daily_life"],
        "own": ["法律咨询"],
        "hours": "staggered",
    },
    {
        "slug": "qunfeng-community",
        "name": "群峰社区党群服务中心",
        "kind": "community",
        "area": ("丰泽区", "北峰街道", "群峰社区"),
        "address": "泉州市丰泽区群峰路 66 号",
        "floor_area": 580,
        "phone": "0595-22100118",
        "rooms": ("community", "table_tennis"),
        "functions": ["eldercare", "childcare", "culture_sports", "affairs"],
        "hours": "staggered",
    },
    {
        "slug": "zhaofeng-community",
        "name": "招丰社区党群服务中心",
        "kind": "community",
        "area": ("丰泽区", "北峰街道", "招丰社区"),
        "address": "泉州市丰泽区招丰路 12 号",
        "floor_area": 330,
        "phone": "0595-22100119",
        "rooms": ("community_small",),
        "functions": ["eldercare", "medical", "affairs"],
        "hours": "appointment",
    },
    {
        "slug": "chengdong-community",
        "name": "城东社区党群服务中心",
        "kind": "community",
        "area": ("丰泽区", "华大街道", "城东社区"),
        "address": "泉州市丰泽区华大路 140 号",
        "floor_area": 820,
        "phone": "0595-22100120",
        "rooms": ("community", "canteen", "counselling"),
        "functions": FUNCTION_ORDER,
        "hours": "all_year",
    },
    {
        "slug": "huada-street",
        "name": "华大街道党群服务中心",
        "kind": "street",
        "area": ("丰泽区", "华大街道"),
        "address": "泉州市丰泽区华大街 20 号",
        "floor_area": 1100,
        "phone": "0595-22100121",
        "rooms": ("street",),
        "functions": ["affairs", "culture_sports"],
        "hours": "office",
    },
    # 金华市金东区
    {
        "slug": "duohu-street",
        "name": "多湖街道党群服务中心",
        "kind": "street",
        "area": ("金东区", "多湖街道"),
        "address": "金华市金东区多湖中央商务区宾虹东路 99 号",
        "floor_area": 1350,
        "phone": "0579-82200101",
        "rooms": ("street", "youth_palace"),
        "functions": ["affairs", "culture_sports", "childcare"],
        "own": ["青少年宫"],
        "hours": "extended",
    },
    {
        "slug": "guangnan-community",
        "name": "光南社区党群服务中心",
        "kind": "community",
        "area": ("金东区", "多湖街道", "光南社区"),
        "address": "金华市金东区光南路 188 号",
        "floor_area": 960,
        "phone": "0579-82200102",
        "rooms": ("community", "canteen", "early_ed", "family_hall"),
        "functions": FUNCTION_ORDER,
        "own": ["家风家训馆", "儿童之家"],
        "hours": "all_year",
        "exceptions": ["training"],
    },
    {
        "slug": "duohu-community",
        "name": "多湖社区党群服务中心",
        "kind": "community",
        "area": ("金东区", "多湖街道", "多湖社区"),
        "address": "金华市金东区多湖路 23 号",
        "floor_area": 480,
        "phone": "0579-82200103",
        "rooms": ("community_small", "day_care"),
        "functions": ["eldercare", "medical", "affairs", "daily_life"],
        "hours": "extended",
    },
    {
        "slug": "dongmei-jindong-community",
        "name": "东湄社区党群服务中心",
        "kind": "community",
        "area": ("金东区", "多湖街道", "东湄社区"),
        "address": "金华市金东区东湄路 7 号",
        "floor_area": 430,
        "phone": "0579-82200104",
        "rooms": ("community_small",),
        "functions": ["eldercare", "culture_sports", "affairs"],
        "hours": "office",
    },
    {
        "slug": "jindong-riders",
        "name": "金东区新就业群体骑手驿站",
        "kind": "new_employment",
        "area": ("金东区", "多湖街道"),
        "address": "金华市金东区李渔东路 305 号",
        "floor_area": 420,
        "phone": "0579-82200105",
        "rooms": ("riders",),
        "functions": ["daily_life", "affairs"],
        "own": ["骑手换电站"],
        "hours": "riders",
    },
    {
        "slug": "dongxiao-community",
        "name": "东孝社区党群服务中心",
        "kind": "community",
        "area": ("金东区", "东孝街道", "东孝社区"),
        "address": "金华市金东区东孝路 56 号",
        "floor_area": 520,
        "phone": "0579-82200106",
        "rooms": ("community",),
        "functions": ["eldercare", "childcare", "culture_sports", "affairs"],
        "hours": "staggered",
    },
    {
        "slug": "jindong-industrial-park",
        "name": "金东经济开发区园区党群服务中心",
        "kind": "park",
        "area": ("金东区", "东孝街道"),
        "address": "金华市金东区经济开发区傅村路 1 号",
        "floor_area": 1100,
        "phone": "0579-82200107",
        "rooms": ("park", "canteen"),
        "functions": ["affairs", "daily_life", "medical"],
        "own": ["人才驿站"],
        "hours": "building",
    },
    {
        "slug": "xiaoshun-town",
        "name": "孝顺镇党群服务中心",
        "kind": "street",
        "area": ("金东区", "孝顺镇"),
        "address": "金华市金东区孝顺镇人民路 12 号",
        "floor_area": 1500,
        "phone": "0579-82200108",
        "rooms": ("street",),
        "functions": ["affairs", "culture_sports", "medical"],
        "hours": "office",
    },
    {
        "slug": "pukou-village",
        "name": "浦口村党群服务中心",
        "kind": "village",
        "area": ("金东区", "孝顺镇", "浦口村"),
        "address": "金华市金东区孝顺镇浦口村村委会",
        "floor_area": 650,
        "phone": "0579-82200109",
        "rooms": ("village", "children_home"),
        "functions": ["eldercare", "culture_sports", "medical", "affairs"],
        "own": ["儿童之家"],
        "hours": "village",
    },
    {
        "slug": "zhongrou-village",
        "name": "中柔村党群服务中心",
        "kind": "village",
        "area": ("金东区", "孝顺镇", "中柔村"),
        "address": "金华市金东区孝顺镇中柔村文化礼堂旁",
        "floor_area": 540,
        "phone": "0579-82200110",
        "rooms": ("village",),
        "functions": ["eldercare", "culture_sports", "affairs"],
        "hours": "village",
    },
    # 上海市普陀区
    {
        "slug": "wanli-street",
        "name": "万里街道党群服务中心",
        "kind": "street",
        "area": ("普陀区", "万里街道"),
        "address": "上海市普陀区万里街道富平路 500 号",
        "floor_area": 2100,
        "phone": "021-52100101",
        "rooms": ("street", "canteen"),
        "functions": ["affairs", "culture_sports", "eldercare", "medical"],
        "own": ["青年夜校"],
        "hours": "all_year",
    },
    {
        "slug": "wanlicheng-community",
        "name": "万里城社区党群服务站",
        "kind": "community",
        "area": ("普陀区", "万里街道", "万里城社区"),
        "address": "上海市普陀区新村路 1888 弄 12 号",
        "floor_area": 580,
        "phone": "021-52100102",
        "rooms": ("community",),
        "functions": ["eldercare", "childcare", "culture_sports", "affairs"],
        "hours": "extended",
        "exceptions": ["graduation"],
    },
    {
        "slug": "xinhu-community",
        "name": "新湖社区党群服务站",
        "kind": "community",
        "area": ("普陀区", "万里街道", "新湖社区"),
        "address": "上海市普陀区大华路 320 弄 5 号",
        "floor_area": 360,
        "phone": "021-52100103",
        "rooms": ("community_small",),
        "functions": ["eldercare", "daily_life", "affairs"],
        "hours": "appointment",
    },
    {
        "slug": "wanli-office-tower",
        "name": "万里街道楼宇党群服务站",
        "kind": "building",
        "area": ("普陀区", "万里街道"),
        "address": "上海市普陀区真华路 990 号 8 层",
        "floor_area": 300,
        "phone": "021-52100104",
        "rooms": ("building",),
        "functions": ["culture_sports", "affairs"],
        "own": ["青年夜校"],
        "hours": "building",
    },
]

# Date exceptions in the coming weeks: key → list of exceptions. ``weekday`` picks the
# first such weekday at least ``days_ahead`` days from today (0 Monday … 6 Sunday).
# The loader recognises its own rows by these notes and replaces them on every run.
DATE_EXCEPTIONS = {
    "maintenance": [
        {"days_ahead": 3, "weekday": 2, "closed": True, "note": "消防设施检修，暂停开放一天"},
    ],
    "festival": [
        {
            "days_ahead": 7,
            "weekday": 5,
            "kind": "staggered",
            "opens": "09:00",
            "closes": "21:00",
            "note": "邻里节，全天延长开放",
        },
    ],
    "renovation": [
        {"days_ahead": 8, "weekday": 0, "closed": True, "note": "四点钟课堂教室改造，暂停开放"},
        {"days_ahead": 8, "weekday": 1, "closed": True, "note": "四点钟课堂教室改造，暂停开放"},
    ],
    "training": [
        {
            "days_ahead": 4,
            "weekday": 3,
            "kind": "regular",
            "opens": "14:00",
            "closes": "17:30",
            "note": "上午工作人员集中培训，下午正常开放",
        },
    ],
    "graduation": [
        {
            "days_ahead": 10,
            "weekday": 4,
            "kind": "regular",
            "opens": "08:30",
            "closes": "17:30",
            "note": "青年夜校结业展演",
        },
        {
            "days_ahead": 10,
            "weekday": 4,
            "kind": "extended",
            "opens": "18:00",
            "closes": "21:30",
            "note": "青年夜校结业展演",
        },
    ],
}

DEMO_EXCEPTION_NOTES = {exception["note"] for group in DATE_EXCEPTIONS.values() for exception in group}
