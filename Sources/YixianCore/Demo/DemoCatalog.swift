import Foundation

/// The fixed lists the demo university is cut from. Order matters: a scale takes the first
/// n entries, so the first 15 colleges and 20 departments already hold every kind and tag.
enum DemoCatalog {
    struct College: Sendable {
        let code: String
        let name: String
        /// How students and posters shorten the name: 计算机学院.
        let shortName: String
        /// Prefix of class names: 计算机2301班.
        let classPrefix: String
        /// Relative enrolment.
        let weight: Double
    }

    struct Department: Sendable {
        let code: String
        let name: String
        let kind: UnitKind
        /// Head's title; the deputy's is 副 + title.
        let headTitle: String
        let tags: [String]
        /// Heads of these sit on the university party committee.
        var onPartyCommittee = false
    }

    struct Leader: Sendable {
        let posts: [String]
        let tags: [String]
        let partyMember: Bool
    }

    static let colleges: [College] = [
        College(code: "CS", name: "计算机科学与技术学院", shortName: "计算机学院", classPrefix: "计算机", weight: 1.4),
        College(code: "ME", name: "机械工程学院", shortName: "机械学院", classPrefix: "机械", weight: 1.3),
        College(code: "MARX", name: "马克思主义学院", shortName: "马院", classPrefix: "思政", weight: 0.5),
        College(code: "FL", name: "外国语学院", shortName: "外语学院", classPrefix: "英语", weight: 0.9),
        College(code: "EM", name: "经济管理学院", shortName: "经管学院", classPrefix: "经管", weight: 1.3),
        College(code: "EE", name: "电气与信息工程学院", shortName: "电气学院", classPrefix: "电气", weight: 1.2),
        College(code: "CE", name: "土木工程学院", shortName: "土木学院", classPrefix: "土木", weight: 1.1),
        College(code: "MATH", name: "数学与统计学院", shortName: "数统学院", classPrefix: "数学", weight: 0.9),
        College(code: "PHY", name: "物理与电子科学学院", shortName: "物电学院", classPrefix: "物理", weight: 0.8),
        College(code: "CHEM", name: "化学化工学院", shortName: "化工学院", classPrefix: "化工", weight: 1.0),
        College(code: "MSE", name: "材料科学与工程学院", shortName: "材料学院", classPrefix: "材料", weight: 0.9),
        College(code: "LIT", name: "文学与新闻传播学院", shortName: "文传学院", classPrefix: "汉语言", weight: 0.9),
        College(code: "LAW", name: "法学院", shortName: "法学院", classPrefix: "法学", weight: 0.7),
        College(code: "ART", name: "艺术设计学院", shortName: "艺术学院", classPrefix: "设计", weight: 0.8),
        College(code: "LIFE", name: "生命科学学院", shortName: "生科院", classPrefix: "生物", weight: 0.8),
        College(code: "ENV", name: "资源环境与安全工程学院", shortName: "资环学院", classPrefix: "安全", weight: 0.8),
        College(code: "ARCH", name: "建筑与城市规划学院", shortName: "建筑学院", classPrefix: "建筑", weight: 0.7),
        College(code: "EDU", name: "教育学院", shortName: "教育学院", classPrefix: "教育", weight: 0.7),
        College(code: "PE", name: "体育学院", shortName: "体育学院", classPrefix: "体教", weight: 0.6),
        College(code: "MED", name: "医学院", shortName: "医学院", classPrefix: "临床", weight: 1.2),
        College(code: "AUTO", name: "自动化学院", shortName: "自动化学院", classPrefix: "自动化", weight: 1.0),
        College(code: "SE", name: "软件学院", shortName: "软件学院", classPrefix: "软件", weight: 1.1),
        College(code: "PA", name: "公共管理学院", shortName: "公管学院", classPrefix: "行管", weight: 0.7),
        College(code: "HIST", name: "历史文化学院", shortName: "历史学院", classPrefix: "历史", weight: 0.5),
        College(code: "MUS", name: "音乐学院", shortName: "音乐学院", classPrefix: "音乐", weight: 0.5),
        College(code: "TRA", name: "交通运输工程学院", shortName: "交通学院", classPrefix: "交通", weight: 0.9),
        College(code: "ENE", name: "能源与动力工程学院", shortName: "能动学院", classPrefix: "能动", weight: 0.9),
        College(code: "PHARM", name: "药学院", shortName: "药学院", classPrefix: "药学", weight: 0.8),
        College(code: "AGR", name: "农学院", shortName: "农学院", classPrefix: "农学", weight: 0.7),
        College(code: "JOUR", name: "新媒体与传播学院", shortName: "传媒学院", classPrefix: "传播", weight: 0.6),
    ]

    static let leadershipCode = "XLD"

    static let departments: [Department] = [
        Department(code: "DWB", name: "党委办公室", kind: .partyDepartment, headTitle: "主任", tags: []),
        Department(code: "XB", name: "校长办公室", kind: .functionalDepartment, headTitle: "主任", tags: []),
        Department(code: "ZZB", name: "党委组织部", kind: .partyDepartment, headTitle: "部长", tags: [], onPartyCommittee: true),
        Department(code: "XCB", name: "党委宣传部", kind: .partyDepartment, headTitle: "部长", tags: [], onPartyCommittee: true),
        Department(code: "XGB", name: "党委学生工作部（学生工作处）", kind: .studentWork, headTitle: "部长", tags: ["student-work"], onPartyCommittee: true),
        Department(code: "YGB", name: "研究生工作部", kind: .studentWork, headTitle: "部长", tags: ["student-work"]),
        Department(code: "TW", name: "校团委", kind: .studentWork, headTitle: "书记", tags: ["student-work"]),
        Department(code: "JWC", name: "教务处", kind: .functionalDepartment, headTitle: "处长", tags: ["teaching"]),
        Department(code: "HQC", name: "后勤管理处", kind: .functionalDepartment, headTitle: "处长", tags: ["logistics"]),
        Department(code: "BWC", name: "保卫处", kind: .functionalDepartment, headTitle: "处长", tags: ["security"]),
        Department(code: "JJC", name: "基建处", kind: .functionalDepartment, headTitle: "处长", tags: ["infrastructure"]),
        Department(code: "ZJC", name: "招生就业处", kind: .studentWork, headTitle: "处长", tags: ["student-work"]),
        Department(code: "CWC", name: "财务处", kind: .functionalDepartment, headTitle: "处长", tags: []),
        Department(code: "RSC", name: "人事处", kind: .functionalDepartment, headTitle: "处长", tags: []),
        Department(code: "KJC", name: "科技处", kind: .functionalDepartment, headTitle: "处长", tags: []),
        Department(code: "GJC", name: "国际合作与交流处", kind: .functionalDepartment, headTitle: "处长", tags: []),
        Department(code: "TSG", name: "图书馆", kind: .affiliated, headTitle: "馆长", tags: []),
        Department(code: "WXZX", name: "网络信息中心", kind: .affiliated, headTitle: "主任", tags: []),
        Department(code: "JWB", name: "纪委办公室（监察处）", kind: .partyDepartment, headTitle: "主任", tags: []),
        Department(code: "XLZX", name: "心理健康教育与咨询中心", kind: .studentWork, headTitle: "主任", tags: ["student-work", "mental-health"]),
        Department(code: "TZB", name: "党委统战部", kind: .partyDepartment, headTitle: "部长", tags: []),
        Department(code: "GH", name: "校工会", kind: .partyDepartment, headTitle: "主席", tags: []),
        Department(code: "YJSY", name: "研究生院", kind: .functionalDepartment, headTitle: "院长", tags: ["teaching"]),
        Department(code: "WZB", name: "人民武装部", kind: .studentWork, headTitle: "部长", tags: ["student-work", "security"]),
        Department(code: "FGC", name: "发展规划处", kind: .functionalDepartment, headTitle: "处长", tags: []),
        Department(code: "SJC", name: "审计处", kind: .functionalDepartment, headTitle: "处长", tags: []),
        Department(code: "GZC", name: "国有资产管理处", kind: .functionalDepartment, headTitle: "处长", tags: []),
        Department(code: "SBC", name: "实验室与设备管理处", kind: .functionalDepartment, headTitle: "处长", tags: []),
        Department(code: "LTC", name: "离退休工作处", kind: .functionalDepartment, headTitle: "处长", tags: []),
        Department(code: "XYB", name: "校友工作办公室", kind: .functionalDepartment, headTitle: "主任", tags: []),
        Department(code: "XKB", name: "学科建设办公室", kind: .functionalDepartment, headTitle: "主任", tags: []),
        Department(code: "CXCY", name: "创新创业教育中心", kind: .studentWork, headTitle: "主任", tags: ["student-work"]),
        Department(code: "HQJT", name: "后勤服务集团", kind: .affiliated, headTitle: "总经理", tags: ["logistics"]),
        Department(code: "XYY", name: "校医院", kind: .affiliated, headTitle: "院长", tags: ["health"]),
        Department(code: "DAG", name: "档案馆", kind: .affiliated, headTitle: "馆长", tags: []),
        Department(code: "XJZX", name: "现代教育技术中心", kind: .affiliated, headTitle: "主任", tags: []),
        Department(code: "JSFZ", name: "教师发展中心", kind: .affiliated, headTitle: "主任", tags: ["teaching"]),
        Department(code: "XBB", name: "学报编辑部", kind: .affiliated, headTitle: "主任", tags: []),
        Department(code: "TYCG", name: "体育场馆管理中心", kind: .affiliated, headTitle: "主任", tags: []),
        Department(code: "JXJY", name: "继续教育学院", kind: .affiliated, headTitle: "院长", tags: []),
    ]

    static let leaders: [Leader] = [
        Leader(posts: ["党委书记"], tags: [], partyMember: true),
        Leader(posts: ["校长", "党委副书记"], tags: [], partyMember: true),
        Leader(posts: ["党委副书记"], tags: ["student-work"], partyMember: true),
        Leader(posts: ["副校长", "分管学生工作"], tags: ["student-work"], partyMember: true),
        Leader(posts: ["副校长", "分管后勤基建"], tags: ["logistics", "infrastructure"], partyMember: true),
        Leader(posts: ["纪委书记"], tags: [], partyMember: true),
        Leader(posts: ["副校长", "分管教学"], tags: ["teaching"], partyMember: true),
        // Many universities have one vice president from a democratic party (党外副校长).
        Leader(posts: ["副校长", "分管科研"], tags: [], partyMember: false),
        Leader(posts: ["副校长", "分管安全稳定"], tags: ["security"], partyMember: true),
        Leader(posts: ["党委副书记", "分管统战"], tags: [], partyMember: true),
        Leader(posts: ["副校长", "分管国际交流"], tags: [], partyMember: true),
        Leader(posts: ["总会计师"], tags: [], partyMember: true),
    ]

    /// Section-level posts (正科/副科), handed out round-robin until the cadre count is reached.
    static let collegeSectionPosts: [(post: String, rank: Rank, tags: [String])] = [
        ("学生工作办公室主任", .sectionChief, ["student-work"]),
        ("分团委书记", .deputySectionChief, ["student-work"]),
        ("党政办公室主任", .sectionChief, []),
        ("教学科研办公室主任", .sectionChief, ["teaching"]),
        ("研究生教务秘书", .deputySectionChief, ["teaching"]),
        ("学生工作办公室副主任", .deputySectionChief, ["student-work"]),
        ("党政办公室副主任", .deputySectionChief, []),
        ("实验中心主任", .sectionChief, []),
    ]

    static let departmentSectionPosts: [(post: String, rank: Rank)] = [
        ("综合科科长", .sectionChief),
        ("业务科科长", .sectionChief),
        ("综合科副科长", .deputySectionChief),
        ("业务科副科长", .deputySectionChief),
        ("管理科科长", .sectionChief),
        ("服务科科长", .sectionChief),
        ("管理科副科长", .deputySectionChief),
        ("服务科副科长", .deputySectionChief),
    ]

    static let dormBuildings = ["梅园", "桃园", "竹园", "松园", "兰园", "桂园", "菊园", "枫园", "柳园", "荷园"]
    /// Floors per building; floor 1 holds the duty room and laundry, so it is not a collective.
    static let floorsPerBuilding = 2...6

    static let labSuffixes = ["创新实践实验室", "重点实验室", "虚拟仿真实验室", "研究生联合实验室"]

    static let clubs = [
        "青年志愿者协会", "书法协会", "摄影协会", "围棋社", "街舞社", "话剧社", "大学生合唱团", "机器人协会",
        "计算机协会", "篮球协会", "足球协会", "羽毛球协会", "乒乓球协会", "武术协会", "汉服社", "动漫社",
        "吉他社", "辩论队", "英语俱乐部", "心理健康协会", "创业者协会", "天文协会", "登山户外协会", "轮滑社",
        "读书会", "茶艺社", "国学社", "绿色环保协会", "电子竞技协会", "民乐团", "管弦乐团", "舞蹈团",
        "数学建模协会", "红十字会学生分会", "马克思主义理论学习研究会", "航模协会", "桥牌协会", "演讲与口才协会",
        "大学生记者团", "微电影协会", "网球协会", "排球协会", "跆拳道协会", "无人机社", "诗词社",
    ]

    static let sensitiveNotes: (hardship: [String], disability: [String], psychological: [String]) = (
        hardship: ["家庭经济困难，已纳入资助库", "脱贫家庭学生，享受国家助学金", "单亲家庭，经济较困难", "父母务农，弟妹在读，申请勤工助学",
                   "家中遭遇变故，已申请临时困难补助"],
        disability: ["肢体残疾，已安排低楼层宿舍", "听力障碍，课堂需前排就座", "视力障碍，考试需大字试卷", "慢性病需定期复查"],
        psychological: ["心理普查预警，已转介心理中心", "近期情绪低落，辅导员重点关注", "学业压力大，失眠，已约谈", "人际关系困扰，朋辈辅导跟进"]
    )
}
