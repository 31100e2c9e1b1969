"""The kinds of people who can introduce someone, per field, in English and Chinese.

A *route kind* is a type of intermediary ("a founder backed by {org}"). The offline planner picks
the kinds that suit the target's field, ranks them, and uses these phrases to name the unknown
intermediary by role, explain why they can help, and write the emails. Every phrase is a whole
sentence or clause with named slots: {target}, {org}, {at_org}, {school}, {events}, {contact}.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class RouteText:
    name: str  # the chain node's name: who to look for
    role: str  # the chain node's role: what they are to the target
    label: str  # the path's short label
    why: str  # "I'm writing to you because {why}."
    someone: str  # "Would you happen to know {someone}?"
    via: str  # in the note to the target: "… at the suggestion of {via}"
    rationale: str  # the path's "why this path"


def _r(**kw: str) -> RouteText:
    return RouteText(**kw)


ROUTES: dict[str, dict[str, RouteText]] = {
    "colleague": {
        "en": _r(
            name="A current or former colleague of {target}{at_org}",
            role="Has worked alongside {target}{at_org}",
            label="Through a colleague of {target}",
            why="you have worked alongside {target}{at_org}, and a word from a colleague is the "
            "kind of introduction people rarely ignore",
            someone="someone who works, or has worked, with {target}{at_org}",
            via="someone who has worked alongside you{at_org}",
            rationale="Colleagues know how {target} prefers to be approached and can vouch for the "
            "request in a sentence. Former colleagues are often the easiest to find (look for "
            "people who left {org} in the last few years) and are free to make the introduction.",
        ),
        "zh-hans": _r(
            name="{target}在{org}的现任或前任同事",
            role="与{target}在{org}共事过",
            label="通过{target}的同事",
            why="您与{target}在{org}共事过，来自同事的引荐往往最不容易被忽略",
            someone="在{org}与{target}共事过的朋友",
            via="一位曾在{org}与您共事的朋友",
            rationale="同事最了解{target}喜欢怎样被联系，一句话就能为这次请求背书。前同事通常更容易找到"
            "（可以找近几年从{org}离开的人），也更方便帮忙引荐。",
        ),
    },
    "alumni": {
        "en": _r(
            name="A fellow {school} alum who works at {org}",
            role="Shares your {school} background and knows {org} from the inside",
            label="Through the {school} alumni network",
            why="we're both {school} alumni and you know {org} from the inside; alumni are some of the most "
            "generous people to ask",
            someone="a fellow {school} alum who works at {org}",
            via="a fellow {school} alum at {org}",
            rationale="A shared school is an easy reason to say yes: alumni answer each other far "
            "more often than strangers do. Search the {school} alumni directory or LinkedIn for "
            "people at {org}.",
        ),
        "zh-hans": _r(
            name="在{org}工作的{school}校友",
            role="与您同为{school}校友，熟悉{org}内部情况",
            label="通过{school}校友网络",
            why="我们同为{school}校友，而您又熟悉{org}的情况；校友之间的帮助往往最真诚",
            someone="在{org}工作的{school}校友",
            via="一位在{org}工作的{school}校友",
            rationale="同校背景是最自然的开口理由，校友之间的回复率远高于陌生人。可以在{school}"
            "校友录或领英上查找在{org}工作的校友。",
        ),
    },
    "alumni_inside": {
        "en": _r(
            name="A fellow {school} alum in {target}'s department",
            role="Studied at {school} and works near {target}",
            label="Through {school} alumni near {target}",
            why="we're both {school} alumni and you know {target}'s department well",
            someone="a fellow {school} alum in {target}'s department",
            via="a fellow {school} alum in your department",
            rationale="You and {target} share {school}. Alumni who now work in the department can pass a note "
            "along in person, and a request from within the school is an easy one to say yes to.",
        ),
        "zh-hans": _r(
            name="{target}所在院系的{school}校友",
            role="毕业于{school}，在{target}所在的院系工作",
            label="通过{target}身边的{school}校友",
            why="我们同为{school}校友，而您对{target}所在的院系非常熟悉",
            someone="{target}所在院系的{school}校友",
            via="一位与您同在院系的{school}校友",
            rationale="您与{target}同在{school}。在院系里工作的校友可以当面转达，来自校内的请求也更容易得到积极回应。",
        ),
    },
    "portfolio_founder": {
        "en": _r(
            name="A founder backed by {org}",
            role="Runs a company in {org}'s portfolio",
            label="Through a founder in {org}'s portfolio",
            why="you have raised from {org}, and investors give real weight to a recommendation "
            "from a founder they already back",
            someone="a founder {org} has backed",
            via="one of the founders {org} has backed",
            rationale="Investors take introductions from their own founders more seriously than "
            "any other kind, because the founder vouches with their own reputation. {org}'s "
            "portfolio page is the place to start; founders a stage or two ahead of you are "
            "usually the most willing.",
        ),
        "zh-hans": _r(
            name="获得{org}投资的创始人",
            role="其公司在{org}的投资组合中",
            label="通过{org}投资过的创始人",
            why="您和{org}一起经历过融资，投资人非常看重自己所投创始人的推荐",
            someone="获得过{org}投资的创始人",
            via="一位获得{org}投资的创始人",
            rationale="投资人最重视自己所投创始人的引荐，因为创始人是在用自己的信誉担保。可以从{org}"
            "公开的投资组合入手，比您早一两个阶段的创始人通常最愿意帮忙。",
        ),
    },
    "coinvestor": {
        "en": _r(
            name="An angel or fund that has co-invested with {org}",
            role="Has invested alongside {org}",
            label="Through a co-investor of {org}",
            why="you have invested alongside {org}, and a company introduced by a trusted "
            "co-investor gets a careful look",
            someone="an investor who has co-invested with {org}",
            via="an investor who has co-invested with {org}",
            rationale="Co-investors pass deals to each other all the time, so an introduction "
            "from one is routine rather than a favour. Angels who wrote early cheques next to "
            "{org} are often the most approachable.",
        ),
        "zh-hans": _r(
            name="与{org}联合投资过的天使投资人或基金",
            role="曾与{org}联合投资",
            label="通过{org}的联合投资人",
            why="您曾与{org}联合投资，由信任的合投方推荐的项目通常会被认真看待",
            someone="与{org}联合投资过的投资人",
            via="一位与{org}联合投资过的投资人",
            rationale="联合投资人之间经常互相分享项目，由他们引荐是顺理成章的事，而不是欠人情。"
            "与{org}一起早期下注的天使投资人往往最容易接触。",
        ),
    },
    "investor": {
        "en": _r(
            name="An investor or board member of {org}",
            role="Invests in or advises {org}",
            label="Through an investor in {org}",
            why="you know {org} as an investor or adviser, and a note from that side of the table gets read promptly",
            someone="an investor in, or adviser to, {org}",
            via="someone who invests in {org}",
            rationale="Investors and board members have a direct line to leadership and are used "
            "to making introductions that help the company. Public funding announcements for "
            "{org} name the people to start with.",
        ),
        "zh-hans": _r(
            name="{org}的投资人或董事会成员",
            role="投资了{org}或担任其顾问",
            label="通过{org}的投资人",
            why="您作为投资人或顾问了解{org}，来自这一方的消息通常会被及时阅读",
            someone="{org}的投资人或顾问",
            via="一位{org}的投资人",
            rationale="投资人和董事会成员可以直接联系公司管理层，也习惯为公司牵线搭桥。{org}"
            "公开的融资新闻里提到的机构和个人就是很好的起点。",
        ),
    },
    "customer": {
        "en": _r(
            name="A customer or partner who works closely with {org}",
            role="Works with {org} as a customer or partner",
            label="Through a customer or partner of {org}",
            why="you work closely with {org}, and teams there listen carefully to the people they build for",
            someone="someone who works with {org} as a customer or partner",
            via="someone who works closely with {org}",
            rationale="Customers and partners already have open channels into {org}, and their "
            "introductions arrive with context the team cares about. Case studies and partner "
            "pages on {org}'s website name likely candidates.",
        ),
        "zh-hans": _r(
            name="与{org}密切合作的客户或合作伙伴",
            role="作为客户或合作伙伴与{org}合作",
            label="通过{org}的客户或合作伙伴",
            why="您与{org}合作密切，那里的团队非常重视客户和伙伴的意见",
            someone="与{org}有合作的客户或伙伴",
            via="一位与{org}密切合作的朋友",
            rationale="客户和合作伙伴与{org}本来就有沟通渠道，他们的引荐自带团队关心的背景信息。"
            "{org}官网上的客户案例和合作伙伴页面能提供线索。",
        ),
    },
    "event": {
        "en": _r(
            name="An organiser or speaker at {events}",
            role="Organises or speaks at {events}",
            label="Through an organiser of {events}",
            why="you organise or speak at {events}, where people like {target} gather, and "
            "organisers are the natural connectors of a field",
            someone="an organiser or speaker at {events}",
            via="an organiser of {events}",
            rationale="Organisers and speakers know everyone in a field and introduce people as "
            "part of the job. It is a longer route, but a friendly one, and it can also lead to "
            "meeting {target} in person.",
        ),
        "zh-hans": _r(
            name="{events}的组织者或演讲嘉宾",
            role="组织或参与{events}",
            label="通过{events}的组织者",
            why="您组织或参加{events}，那正是{target}这样的人聚集的地方，而组织者本就是行业里的连接者",
            someone="{events}的组织者或演讲嘉宾",
            via="一位{events}的组织者",
            rationale="活动组织者和演讲嘉宾认识行业里的很多人，牵线本来就是他们的日常。这条路稍长，"
            "但很友好，还可能带来与{target}当面交流的机会。",
        ),
    },
    "coauthor": {
        "en": _r(
            name="A co-author or research collaborator of {target}",
            role="Has published or run research with {target}",
            label="Through a research collaborator of {target}",
            why="you have worked with {target} on research, and a collaborator's word carries "
            "more weight than any cold email",
            someone="someone who has co-authored or collaborated with {target}",
            via="one of your research collaborators",
            rationale="{target}'s papers and project pages list co-authors, and people who have "
            "worked together answer each other. Junior co-authors (students and postdocs) are "
            "often the most responsive.",
        ),
        "zh-hans": _r(
            name="{target}的论文合作者或研究伙伴",
            role="与{target}合作过研究或论文",
            label="通过{target}的研究合作者",
            why="您与{target}一起做过研究，合作者的一句话比任何陌生邮件都更有分量",
            someone="与{target}合作过论文或研究的朋友",
            via="一位与您合作过研究的朋友",
            rationale="{target}的论文和项目主页上都列有合作者，合作过的人彼此之间通常都会回复。"
            "年轻的合作者（学生和博士后）往往回复得最快。",
        ),
    },
    "oss": {
        "en": _r(
            name="An open-source collaborator of {target}",
            role="Has built or reviewed code alongside {target}",
            label="Through an open-source collaborator of {target}",
            why="you have worked with {target} in the open, and maintainers trust the people they review code with",
            someone="someone who has contributed to projects with {target}",
            via="someone you have built open-source projects with",
            rationale="Commit history is a public map of who works with whom. Contributors to "
            "{target}'s repositories, or maintainers of projects {target} relies on, can make a "
            "low-key, credible introduction.",
        ),
        "zh-hans": _r(
            name="{target}的开源项目合作者",
            role="与{target}一起开发或评审过代码",
            label="通过{target}的开源合作者",
            why="您与{target}一起做过开源项目，维护者最信任一起评审过代码的人",
            someone="与{target}一起参与过开源项目的开发者",
            via="一位与您合作过开源项目的开发者",
            rationale="代码提交记录就是一张公开的合作关系图。{target}所在项目的贡献者，"
            "或{target}常用项目的维护者，都能做出低调而可信的引荐。",
        ),
    },
    "lab": {
        "en": _r(
            name="A current or former member of {target}'s lab",
            role="Has studied or worked in {target}'s group",
            label="Through {target}'s lab",
            why="you know {target}'s group from the inside, and a note passed on by a lab member "
            "is read in a way that cold email is not",
            someone="someone who is, or was, in {target}'s lab",
            via="a member of your group",
            rationale="Students and postdocs see {target} every week and know the best time and "
            "form for a request. The lab's website lists current members and alumni.",
        ),
        "zh-hans": _r(
            name="{target}课题组的在读学生或毕业生",
            role="在{target}的课题组学习或工作过",
            label="通过{target}的课题组",
            why="您熟悉{target}的课题组，由组里的同学转交的信会被认真阅读，这是陌生邮件做不到的",
            someone="{target}课题组的同学或毕业生",
            via="一位您课题组的同学",
            rationale="学生和博士后每周都能见到{target}，最清楚什么时候、以什么方式提出请求最合适。"
            "课题组主页上通常列有在读成员和毕业生。",
        ),
    },
    "editor_peer": {
        "en": _r(
            name="A writer or editor who has worked with {target}",
            role="Has written or edited alongside {target}",
            label="Through a writer who has worked with {target}",
            why="you have worked with {target} on stories, and editors take a tip from a trusted "
            "colleague far more seriously than a cold pitch",
            someone="a writer or editor who has worked with {target}",
            via="a writer you have worked with",
            rationale="Journalists rely on people they trust to filter a crowded inbox. "
            "Contributors and co-bylined writers at {org} are the quickest way to a warm hand-off.",
        ),
        "zh-hans": _r(
            name="与{target}合作过的作者或编辑",
            role="曾与{target}一起写稿或编辑",
            label="通过与{target}合作过的作者",
            why="您与{target}合作过稿件，编辑对同行推荐的重视程度远高于陌生投稿",
            someone="与{target}合作过的作者或编辑",
            via="一位与您合作过的作者",
            rationale="记者和编辑依靠信任的同行帮自己筛选信息。{org}的撰稿人和联合署名作者是最快的引荐路径。",
        ),
    },
}

# Contacts the person already knows. `why` completes "I thought of you because {why}."
CONTACT_ROUTES: dict[str, dict[str, RouteText]] = {
    "contact_org": {
        "en": _r(
            name="",
            role="Someone you know at {org}",
            label="Through {contact} at {org}",
            why="you're at {org} and may know {target}, or someone close to {target}'s team",
            someone="",
            via="",
            rationale="You already know {contact}, who works at {org}. A real relationship inside "
            "the target's organisation is the strongest first hop there is.",
        ),
        "zh-hans": _r(
            name="",
            role="您在{org}认识的人",
            label="通过{org}的{contact}",
            why="您在{org}工作，也许认识{target}，或者认识{target}团队里的人",
            someone="",
            via="",
            rationale="您已经认识{contact}，而{contact}就在{org}工作。在对方机构内部有一位真正认识的人，"
            "是最有力的第一跳。",
        ),
    },
    "contact_former": {
        "en": _r(
            name="",
            role="Someone you know who worked at {org}",
            label="Through {contact}, who worked at {org}",
            why="you worked at {org} and may still know {target}, or someone close to {target}'s team",
            someone="",
            via="",
            rationale="You already know {contact}, who used to work at {org}. Former colleagues keep "
            "in touch, and they are free to make an introduction.",
        ),
        "zh-hans": _r(
            name="",
            role="您认识的、曾在{org}工作的人",
            label="通过曾在{org}工作的{contact}",
            why="您曾在{org}工作，也许仍然认识{target}，或者认识{target}团队里的人",
            someone="",
            via="",
            rationale="您已经认识{contact}，而{contact}曾在{org}工作。前同事之间常有联系，也更方便帮忙引荐。",
        ),
    },
    "contact_school": {
        "en": _r(
            name="",
            role="Someone you know from {school}",
            label="Through {contact} and the {school} network",
            why="you know the {school} crowd better than anyone I know, and a fellow alum at "
            "{org} would be the perfect bridge",
            someone="",
            via="",
            rationale="{contact} is someone you already know and shares the {school} connection, "
            "so finding a fellow alum close to {target} is a small, easy favour to ask.",
        ),
        "zh-hans": _r(
            name="",
            role="您在{school}认识的朋友",
            label="通过{contact}和{school}校友网络",
            why="您对{school}校友圈非常熟悉，而一位在{org}的校友正是最合适的桥梁",
            someone="",
            via="",
            rationale="{contact}是您已经认识的人，又有{school}这层关系，请对方帮忙找到一位熟悉{target}"
            "的校友，是一个不难开口的小忙。",
        ),
    },
    "contact_any": {
        "en": _r(
            name="",
            role="Someone you already know",
            label="Through {contact}",
            why="you know a lot of people in {people}, and you were the first person who came to mind",
            someone="",
            via="",
            rationale="{contact} is someone you already know. Even without a direct link to {org}, "
            "asking a friend to find {someone} is far warmer than starting from strangers.",
        ),
        "zh-hans": _r(
            name="",
            role="您已经认识的人",
            label="通过{contact}",
            why="您在{people}认识很多人",
            someone="",
            via="",
            rationale="{contact}是您已经认识的人。即使对方与{org}没有直接联系，请朋友帮忙找到{someone}，"
            "也远比从陌生人开始要温暖得多。",
        ),
    },
}

# Route kinds worth trying per field, with an ordering weight among routes whose intermediary
# still has to be found (never shown, not a probability). Contacts the person knows rank above all.
FIELD_ROUTES: dict[str, tuple[tuple[str, float], ...]] = {
    "vc": (
        ("portfolio_founder", 0.55),
        ("coinvestor", 0.48),
        ("colleague", 0.45),
        ("alumni", 0.44),
        ("event", 0.36),
    ),
    "ai": (("coauthor", 0.54), ("colleague", 0.52), ("alumni", 0.45), ("event", 0.38)),
    "academia": (("lab", 0.55), ("coauthor", 0.52), ("alumni", 0.45), ("event", 0.37)),
    "healthcare": (("colleague", 0.53), ("coauthor", 0.48), ("alumni", 0.44), ("event", 0.36)),
    "media": (("editor_peer", 0.54), ("colleague", 0.48), ("alumni", 0.43), ("event", 0.37)),
    "design": (("colleague", 0.53), ("customer", 0.45), ("alumni", 0.44), ("event", 0.39)),
    "engineering": (
        ("colleague", 0.54),
        ("oss", 0.50),
        ("alumni", 0.44),
        ("customer", 0.40),
        ("event", 0.37),
    ),
    "general": (
        ("colleague", 0.52),
        ("investor", 0.46),
        ("customer", 0.44),
        ("alumni", 0.43),
        ("event", 0.37),
    ),
}
# Kinds that only make sense when the organisation is known and is a company.
NEEDS_COMPANY = {"investor", "customer", "portfolio_founder", "coinvestor"}

EVENTS = {
    "vc": ("founder demo days and investor panels", "创业路演和投资人论坛"),
    "ai": ("NeurIPS, ICML and similar research workshops", "NeurIPS、ICML 等学术会议"),
    "academia": ("the field's main conferences and seminars", "本领域的主要学术会议和研讨会"),
    "healthcare": ("medical conferences and grand rounds", "医学会议和学术讲座"),
    "media": ("industry panels and journalism festivals", "行业论坛和新闻节"),
    "design": ("design conferences and community meetups", "设计大会和设计社区聚会"),
    "engineering": ("engineering conferences and meetups", "技术大会和开发者聚会"),
    "general": ("industry conferences and meetups", "行业会议和交流活动"),
}
PEOPLE = {
    "vc": ("the startup and investor world", "创投圈"),
    "ai": ("the AI research world", "AI 研究圈"),
    "academia": ("academia", "学术圈"),
    "healthcare": ("healthcare", "医疗行业"),
    "media": ("media", "媒体圈"),
    "design": ("the design world", "设计圈"),
    "engineering": ("the engineering world", "技术圈"),
    "general": ("this world", "这个行业"),
}
INSIGHT = {
    "vc": (
        "Investors hear from hundreds of founders a month and lean heavily on introductions from "
        "people they already trust: founders they have backed, co-investors and former colleagues.",
        "投资人每月会收到成百上千份项目，他们非常依赖已经信任的人的引荐：所投的创始人、联合投资人和前同事。",
    ),
    "ai": (
        "Researchers at leading labs guard their time closely. They respond best to specific, "
        "technically grounded questions, ideally passed on by a collaborator or colleague.",
        "顶尖实验室的研究者时间非常宝贵，他们最愿意回复具体、有技术含量的问题，最好由合作者或同事转达。",
    ),
    "academia": (
        "Academics read mail from students and collaborators first; a short note from someone in "
        "the lab or a co-author, with a concrete question, is the most reliable way in.",
        "学者会优先阅读学生和合作者的邮件；由课题组成员或合作者转交、问题具体的简短来信，是最可靠的方式。",
    ),
    "healthcare": (
        "Clinicians and health researchers have very little unscheduled time, so a brief, "
        "concrete request passed along by a colleague or co-author works best.",
        "医生和医学研究者几乎没有空闲时间，由同事或合作者转达一个简短、具体的请求效果最好。",
    ),
    "media": (
        "Journalists and editors are pitched constantly; an introduction from a writer they "
        "know, plus a crisp one-line angle, is what gets read.",
        "记者和编辑每天都会收到大量投稿，由他们认识的作者引荐、再加上一句清晰的选题角度，才最容易被读到。",
    ),
    "design": (
        "Designers respond to people who have clearly looked at the work; an introduction from a "
        "teammate or client carries real weight.",
        "设计师更愿意回复认真看过其作品的人；来自团队成员或客户的引荐很有分量。",
    ),
    "engineering": (
        "Senior engineers get a steady stream of recruiting and vendor mail, so a note from a "
        "colleague or open-source collaborator that asks something specific stands out.",
        "资深工程师每天都会收到大量招聘和推销邮件，由同事或开源合作者转达、问题具体的来信才会脱颖而出。",
    ),
    "general": (
        "Busy people answer introductions from someone they know far more often than cold email, "
        "so the best routes run through people who already work with them.",
        "忙碌的人回复熟人引荐的概率远高于陌生邮件，所以最好的路径是经过已经与对方共事的人。",
    ),
}
TARGET_ASK = {
    "vc": (
        "Would you be open to a 20-minute call in the coming weeks? I'd like to walk you through "
        "what we're building and hear whether it fits {view}.",
        "不知您近期是否方便安排20分钟的通话？我想向您介绍我们正在做的事情，也想听听这是否符合{view}。",
    ),
    "ai": (
        "Would you be open to a short call, or a few lines by email? I have two or three specific "
        "questions and would value your perspective on them.",
        "不知您是否方便简短通个电话，或者通过邮件回复几句？我有两三个具体的问题，非常希望听听您的看法。",
    ),
    "academia": (
        "Would you be open to a brief meeting or call? I'd be glad to send a one-page summary "
        "beforehand so the time is well spent.",
        "不知您是否方便安排一次简短的面谈或通话？我可以提前发送一页纸的简介，尽量不占用您太多时间。",
    ),
    "healthcare": (
        "Could you spare 15 minutes for a call? I'll keep it focused and can send my questions in advance.",
        "不知您能否抽出15分钟通个电话？我会提前把问题发给您，尽量简明扼要。",
    ),
    "media": (
        "Would you be open to a quick call, or would you prefer that I send a short pitch by email first?",
        "不知您是否方便简短通个电话？或者我先通过邮件发一份简短的选题介绍给您？",
    ),
    "design": (
        "Would you be open to a 20-minute conversation, or a short reply by email, whichever suits you better?",
        "不知您是否方便聊20分钟，或者通过邮件简单回复几句？一切以您方便为准。",
    ),
    "engineering": (
        "Would you be open to a 20-minute call? I've kept my questions specific so it's a good use of your time.",
        "不知您是否方便通话20分钟？我的问题都比较具体，尽量不浪费您的时间。",
    ),
    "general": (
        "Would you be open to a 20-minute call at a time that suits you? A short reply by email "
        "would be just as welcome.",
        "不知您是否方便在合适的时间通话20分钟？如果邮件回复更方便，也同样感激。",
    ),
}


def by_language(pair: tuple[str, str], language: str) -> str:
    return pair[1] if language == "zh-hans" else pair[0]
