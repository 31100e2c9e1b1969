"""Reading an intake without a model: the target's field, title and organisation, the person's school.

Everything here is keyword and pattern based, in English and Chinese, and deliberately forgiving:
a guess that is a little generic is fine, a guess that is wrong in a specific way is not, so each
helper returns None (or "general") when it is unsure.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass

from sixdegrees.network.organisations import organisation_key
from sixdegrees.network.text import has_han

from .schema import clean_text as clean
from .schema import normalize_name


def word_list(*chunks: str) -> tuple[str, ...]:
    """Word lists are kept as "a|b|c" strings so they stay compact and easy to scan."""
    return tuple(w.strip() for chunk in chunks for w in chunk.split("|") if w.strip())


FIELDS = ("vc", "ai", "academia", "healthcare", "media", "design", "engineering", "general")

# English keywords match on word boundaries; Chinese ones as substrings.
KEYWORDS: dict[str, tuple[str, ...]] = {
    "vc": word_list(
        "venture|ventures|vc|vcs|investor|investors|investing|investment|fund|funds|"
        "seed round|pre-seed|series a|series b|fundraise|fundraising|term sheet|angel|"
        "portfolio|general partner|managing partner|venture partner|sequoia|a16z|andreessen|"
        "accel|greylock|kleiner|lightspeed|index ventures|y combinator|founders fund|capital|"
        "投资|融资|基金|资本|天使|a轮|b轮|种子轮|风投|创投|红杉|高瓴|真格|经纬|启明|idg"
    ),
    "ai": word_list(
        "ai|artificial intelligence|machine learning|ml|deep learning|llm|llms|"
        "language model|language models|neural|nlp|computer vision|reinforcement learning|"
        "alignment|interpretability|diffusion|transformer|transformers|openai|anthropic|"
        "deepmind|google brain|fair|mistral|hugging face|research scientist|人工智能|机器学习|深度学习|"
        "大模型|神经网络|自然语言|计算机视觉|强化学习|智谱|月之暗面|深度求索|deepseek|通义|文心"
    ),
    "academia": word_list(
        "professor|prof|phd|ph.d|postdoc|lab|faculty|dissertation|thesis|research group|"
        "tenure|academic|lecturer|university|教授|博士|导师|实验室|学者|论文|课题组|研究生|院士|讲师"
    ),
    "healthcare": word_list(
        "doctor|physician|clinic|clinical|hospital|healthcare|health|medical|medicine|"
        "biotech|pharma|patient|patients|surgeon|nurse|oncology|cardiology|cardiologist|md|"
        "chief medical officer|health system|mount sinai|mayo clinic|cleveland clinic|"
        "telehealth|virtual care|virtual-care|remote monitoring|readmissions|医生|医院|医疗|医学|"
        "生物医药|制药|临床|患者|健康|主任医师"
    ),
    "media": word_list(
        "journalist|editor|reporter|podcast|magazine|newsletter|columnist|newsroom|media|"
        "producer|documentary|bloomberg|reuters|wired|techcrunch|记者|编辑|媒体|播客|杂志|专栏|主编|报道|新闻|"
        "自媒体"
    ),
    "design": word_list(
        "design|designer|designers|ux|ui|product design|brand|typography|figma|illustration|"
        "illustrator|creative director|设计|设计师|交互|用户体验|品牌|视觉"
    ),
    "engineering": word_list(
        "engineer|engineers|engineering|software|developer|developers|cto|infrastructure|"
        "backend|frontend|open source|open-source|github|kubernetes|rust|python|database|"
        "databases|distributed systems|devops|compiler|工程师|开发者|开源|架构|后端|前端|程序员|研发"
    ),
}

_KEYWORD_RES = {
    field: [
        re.compile(re.escape(k)) if has_han(k) else re.compile(rf"(?<![a-z0-9]){re.escape(k)}(?![a-z0-9])")
        for k in words
    ]
    for field, words in KEYWORDS.items()
}

TITLE_WORDS_EN = word_list(
    "partner|principal|associate|founder|co-founder|cofounder|ceo|cto|cfo|coo|cpo|vp|"
    "vice president|president|head|director|manager|lead|engineer|scientist|researcher|"
    "professor|prof|lecturer|postdoc|designer|editor|reporter|journalist|writer|producer|"
    "doctor|physician|surgeon|chair|chief|officer|analyst|investor|advisor|fellow|architect|"
    "developer|student|dean|member|owner|correspondent|host|curator"
)
TITLE_SUFFIXES_ZH = word_list(
    "合伙人|创始人|联合创始人|首席执行官|首席技术官|总裁|副总裁|总经理|总监|经理|负责人|主管|工程师|科学家|研究员|教授|副教授|讲师|博士后|院长|主任|医生|医师|"
    "主编|编辑|记者|设计师|投资人|董事长|董事|顾问|架构师|产品经理|制片人|主持人|老板|店主|店长|掌柜|校长|厂长|所长|秘书长|主席|会长|社长|行长|律师|作家|"
    "导演|编剧|演员|艺术家|CEO|CTO|VP"
)
_DEPARTMENTS = set(
    word_list(
        "ai|business development|communications|content|data|design|engineering|finance|"
        "growth|infrastructure|machine learning|marketing|operations|partnerships|people|"
        "platform|policy|product|research|sales|security|talent"
    )
)
_ZH_TITLE_MODIFIERS = "高级资深首席主任副执行管理创始联合技术产品投资研究设计主治常务"

KNOWN_SCHOOLS = word_list(
    "MIT|Stanford|Harvard|Berkeley|UC Berkeley|CMU|Carnegie Mellon|Caltech|Princeton|Yale|"
    "Oxford|Cambridge|Columbia|Cornell|UCLA|NYU|Wharton|INSEAD|Tsinghua|Peking University|"
    "ETH Zurich|EPFL|Imperial College|KAIST|IIT|NUS|HKUST|Waterloo|Georgia Tech|Duke|Penn|"
    "Brown|Michigan"
)
KNOWN_SCHOOLS_ZH = word_list(
    "清华|北大|复旦|浙大|上海交大|中科大|人大|南大|哈工大|同济|南开|港大|港科大|港中文|武大|中大|北航|西交"
)
# Same school, different spellings (compared after normalize_name).
_SCHOOL_ALIASES = {
    "清华": "tsinghua",
    "清华大学": "tsinghua",
    "tsinghua university": "tsinghua",
    "北大": "peking",
    "北京大学": "peking",
    "peking university": "peking",
    "pku": "peking",
    "复旦": "fudan",
    "复旦大学": "fudan",
    "fudan university": "fudan",
    "浙大": "zhejiang",
    "浙江大学": "zhejiang",
    "zhejiang university": "zhejiang",
    "上海交大": "sjtu",
    "上海交通大学": "sjtu",
    "shanghai jiao tong university": "sjtu",
    "中科大": "ustc",
    "中国科学技术大学": "ustc",
    "ustc": "ustc",
    "massachusetts institute of technology": "mit",
    "stanford university": "stanford",
    "harvard university": "harvard",
    "uc berkeley": "berkeley",
    "university of california, berkeley": "berkeley",
    "carnegie mellon": "cmu",
    "carnegie mellon university": "cmu",
    "university of oxford": "oxford",
    "university of cambridge": "cambridge",
    "港大": "hku",
    "香港大学": "hku",
}
_EN_SCHOOL_RES = [
    re.compile(r"\bUniversity of (?:[A-Z][\w&.'’-]*)(?: (?:[A-Z][\w&.'’-]*|at|de|of)){0,3}"),
    re.compile(r"\b(?:[A-Z][\w&.'’-]*\s){1,3}(?:University|College|Institute of Technology|Polytechnic)\b"),
]
_ZH_SCHOOL_RE = re.compile(r"([\u4e00-\u9fff]{1,8}?)(大学|学院)")
_ZH_SCHOOL_STOPS = ("毕业于", "就读于", "来自", "曾在", "本科", "硕士", "博士", "在", "于", "是", "的", "读")
_HONORIFICS = re.compile(r"(?i)^(?:dr|prof|professor|mr|mrs|ms|mx|sir|dame)\.?\s+")
_COMPOUND_SURNAMES = ("欧阳", "司马", "诸葛", "上官", "东方", "慕容", "令狐", "皇甫", "尉迟", "长孙")


@dataclass(frozen=True)
class TargetRole:
    title: str | None
    org: str | None


def detect_field(inp_title: str, reason: str, background: str) -> str:
    """The field the target works in. The target's own title counts most."""
    scores = dict.fromkeys(FIELDS, 0)
    for text, weight in ((inp_title, 3), (reason, 1), (background, 1)):
        lowered = text.lower()
        for field, patterns in _KEYWORD_RES.items():
            scores[field] += weight * sum(1 for p in patterns if p.search(lowered))
    best = max(FIELDS, key=lambda f: (scores[f], -FIELDS.index(f)))
    return best if scores[best] > 0 else "general"


def split_title(text: str) -> TargetRole:
    """'Partner at Sequoia Capital' → title 'Partner', org 'Sequoia Capital'; '红杉中国合伙人' too."""
    text = clean(text)
    if not text:
        return TargetRole(None, None)
    if has_han(text):
        return _split_title_zh(text)
    lowered = text.lower()
    for sep in (" at ", " @ ", "@", ", ", " - ", " – ", " — ", " | ", " / ", " of "):
        index = lowered.find(sep)
        if index <= 0:
            continue
        left, right = text[:index].strip(), text[index + len(sep) :].strip()
        if not right:
            continue
        if sep == " of " and (not _looks_like_title(left) or right.lower() in _DEPARTMENTS):
            continue
        if _looks_like_title(right) and not _looks_like_title(left):
            left, right = right, left
        return TargetRole(left, right)
    if _looks_like_title(text):
        return TargetRole(text, None)
    return TargetRole(None, text)


def _split_title_zh(text: str) -> TargetRole:
    for sep in ("的", " ", "，", ",", "·", "|", "/"):
        if sep in text:
            left, _, right = text.rpartition(sep)
            left, right = left.strip(" ，,"), right.strip()
            if left and right and _looks_like_title(right):
                return TargetRole(right, left)
    for suffix in sorted(TITLE_SUFFIXES_ZH, key=len, reverse=True):
        if text.endswith(suffix):
            start = len(text) - len(suffix)
            while start > 0 and text[start - 1] in _ZH_TITLE_MODIFIERS:
                start -= 1
            title, org = text[start:], text[:start].strip(" ，,、")
            return TargetRole(title, org or None)
    return TargetRole(None, text)


def _looks_like_title(text: str) -> bool:
    if has_han(text):
        return any(suffix in text for suffix in TITLE_SUFFIXES_ZH)
    lowered = text.lower()
    return any(re.search(rf"(?<![a-z]){re.escape(w)}(?![a-z])", lowered) for w in TITLE_WORDS_EN)


def find_school(text: str) -> str | None:
    """The first school named in a background, in the spelling the person used."""
    text = clean(text)
    for pattern in _EN_SCHOOL_RES:
        match = pattern.search(text)
        if match:
            return match.group(0).strip(" ,.")
    for name in KNOWN_SCHOOLS:
        if re.search(rf"(?<![A-Za-z]){re.escape(name)}(?![A-Za-z])", text):
            return name
    match = _ZH_SCHOOL_RE.search(text)
    if match:
        prefix = match.group(1)
        for stop in _ZH_SCHOOL_STOPS:
            if stop in prefix:
                prefix = prefix.split(stop)[-1]
        if len(prefix) >= 2:
            return prefix + match.group(2)
    for name in KNOWN_SCHOOLS_ZH:
        if name in text:
            return name
    return None


def school_key(name: str) -> str:
    key = normalize_name(name)
    return _SCHOOL_ALIASES.get(key, key.removeprefix("the "))


def same_school(a: str | None, b: str | None) -> bool:
    if not a or not b:
        return False
    ka, kb = school_key(a), school_key(b)
    if ka == kb:
        return True
    shorter, longer = sorted((ka, kb), key=len)
    if has_han(shorter):
        return len(shorter) >= 2 and shorter in longer
    return len(shorter) >= 3 and re.search(rf"(?<!\w){re.escape(shorter)}(?!\w)", longer) is not None


def same_org(a: str | None, b: str | None) -> bool:
    """'Sequoia' matches 'Sequoia Capital'; 'AI' does not match 'OpenAI'.

    On the network's organisation keys (network/organisations.py), so the planner and the
    network agree that "Stripe, Inc.", "STRIPE INC" and "stripe" are one organisation; on top of
    equal keys, a name that is a whole-word part of the other's counts too.
    """
    if not a or not b:
        return False
    ka, kb = organisation_key(a), organisation_key(b)
    if not ka or not kb:
        return False
    if ka == kb:
        return True
    shorter, longer = sorted((ka, kb), key=len)
    min_len = 2 if has_han(shorter) else 4
    if len(shorter) < min_len:
        return False
    if has_han(shorter):
        return shorter in longer
    return re.search(rf"(?<![\w]){re.escape(shorter)}(?![\w])", longer) is not None


@functools.lru_cache(maxsize=2048)  # compares against every known school: asked again for each path
def is_school(org: str | None) -> bool:
    if not org:
        return False
    return bool(re.search(r"(?i)universit|college|institute|school|大学|学院", org)) or any(
        same_school(org, s) for s in KNOWN_SCHOOLS + KNOWN_SCHOOLS_ZH
    )


def first_name(name: str) -> str:
    """How to greet someone by name: 'Jane' for 'Dr. Jane Doe', the full name for '李雷'."""
    name = clean(name)
    if has_han(name):
        return name
    bare = _HONORIFICS.sub("", name)
    parts = bare.split()
    return parts[0] if parts else name


def zh_surname(name: str) -> str | None:
    """The family name of a Chinese name written in characters, for 张老师-style greetings."""
    name = clean(name)
    if not (2 <= len(name) <= 4) or not all("\u4e00" <= ch <= "\u9fff" for ch in name):
        return None
    for compound in _COMPOUND_SURNAMES:
        if name.startswith(compound) and len(name) > 2:
            return compound
    return name[0]
