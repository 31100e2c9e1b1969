"""Writing the emails of a path, in English or Chinese, within a length budget.

Three kinds of email:
- to a contact the person knows (greets them by first name, asks a favour);
- to an intermediary found by role (greets "Hi there," / "您好，", says why them);
- to the target (mentions who introduced them, says who the person is and why, asks small).
The first two carry a short self-introduction the intermediary can forward as is.

Length: every draft is rendered at the most generous excerpt sizes first; if it is too long the
quoted background and reason are shortened, and if it is too short (terse intake) one or two
courteous, useful sentences are added. See schema.OFFLINE_LENGTH for the bounds.
"""

from __future__ import annotations

import random
import re
from collections.abc import Callable
from dataclasses import dataclass

from sixdegrees.network.text import has_han

from .fields import first_name, word_list, zh_surname
from .routes import TARGET_ASK, RouteText, by_language
from .schema import OFFLINE_LENGTH, ChainNode, Draft, draft_length
from .schema import clean_text as clean

# (background, reason, background in the forwardable note, reason in the forwardable note)
_LEVELS = {
    "en": [(30, 32, 18, 20), (22, 24, 14, 16), (16, 18, 11, 12), (12, 13, 8, 9), (8, 8, 6, 6)],
    "zh-hans": [(60, 60, 36, 40), (45, 45, 28, 30), (32, 32, 20, 22), (22, 22, 14, 16)],
}
_SENTENCE_END = re.compile(r"(?<=[。！？])\s*|(?<=[.!?])\s+")
_ABBREVIATION = re.compile(r"(?i)(?:^|\s)(?:dr|mr|mrs|ms|prof|st|jr|sr|vs|etc|inc|ltd|co|no|e\.g|i\.e|u\.s|[a-z])\.$")
_EN_FIRST_PERSON = re.compile(r"(?i)^(?:i|i'm|i’m|i've|i’ve|i'd|i’d|i'll|my|we|we're|we’re|our)\b")
_EN_VERBS = (
    "learn ask get pitch discuss explore seek find share invite hire raise collaborate interview "
    "talk meet understand show propose present request apply join work build partner introduce "
    "feature write study publish review demo sell buy connect thank chat hear compare validate "
    "get discuss improve contribute volunteer intern research fund"
).split()
# Background openings that read well after "I'm Sam, a …" / "I'm Sam, …".
_EN_ROLE_NOUNS = set(
    word_list(
        "analyst|artist|aspiring|backend|co-founder|cofounder|college|consultant|creative|"
        "data|designer|dev|developer|doctor|early-career|engineer|entrepreneur|first-time|"
        "former|founder|freelance|frontend|full-stack|fullstack|game|graduate|hardware|"
        "high-school|independent|indie|investor|journalist|junior|lawyer|lead|lecturer|"
        "machine|manager|marketer|mba|medical|ml|mobile|musician|nurse|phd|photographer|"
        "physician|postdoc|practicing|practising|principal|product|professor|researcher|"
        "retired|scientist|second-time|self-taught|senior|serial|software|solo|staff|startup|"
        "student|teacher|tech|technical|third-time|ui|undergraduate|ux|web|writer"
    )
)
_EN_LEADING_WORDS = set(
    word_list(
        "based|building|currently|focused|formerly|interested|now|passionate|previously|"
        "recently|studying|trained|working"
    )
)
_ZH_WANT = ("希望", "想", "打算", "计划", "准备", "需要", "期待", "渴望")
_ZH_VERBS = word_list(
    "请教|咨询|了解|学习|探讨|讨论|交流|寻求|邀请|介绍|合作|申请|采访|拜访|认识|分享|展示|汇报|推荐|加入|争取|获得|融资"
)

PADS = {
    ("en", "target"): [
        "I'm happy to work around your schedule over the next few weeks.",
        "If a call isn't convenient, I'd be just as glad to send two or three specific questions by email instead.",
        "Either way, thank you for considering it.",
    ],
    ("en", "ask"): [
        "There's no rush at all; whenever suits you is perfect.",
        "If it would help, I'm happy to reword the note in whatever way makes it easiest to pass on.",
        "Thank you again. I know requests like this take time and goodwill.",
    ],
    ("zh-hans", "target"): [
        "时间上我完全配合您的安排，未来几周内任何时候都可以。",
        "如果通话不方便，我也可以先把两三个具体问题通过邮件发给您。",
        "无论结果如何，都非常感谢您抽空读完这封信。",
    ],
    ("zh-hans", "ask"): [
        "时间上不着急，您方便的时候再处理就好。",
        "如果需要，我也很乐意按照您觉得合适的方式修改这段介绍，方便您转发。",
        "再次感谢，我知道这样的请求需要花费您的时间和人情。",
    ],
}


@dataclass
class Hop:
    """One node of a path, with what the writer needs to know about it."""

    node: ChainNode
    kind: str  # a route kind, "contact_org"/"contact_school"/"contact_any", or "target"
    text: RouteText | None = None  # route phrases, already filled in
    known: bool = False  # a real contact the person knows

    @property
    def greet_name(self) -> str:
        return first_name(self.node.name)


@dataclass
class Writer:
    language: str
    field: str
    rng: random.Random
    user: str
    email: str
    background: str
    reason: str
    target: str
    target_role: str  # the intake's "title/company", cleaned
    org: str  # the target's organisation, or a description of it when unknown
    org_known: bool = True

    @property
    def zh(self) -> bool:
        return self.language == "zh-hans"

    def pick(self, options: list[str]) -> str:
        return options[self.rng.randrange(len(options))]

    # ---- sentences built from the person's own words -------------------------------------

    def excerpt(self, text: str, cap: int) -> str:
        """The first sentence or two of `text`, at most `cap` words (characters in Chinese)."""
        sentences = _sentences(clean(text))
        if not sentences:
            return ""
        out = sentences[0].strip()
        for sentence in sentences[1:]:
            joined = out + sentence if self.zh else f"{out} {sentence}"
            if draft_length(joined, self.language) > cap:
                break
            out = joined
        if draft_length(out, self.language) <= cap:
            return out.rstrip(" .;:,，；：、")
        return _cut(out, cap, self.language)

    def about(self, cap: int) -> str:
        """The person introducing themselves, in the first person."""
        bg = self.excerpt(self.background, cap)
        bg = re.sub(rf"^{re.escape(self.user)}\s*(?:is\b|,|:|—|-|，|：)?\s*", "", bg).strip()
        if self.zh:
            if not bg:
                return f"我是{self.user}。"
            if bg.startswith(("我是", "我叫")):
                return _end(f"我是{self.user}，{bg[2:]}", self.language)
            if bg.startswith("我"):
                return _end(f"我是{self.user}。{bg}", self.language)
            return _end(f"我是{self.user}，{bg}", self.language)
        if not bg:
            return f"I'm {self.user}."
        if _EN_FIRST_PERSON.match(bg):
            return _end(f"I'm {self.user}. {bg[0].upper()}{bg[1:]}", self.language)
        word = bg.split()[0]
        first = word.lower()
        # "Student" → "student", but keep "PhD", "MBA" as written.
        shown = first if word[1:].islower() or len(word) == 1 else word
        rest = f"{shown}{bg[len(word) :]}"
        if first in {"a", "an", "the"}:
            return _end(f"I'm {self.user}, {rest}", self.language)
        if first in _EN_ROLE_NOUNS:
            vowel = shown[0] in "aeiou" if shown is first else shown[0].upper() in "AEFHILMNORSX"
            return _end(f"I'm {self.user}, {'an' if vowel else 'a'} {rest}", self.language)
        if first in _EN_LEADING_WORDS:
            return _end(f"I'm {self.user}, {rest}", self.language)
        return _end(f"I'm {self.user} — {bg}", self.language)

    def why_target(self, cap: int, *, to_target: bool = False) -> str:
        """Why the person wants to reach the target, in the first person.

        `to_target` is for the note the target reads, which says "you" rather than their name.
        """
        r = self.excerpt(self.reason, cap)
        target = self.target
        if self.zh:
            if not r:
                return f"我非常希望能与{target}交流。"
            if r.startswith("我"):
                return _end(r, self.language)
            if r.startswith(_ZH_WANT):
                return _end(f"我{r}", self.language)
            if r.startswith("因为"):
                lead = "我之所以给您写信" if to_target else f"我之所以想联系{target}"
                return _end(f"{lead}，是{r}", self.language)
            if r in _ZH_VERBS:  # a bare "请教": say whom
                return _end(f"我想向{'您' if to_target else target}{r}", self.language)
            if r.startswith(_ZH_VERBS):
                return _end(f"我想{r}", self.language)
            lead = "冒昧写信的原因是" if to_target else f"我想联系{target}，原因是"
            return _end(f"{lead}：{r}", self.language)
        if not r:
            return f"I would very much like to speak with {target}."
        lowered = r[0].lower() + r[1:]
        first = lowered.split()[0].strip(",.;:") if lowered.split() else ""
        if _EN_FIRST_PERSON.match(r):
            return _end(r[0].upper() + r[1:], self.language)
        if first == "to":
            return _end(f"I'm hoping {lowered}", self.language)
        if first == "because":
            return _end(f"I'm reaching out {lowered}", self.language)
        if first in {"want", "need", "hope", "would"}:
            return _end(f"I {lowered}", self.language)
        if first in {"hoping", "looking", "trying", "planning", "seeking"}:
            return _end(f"I'm {lowered}", self.language)
        if first in _EN_VERBS:
            return _end(f"I'd like to {lowered}", self.language)
        if len(r.split()) <= 3:  # a terse "Mentorship" reads best as a topic
            lead = "I'm writing to you about" if to_target else f"I'd like to reach {target} about"
            return _end(f"{lead} {r}", self.language)
        if to_target:
            return _end(f"Here is why I'm writing to you: {r}", self.language)
        return _end(f"Here is why I'd like to reach {target}: {r}", self.language)

    # ---- the three kinds of email ----------------------------------------------------------

    def ask_draft(self, hop: Hop, number: int, nxt: Hop, prev: Hop | None) -> Draft:
        """An email to an intermediary: please introduce me onwards."""
        kind = "contact" if hop.known else "role"
        subject = self._ask_subject(nxt)

        def render(level: tuple[int, int, int, int], pads: int) -> str:
            _, _, blurb_bg, blurb_reason = level
            parts = [self._ask_greeting(hop), self._ask_opening(hop, prev, kind)]
            parts.append(self._ask_why(hop))
            parts.append(self._ask_context())
            parts.append(self._ask_request(nxt, kind))
            parts.extend(PADS[(self.language, "ask")][:pads])
            parts.append("可直接转发的简短自我介绍：" if self.zh else "A short note you can forward as is:")
            parts.append(self._blurb(blurb_bg, blurb_reason))
            parts.append(self._ask_thanks(kind))
            parts.append(self._signoff(with_email=False))
            return _join(parts)

        return self._fit(render, hop, number, subject, "ask")

    def target_draft(self, hop: Hop, number: int, prev: Hop | None) -> Draft:
        """The email to the target."""
        subject = self._target_subject(prev)

        def render(level: tuple[int, int, int, int], pads: int) -> str:
            bg_cap, reason_cap, _, _ = level
            intro = self._introduced_by(prev)
            about = self.about(bg_cap)
            why = self.why_target(reason_cap, to_target=True)
            ask = by_language(TARGET_ASK[self.field], self.language).format(view=self._view())
            courtesy = (
                "知道您事务繁忙，不必长篇回复；哪怕只是指点我该联系哪位同事，对我也会很有帮助。"
                if self.zh
                else "I know your inbox is full, so please don't feel you need to write a long "
                "reply; even a short note pointing me to the right person would mean a lot."
            )
            sep = "" if self.zh else " "
            opening = greeting(hop.node.name, self.language) if hop.known else self._target_greeting()
            intro = self._known_target_opening() if hop.known and prev is None else intro
            parts = [opening, intro, sep.join([about, why]), ask]
            parts.append(sep.join([courtesy, *PADS[(self.language, "target")][:pads]]))
            parts.append(self._signoff(with_email=True))
            return _join(parts)

        return self._fit(render, hop, number, subject, "target")

    # ---- pieces -------------------------------------------------------------------------

    def _view(self) -> str:
        """Whose view of the space an investor pitch asks about."""
        if self.org_known:
            return f"{self.org}对这个领域的判断" if self.zh else f"how {self.org} thinks about the space"
        return "您对这个领域的判断" if self.zh else "how you think about the space"

    def _ask_greeting(self, hop: Hop) -> str:
        return greeting(hop.node.name if hop.known else None, self.language)

    def _ask_opening(self, hop: Hop, prev: Hop | None, kind: str) -> str:
        if prev is not None:
            if self.zh:
                return f"我是{self.user}，{prev.node.name}建议我联系您，非常感谢您愿意读一读这封信。"
            return (
                f"I'm {self.user}, and {prev.node.name} suggested I get in touch with you. Thank "
                "you for being open to hearing from me."
            )
        if kind == "contact":
            return self.pick(
                [
                    "希望您一切都好！想请您帮个小忙，如果不方便，直接拒绝就好。",
                    "好久没联系了，希望您一切顺利。有件小事想请您帮忙，不方便的话完全没关系。",
                ]
                if self.zh
                else [
                    "I hope you're doing well. I have a small favour to ask, and please feel free to say no.",
                    "I hope all is well with you. I'm writing with a favour to ask, with no pressure at all.",
                ]
            )
        return self.pick(
            [
                f"冒昧来信，我是{self.user}，希望这封突如其来的邮件没有打扰到您。",
                f"很抱歉突然来信，我是{self.user}，有一件小事想请您帮忙。",
            ]
            if self.zh
            else [
                f"My name is {self.user}, and I hope you don't mind a note out of the blue.",
                f"I'm {self.user}, and I'm writing with a small request. I hope that's all right.",
            ]
        )

    def _ask_why(self, hop: Hop) -> str:
        why = hop.text.why if hop.text else ""
        if hop.known:
            return f"我第一个想到的就是您，因为{why}。" if self.zh else f"I thought of you because {why}."
        return f"之所以给您写信，是因为{why}。" if self.zh else f"I'm writing to you because {why}."

    def _ask_context(self) -> str:
        if self.zh:
            return (
                f"我希望能联系上{self.target}（{self.target_role}）。下面这段简短的介绍说明了我是谁、"
                "为什么想联系对方，可以直接转发。"
            )
        return (
            f"I'm hoping to reach {self.target} ({self.target_role}). The short note below explains "
            "who I am and why, so it can be passed on exactly as it is."
        )

    def _ask_request(self, nxt: Hop, kind: str) -> str:
        target = self.target
        if nxt.kind == "target":
            if self.zh:
                tail = (
                    f"如果您和{target}不太熟，能告诉我团队里哪位更合适，也同样很有帮助。"
                    if kind == "contact"
                    else f"如果觉得不合适，也完全没关系；能听听您关于如何联系{target}的建议，我也会非常感激。"
                )
                return f"想请您帮个忙：方便的话，能否把这段介绍转给{target}，或者通过邮件帮我们牵个线？{tail}"
            tail = (
                f"If you don't know {target} well, a pointer to someone on the team who does would be just as helpful."
                if kind == "contact"
                else "If it doesn't feel right, I completely understand; even a word of advice on "
                f"how best to approach {target} would help."
            )
            return (
                f"Would you be willing to forward the note below to {target}, or introduce us by "
                f"email if you feel comfortable doing so? {tail}"
            )
        someone = nxt.text.someone if nxt.text else ""
        if self.zh:
            return (
                f"想请问您是否认识{someone}？如果认识，能否帮忙介绍一下，或者把下面这段介绍转给对方？"
                "如果一时想不到合适的人，也完全没关系。"
            )
        return (
            f"Would you happen to know {someone}? If so, I'd be very grateful if you could put us "
            "in touch, or simply forward the note below. If nobody comes to mind, no problem at all."
        )

    def _blurb(self, bg_cap: int, reason_cap: int) -> str:
        about, why = self.about(bg_cap), self.why_target(reason_cap)
        if self.zh:
            return f"{about}{why}如蒙回复，不胜感激，我的邮箱是{self.email}。"
        return f"{about} {why} I'd be grateful for a short conversation, and can be reached at {self.email}."

    def _ask_thanks(self, kind: str) -> str:
        if self.zh:
            return "非常感谢，真的很感激！" if kind == "contact" else "感谢您抽空读完这封信。"
        if kind == "contact":
            return "Thanks so much. I really appreciate it."
        return "Thank you for reading this far, and for considering it."

    def _target_greeting(self) -> str:
        if self.zh:
            surname = zh_surname(self.target)
            if surname and self.field in {"academia", "healthcare", "media"}:
                return f"{self.target}老师您好："
            return f"{self.target}您好：" if has_han(self.target) else f"尊敬的{self.target}："
        return f"Dear {self.target},"

    def _known_target_opening(self) -> str:
        if self.zh:
            return "希望您一切都好！这次写信，是有一件事想直接向您请教。"
        return "I hope you're well. I'm writing to you directly this time, with a request of my own."

    def _introduced_by(self, prev: Hop | None) -> str:
        if prev is None:
            return "冒昧给您写信，还请见谅。" if self.zh else "I hope you don't mind me writing to you directly."
        if prev.known:
            if self.zh:
                return f"感谢{prev.node.name}的引荐，让我有机会直接给您写信。"
            return (
                f"{prev.node.name} was kind enough to introduce us, and I'm grateful for the "
                "chance to write to you directly."
            )
        via = prev.text.via if prev.text else ""
        if self.zh:
            return f"经{via}引荐，冒昧给您写信，还请见谅。"
        return f"I'm writing at the suggestion of {via}, who kindly passed my note along."

    def _ask_subject(self, nxt: Hop) -> str:
        target = self.target
        if nxt.kind == "target":
            return self.pick(
                [f"想请您帮忙引荐{target}", f"能否请您帮我联系{target}？"]
                if self.zh
                else [f"Could you introduce me to {target}?", f"A small favour: an introduction to {target}"]
            )
        return self.pick(
            [f"想请您帮个忙：联系{target}", f"请教：如何联系上{target}"]
            if self.zh
            else [f"A small favour: finding a way to {target}", f"Could you help me reach {target}?"]
        )

    def _target_subject(self, prev: Hop | None) -> str:
        if prev is not None and prev.known:
            return (
                f"经{prev.node.name}引荐：{self.user}来信"
                if self.zh
                else f"Introduced by {prev.node.name}: {self.user}"
            )
        return self.pick(
            [f"经朋友引荐：{self.user}来信", f"{self.user}：一封简短的来信"]
            if self.zh
            else [f"Following an introduction: {self.user}", f"A short note from {self.user}"]
        )

    def _signoff(self, *, with_email: bool) -> str:
        if self.zh:
            business = with_email and self.field in {"vc", "general", "design", "engineering"}
            closing = self.pick(
                ["祝好，", "谢谢您，", "顺颂商祺，"] if business else ["祝好，", "谢谢您，", "祝一切顺利，"]
            )
        else:
            closing = self.pick(["Best wishes,", "With thanks,", "Kind regards,"])
        lines = [closing, self.user] + ([self.email] if with_email else [])
        return "\n".join(lines)

    def _fit(
        self, render: Callable[[tuple[int, int, int, int], int], str], hop: Hop, number: int, subject: str, kind: str
    ) -> Draft:
        low, high = OFFLINE_LENGTH[self.language]
        levels = _LEVELS[self.language]
        body = ""
        for level in levels:
            pads = 0
            body = render(level, pads)
            while draft_length(body, self.language) < low and pads < len(PADS[(self.language, kind)]):
                pads += 1
                body = render(level, pads)
            if draft_length(body, self.language) <= high:
                break
        return Draft(
            hop=number,
            recipient_name=hop.node.name,
            recipient_email=hop.node.email,
            recipient_role=hop.node.role,
            subject=subject,
            body=body,
        )


def greeting(name: str | None, language: str) -> str:
    """The first line of an email to `name` (None: someone known only by role).

    English greets by first name ("Hi Priya,"). Chinese writes a Chinese name whole ("李雷，您好！"),
    as people address each other by full name, and a Latin name by its first name ("Priya，您好！").
    """
    if name is None:
        return "您好，" if language == "zh-hans" else "Hi there,"
    shown = first_name(name)
    return f"{shown}，您好！" if language == "zh-hans" else f"Hi {shown},"


def is_greeting(line: str) -> bool:
    """Whether a draft's first paragraph is a greeting this module writes (so it may be replaced)."""
    line = line.strip()
    return bool(re.fullmatch(r"(?:Hi [^\n,]{1,80},|Hi there,|[^\n，]{1,80}，您好！|您好，)", line))


def _sentences(text: str) -> list[str]:
    """Split into sentences, without breaking after "Dr." or inside "DeepLearning.AI"."""
    out: list[str] = []
    for piece in _SENTENCE_END.split(text):
        if not piece.strip():
            continue
        if out and _ABBREVIATION.search(out[-1]):
            out[-1] = f"{out[-1]} {piece}"
        else:
            out.append(piece.strip())
    return out


def _join(parts: list[str]) -> str:
    return "\n\n".join(p for p in parts if p)


def _end(text: str, language: str) -> str:
    text = text.rstrip(" ,;:，；：、")
    if language == "zh-hans":
        return text if text.endswith(("。", "！", "？", "…", ".", "!", "?")) else text + "。"
    return text if text.endswith((".", "!", "?", "…", "”")) else text + "."


def _cut(text: str, cap: int, language: str) -> str:
    """Shorten to `cap` units, at a clause boundary if there is one in the second half."""
    if language == "zh-hans":
        units = list(re.finditer(r"[\u3400-\u9fff\uf900-\ufaff]|[A-Za-z0-9][\w.@+'’-]*", text))
        end = units[cap - 1].end() if len(units) >= cap else len(text)
        head = text[:end]
        boundary = max(head.rfind(ch) for ch in "，、；：,;")
        if boundary >= len(head) // 2:
            head = head[:boundary]
        return head.rstrip(" ，、；：,;") + "……"
    words = text.split()[:cap]
    for i in range(len(words) - 1, len(words) // 2, -1):
        if words[i - 1].endswith((",", ";", ":")) or words[i].lower() in {"and", "but", "—", "-", "which", "who"}:
            words = words[:i]
            break
    return " ".join(words).rstrip(" ,;:—-") + "…"
