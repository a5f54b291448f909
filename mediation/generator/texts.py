"""Made-up but well-formed personal data for generated cases: names, resident ID numbers valid
per GB 11643 (the party's county code, birth date, order code with the sex digit, check
character), mobile numbers, addresses and note text in the counsellors' words.

Pure: a random.Random in, strings out; imports only mediation.identity.
"""

import random
from datetime import date

from ..identity import check_char

SURNAMES = (
    "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗梁宋郑谢韩唐冯于董萧程曹袁邓许傅沈曾彭吕苏卢蒋蔡贾丁魏"
    "薛叶阎余潘杜戴夏钟汪田任姜范方石姚谭廖邹熊金陆郝孔白崔康毛邱秦江史顾侯邵孟龙万段雷钱汤尹黎易常"
)
GIVEN_FEMALE = "芳娜敏静丽艳娟霞秀英华玲红梅琳燕颖倩婷雪慧莉萍晶洁琴云蕾璐瑶欣怡悦佳蓉月"
GIVEN_MALE = "伟强磊军洋勇杰涛明超斌刚平辉鹏峰浩宇凯健俊波建国飞鑫龙晨阳博文亮松林东"
STREETS = ("兴隆", "振兴", "友谊", "胜利", "建设", "团结", "人民", "和平", "新华", "光明", "石油")
MOBILE_PREFIXES = ("130", "131", "132", "135", "136", "137", "138", "139", "150", "151", "152",
                   "155", "156", "157", "158", "159", "176", "180", "182", "185", "186", "187",
                   "188", "189", "199")  # fmt: skip
OCCUPATIONS = ("工人", "教师", "医护人员", "公务员", "个体经营", "企业职员", "农民", "司机",
               "销售", "待业", "退休", "自由职业", "石油职工")  # fmt: skip


def person_name(rng: random.Random, *, female: bool) -> str:
    given = GIVEN_FEMALE if female else GIVEN_MALE
    return rng.choice(SURNAMES) + "".join(rng.choice(given) for _ in range(rng.choice((1, 2, 2))))


def id_number(rng: random.Random, *, area: str, born: date, female: bool) -> str:
    """An 18-character ID number: area code, birth date, a sequence whose last digit is even
    for women and odd for men, and the GB 11643 check character."""
    order = rng.randrange(0, 100) * 10 + rng.randrange(0, 5) * 2 + (0 if female else 1)
    first17 = f"{area}{born:%Y%m%d}{order:03d}"
    return first17 + check_char(first17)


def mobile(rng: random.Random) -> str:
    return rng.choice(MOBILE_PREFIXES) + f"{rng.randrange(100_000_000):08d}"


def address(rng: random.Random, *, city: str, county: str) -> str:
    return (
        f"{city}{county}{rng.choice(STREETS)}街道{rng.randint(1, 300)}号"
        f"{rng.randint(1, 30)}单元{rng.randint(101, 1802)}室"
    )


def occupation(rng: random.Random) -> str:
    return rng.choice(OCCUPATIONS)


OPENINGS = (
    "双方按约定时间到达调解室，情绪基本平稳。",
    "女方先到，男方迟到约十分钟，进入后沉默较多。",
    "本次为单独面谈，当事人讲述了近半年来的家庭矛盾。",
    "双方一同前来，见面时均表示希望把问题说清楚。",
    "当事人主动联系预约，称冷静期内想再努力一次。",
)
TOPICS = (
    "主要矛盾集中在家务分工和育儿方式上，双方对老人带孩子的意见分歧较大。",
    "男方长期在外地工作，沟通减少，女方感到被忽视，双方互有指责。",
    "经济压力是主要诱因，房贷和赡养老人的开支引发多次争吵。",
    "双方谈到婚前的相处经历，回忆起共同的目标时气氛有所缓和。",
    "女方提到男方饮酒后情绪失控，已做安全评估，暂无人身危险。",
    "双方在孩子抚养和教育问题上意见一致，均不希望孩子受到影响。",
    "男方表示愿意调整工作安排，多承担家庭责任；女方表示需要时间观察。",
    "婆媳关系紧张是主要原因，建议双方设立家庭边界，减少直接冲突。",
    "双方对财产分割已有初步想法，辅导重点转为离婚后的共同养育安排。",
    "婚前辅导：讨论了家庭角色期待、财务安排和生育计划，双方沟通积极。",
)
INTERVENTIONS = (
    "运用情绪聚焦技术，引导双方表达各自的需要。",
    "布置家庭作业：每天固定二十分钟不受打扰的交流时间。",
    "介绍非暴力沟通的基本方法，并现场演练。",
    "提供心理健康服务热线和妇联维权渠道信息。",
    "与双方约定下次面谈时间，建议在冷静期内再面谈一至两次。",
)
ASSESSMENTS = (
    "双方有较强的沟通意愿，关系有修复的可能，建议继续面谈。",
    "矛盾积累时间较长，一方离婚意愿坚定，重点做好离婚调适。",
    "情绪波动较大，建议配合个体心理咨询。",
    "双方已达成初步共识，考虑撤回离婚申请，安排回访。",
    "未发现家庭暴力风险，可继续联合面谈。",
)
REFERRAL_REASONS = (
    "安全评估阳性，当事人表示害怕对方，转介妇联反家暴援助。",
    "当事人咨询财产分割和子女抚养的法律问题，转介法律援助中心。",
    "当事人存在明显抑郁情绪，建议到精神卫生机构进一步评估。",
)


def note_body(rng: random.Random) -> str:
    parts = [rng.choice(OPENINGS)]
    parts += rng.sample(TOPICS, rng.randint(1, 3))
    parts += rng.sample(INTERVENTIONS, rng.randint(1, 2))
    return "".join(parts)


def note_assessment(rng: random.Random) -> str:
    return rng.choice(ASSESSMENTS)


def referral_reason(rng: random.Random, destination: str) -> str:
    index = {"womens_federation": 0, "legal_aid": 1, "mental_health": 2}.get(destination, 0)
    return REFERRAL_REASONS[index]


def screen_answers(*, positive: bool, rng: random.Random) -> dict[str, bool]:
    """The five screening questions of mediation.services (hurt, afraid, threatened,
    controlled, unsafe_home); a positive screen answers yes to one to three."""
    questions = ("hurt", "afraid", "threatened", "controlled", "unsafe_home")
    yes = set(rng.sample(questions, rng.randint(1, 3))) if positive else set()
    return {question: question in yes for question in questions}
