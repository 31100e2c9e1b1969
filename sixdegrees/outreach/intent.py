"""What a reply means for the campaign, in English or Chinese: a small rule-based classifier.

The intents and what the chain does with them (outreach/chain/):

- `yes`: happy to introduce; the next hop's email is drafted, mentioning them;
- `blurb`: "send me a short note I can forward"; a reply carrying that note is drafted;
- `ask_other`: "ask Y instead"; a draft to Y (name and address taken from the reply);
- `not_now`: not a good time; nothing is sent, the person decides;
- `no`: declined; nobody further on this path is contacted, the next-best path is offered;
- `stop`: never contact me again; the address goes on the suppression list;
- `out_of_office`: an automatic or "I'm away" reply; the follow-up waits for the return date;
- `unclear`: none of the above with confidence; the person reads it and decides.

Rules are checked from the most consequential down (stop before no before yes), and a positive
phrase preceded by a negation ("not sure") does not count. Offline, deterministic, and cheap; the
person can always correct the result (POST /api/email/<id>/intent).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

INTENTS = ("yes", "blurb", "ask_other", "not_now", "no", "stop", "out_of_office", "unclear")
POSITIVE = frozenset({"yes", "blurb"})  # hop k agreed: hop k+1 may be contacted (double opt-in)
DECLINED = frozenset({"no", "stop"})

EMAIL_RE = re.compile(r"[A-Za-z0-9._%+'-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}")
_CJK = "\u4e00-\u9fff"


@dataclass(frozen=True)
class Intent:
    intent: str
    other_name: str = ""  # ask_other: whom to ask instead
    other_email: str = ""
    source: str = "rules"


def _rx(*patterns: str) -> list[re.Pattern[str]]:
    return [re.compile(p, re.IGNORECASE) for p in patterns]


STOP = _rx(
    r"\bstop (?:e-?mailing|contacting|messaging|writing|sending|spamming)\b",
    r"\bunsubscribe\b",
    r"\bremove me\b",
    r"\btake me off\b",
    r"\b(?:do not|don't|dont|never) (?:ever )?(?:e-?mail|contact|write to|message|reach out to) me\b",
    r"\bno (?:more|further) (?:e-?mails|messages|contact)\b",
    r"\bleave me alone\b",
    r"^\W*stop\W*$",
    r"(?:不要|别|請勿|请勿|勿)再?(?:联系|聯繫|发|發|给我发|打扰|打擾|来信|來信|写信)",
    r"退订|退訂|停止(?:发送|联系|發送|聯繫)|拒收",
)
BLURB = _rx(
    r"\bblurb\b",
    r"\bforwardable\b",
    r"\b(?:send|give|write|share|draft)\b[^.?!\n]{0,40}\b(?:short|brief|quick)\s+(?:note|intro|introduction|bio|"
    r"description|paragraph|summary|email|write-?up)\b",
    r"\b(?:send|give|write|share)\b[^.?!\n]{0,40}\b(?:something|a note|an email|a paragraph|a few lines) "
    r"(?:that )?I can (?:forward|pass (?:on|along)|send (?:on|along))\b",
    r"(?:发|發|写|寫|给|給)(?:我|一下)?[^。！？\n]{0,8}(?:简介|簡介|介绍文字|自我介绍|一段介绍|一段话|介绍材料)",
    r"可以(?:直接)?转发的|可以(?:直接)?轉發的|方便(?:我)?转发",
)
NOT_NOW = _rx(
    r"\bnot (?:right )?now\b",
    r"\bnot (?:a )?(?:good|great|the best) time\b",
    r"\bbad time\b",
    r"\bmaybe later\b",
    r"\b(?:too busy|swamped|slammed|underwater)\b",
    r"现在不(?:太)?方便|最近(?:太|比较|很|有点|非常)?忙|以后再说|过(?:一)?段时间再|晚点再|改天再|暂时不|回头再",
)
# Later, without saying no: only "not now" when nothing in the reply says yes ("happy to chat next week").
LATER = _rx(
    r"\b(?:circle|check|come) back\b",
    r"\b(?:reach out|ping me|try me|ask me|follow up)(?: again)? (?:in|after|next)\b",
    r"\b(?:after|in) (?:a few|a couple of|couple of|two|three|\d+) (?:weeks|months)\b",
    r"\b(?:next|later this) (?:week|month|quarter|year)\b",
    r"过(?:一)?段时间|过一阵|改天|下(?:个)?(?:月|周|星期)",
)
NO = _rx(
    r"\b(?:sorry|unfortunately|afraid|regret)\b[^.!?\n]{0,80}\b(?:can(?:no|'|’)?t|cannot|won(?:'|’)t|unable|not able|"
    r"don(?:'|’)t (?:really )?know|do not (?:really )?know|not comfortable|pass|not in a position|decline)\b",
    r"\b(?:i|we)(?: really| just)? (?:can(?:no|'|’)?t|cannot|won(?:'|’)t|will not|am unable to|(?:'|’)m unable to|"
    r"am not able to|(?:'|’)m not able to|would rather not|(?:'|’)d rather not) (?:help|introduce|make (?:the|an|that|this) "
    r"intro|do (?:that|this)|connect you|pass (?:this|it|that) (?:on|along)|vouch)",
    r"\bi (?:don(?:'|’)t|do not) (?:really |actually )?know (?:her|him|them|\w+)(?: (?:well|personally|at all))?\b",
    r"\bnot comfortable\b",
    r"\b(?:i(?:'|’)ll|i will) (?:have to )?pass\b",
    r"\bno,? thanks?\b|\bno thank you\b",
    r"^\W*no\b(?![- ](?:problem|worries|worry))",
    r"\bnot interested\b",
    r"帮不了|帮不上|幫不了|无法(?:帮|介绍|引荐)|不能(?:帮|介绍|引荐)|不认识|不認識|不太熟|不熟|不方便(?:介绍|引荐)|不合适|不感兴趣|算了|拒绝",
    r"(?:抱歉|不好意思|对不起)[^。！？\n]{0,20}(?:不|没法|没办法)",
)
AWAY = _rx(
    r"\bout of (?:the )?office\b",
    r"\bon (?:vacation|holiday|leave|parental leave|sabbatical)\b",
    r"\b(?:travel(?:l)?ing|away) (?:until|till|through|thru)\b",
    r"休假|出差|不在办公室|外出",
)
YES = _rx(
    r"\b(?:happy|glad|delighted|pleased) to\b",
    r"\b(?:i(?:'|’)d|i would) (?:be )?(?:happy|glad|love)\b",
    r"\b(?:sure|of course|absolutely|definitely|certainly|yes|yep|yeah|gladly)\b",
    r"\bwill do\b",
    r"\b(?:i(?:'|’)ll|i will|let me|i can|i(?:'|’)m going to) (?:gladly )?(?:introduce|connect|loop|intro|forward|"
    r"pass (?:it|this|your note|that) (?:on|along)|make (?:the|an|that) intro|put you in touch|reach out)",
    r"\b(?:introducing|looping in|cc(?:'|’)?ing|copying|cc(?:'|’)?d)\b",
    r"\b(?:i(?:'|’)ve|i have) (?:forwarded|passed|sent|introduced|connected)\b",
    r"\bno (?:problem|worries)\b|\bsounds good\b|\bconsider it done\b|\bhappy to help\b",
    r"好的|好啊|好呀|可以|没问题|沒問題|当然|當然|乐意|樂意|愿意|願意|我来介绍|我來介紹|帮你介绍|帮您介绍|已转发|已轉發|"
    r"我(?:会|會|来|來|这就|马上)?(?:转发|轉發|转给|介绍|介紹|引荐|联系)",
)
_NEGATION = re.compile(r"(?:\bnot|n(?:'|’)t|\bnever|\bno|不|没|沒|别)\s*(?:\w+\s*)?$", re.IGNORECASE)

# "Ask Y instead": a suggestion plus a person (a name after the verb, or a third party's address).
SUGGEST = _rx(
    r"\byou (?:could|should|might|can|may|would|(?:'|’)d)(?: (?:want to|better|try to|also))?\b",
    r"\b(?:i(?:'|’)d|i would|i) (?:suggest|recommend)\b",
    r"\binstead\b",
    r"\b(?:right|better|best) (?:person|contact|placed)\b",
    r"\bknows? (?:her|him|them|\w+) (?:much |far )?better\b",
    r"^\W*(?:try|ask|contact|email|ping)\b",
    r"\bbetter (?:to|off) (?:ask|contact|reach|talk|email)",
    r"(?:你|您)(?:可以|不妨|最好)|建议(?:你|您)?|不如|更合适|更熟|更适合",
)
_VERB = r"(?:ask|try|contact|reach out to|talk to|speak (?:to|with)|e-?mail|ping|write to|get in touch with|go to)"
_EN_NAME = r"[A-Z][\w'’-]+(?:\s+[A-Z][\w'’-]+){0,2}"
NAME_AFTER_VERB = re.compile(
    rf"\b(?i:{_VERB})\s+(?:(?i:my|our) (?i:colleague|friend|partner|co-?founder|boss|manager)\s+)?(?P<name>{_EN_NAME})"
)
ZH_NAME_AFTER_VERB = re.compile(
    rf"(?:找|问问|問問|联系|聯繫|问一下|找一下|请教)(?:一下)?(?:我的)?(?:同事|朋友|合伙人|老板)?"
    rf"(?P<name>[{_CJK}]{{2,3}}?)(?=[，,。.！!\s(（<]|吧|他|她|试试|問問|问问|$|[A-Za-z])"
)
NAME_BEFORE_EMAIL = re.compile(rf"(?P<name>{_EN_NAME}|[{_CJK}]{{2,4}})\s*(?:[(（<\[:：,，-]|\bat\b)\s*$")
NOT_NAMES = {"I", "Me", "You", "Thanks", "Thank", "Best", "Hi", "Hello", "Dear", "Please", "The", "Her", "Him"}


def _normalize(text: str) -> str:
    return (text or "").replace("’", "'").replace("\u00a0", " ")


def _affirmative(pattern: re.Pattern[str], text: str) -> bool:
    """True when the pattern occurs at least once without a negation just before it."""
    for match in pattern.finditer(text):
        before = text[max(0, match.start() - 12) : match.start()]
        if not _NEGATION.search(before):
            return True
    return False


def _any(patterns: list[re.Pattern[str]], text: str) -> bool:
    return any(p.search(text) for p in patterns)


def _other_person(text: str, exclude: set[str]) -> tuple[str, str]:
    """(name, address) of a third person named in the reply, either may be empty."""
    address, name = "", ""
    for match in EMAIL_RE.finditer(text):
        found = match.group(0).strip(".").lower()
        if found in exclude:
            continue
        address = found
        window = text[max(0, match.start() - 60) : match.start()]
        verb = [m for m in ZH_NAME_AFTER_VERB.finditer(window) if not window[m.end() :].strip(" (（<[:：,，-")]
        before = NAME_BEFORE_EMAIL.search(window)
        if verb:
            name = verb[-1].group("name")
        elif before and before.group("name") not in NOT_NAMES:
            name = before.group("name").strip()
        break
    if not name:
        for pattern in (NAME_AFTER_VERB, ZH_NAME_AFTER_VERB):
            for match in pattern.finditer(text):
                candidate = match.group("name").strip()
                first = candidate.split()[0] if candidate.split() else ""
                if candidate and first not in NOT_NAMES and candidate.lower() not in {"him", "her", "them"}:
                    name = candidate
                    break
            if name:
                break
    return name[:100], address


def classify(text: str, *, subject: str = "", exclude_emails: tuple[str, ...] = ()) -> Intent:
    """The intent of a reply's own text (quoted history already removed)."""
    body = _normalize(text).strip()
    if not body:
        return Intent("unclear")
    if _any(STOP, body):
        return Intent("stop")
    exclude = {e.lower() for e in exclude_emails}
    if _any(SUGGEST, body):
        name, address = _other_person(body, exclude)
        if address or name:
            return Intent("ask_other", other_name=name, other_email=address)
    if _any(BLURB, body):
        return Intent("blurb")
    if _any(NO, body):
        return Intent("no")
    if _any(NOT_NOW, body):
        return Intent("not_now")
    if _any(AWAY, body) and not any(_affirmative(p, body) for p in YES):
        return Intent("out_of_office")
    if any(_affirmative(p, body) for p in YES):
        return Intent("yes")
    if _any(LATER, body):
        return Intent("not_now")
    return Intent("unclear")
