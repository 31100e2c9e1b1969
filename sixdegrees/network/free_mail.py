"""Mail domains anyone can sign up for: an address there says nothing about an employer.

Kept in the code rather than fetched, so matching works offline and the same on every machine.
Listed by registrable domain (the part a company buys: "yahoo.co.uk", not "mail.yahoo.co.uk").
A missing provider only costs a wrong organisation guess for its users, which the person can
correct; a company listed here by mistake would never be matched by its email domain, so only
consumer providers belong here, not companies that also offer mail.
"""

from __future__ import annotations

# Providers that run the same consumer service under many country domains (yahoo.co.jp,
# hotmail.fr, gmx.at, yandex.kz …): matched on the label before the public suffix. The companies'
# own staff write from other domains (yahooinc.com, microsoft.com), so nobody loses an employer.
FREE_MAIL_LABELS = frozenset(
    {
        "gmail",
        "googlemail",
        "hotmail",
        "outlook",
        "live",
        "msn",
        "windowslive",
        "yahoo",
        "ymail",
        "rocketmail",
        "aol",
        "gmx",
        "yandex",
        "protonmail",
    }
)

FREE_MAIL_DOMAINS = frozenset(
    {
        # Apple, Google relays and other global providers
        "icloud.com",
        "me.com",
        "mac.com",
        "appleid.com",  # privaterelay.appleid.com: "Hide My Email" relays
        "aim.com",
        "proton.me",
        "pm.me",
        "tutanota.com",
        "tutanota.de",
        "tuta.io",
        "tuta.com",
        "zohomail.com",
        "fastmail.com",
        "fastmail.fm",
        "hey.com",
        "hushmail.com",
        "duck.com",
        "mail.com",
        "email.com",
        "usa.com",
        "inbox.com",
        "lycos.com",
        "mailbox.org",
        "posteo.de",
        # Germany, France, Italy, the UK and the rest of Europe
        "web.de",
        "t-online.de",
        "freenet.de",
        "arcor.de",
        "mail.de",
        "orange.fr",
        "wanadoo.fr",
        "free.fr",
        "sfr.fr",
        "laposte.net",
        "libero.it",
        "virgilio.it",
        "tiscali.it",
        "alice.it",
        "btinternet.com",
        "sky.com",
        "virginmedia.com",
        "ntlworld.com",
        "talktalk.net",
        "seznam.cz",
        "wp.pl",
        "o2.pl",
        "interia.pl",
        "onet.pl",
        # Russia and neighbours
        "mail.ru",
        "inbox.ru",
        "list.ru",
        "bk.ru",
        "rambler.ru",
        "ukr.net",
        # China, Korea, Japan, India
        "qq.com",
        "foxmail.com",
        "163.com",
        "126.com",
        "yeah.net",
        "sina.com",
        "sina.cn",
        "sohu.com",
        "aliyun.com",
        "139.com",
        "189.cn",
        "naver.com",
        "hanmail.net",
        "daum.net",
        "nate.com",
        "docomo.ne.jp",
        "ezweb.ne.jp",
        "softbank.ne.jp",
        "rediffmail.com",
        # North American and Australian internet providers' mailboxes
        "comcast.net",
        "verizon.net",
        "att.net",
        "sbcglobal.net",
        "bellsouth.net",
        "cox.net",
        "charter.net",
        "earthlink.net",
        "optonline.net",
        "juno.com",
        "netzero.net",
        "shaw.ca",
        "rogers.com",
        "sympatico.ca",
        "bigpond.com",
        "optusnet.com.au",
        "xtra.co.nz",
    }
)

# Hosts whose addresses stand for a service's users, not its staff: GitHub writes commits and
# replies from "<id>+<login>@users.noreply.github.com" and "reply+…@reply.github.com".
RELAY_HOSTS = frozenset({"users.noreply.github.com", "reply.github.com"})
