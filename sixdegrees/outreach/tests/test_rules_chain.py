"""Rules of the chain that a person would notice broken (each found by a mutation that survived).

- A later "thanks!" does not undo an earlier yes: the next hop stays open.
- A bounce that arrives after their reply does not turn the reply into a bounce.
- The gate holds hop 2 even when hop 1's email is missing altogether.
"""

from __future__ import annotations

import pytest

from sixdegrees.lib.http import BadRequest
from sixdegrees.outreach import watcher
from sixdegrees.outreach.approval import approve
from sixdegrees.outreach.models import EmailOutreach
from sixdegrees.outreach.tests import mail_samples as mail
from sixdegrees.outreach.tests.chains import hop, planned_campaign
from sixdegrees.outreach.tests.servers import make_mailbox
from sixdegrees.outreach.tests.test_chain import reply_to, sent_first

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def mailbox(alice, smtp_server):
    return make_mailbox(alice, smtp_server)


@pytest.fixture
def campaign(alice):
    return planned_campaign(alice)


def test_a_thank_you_after_a_yes_keeps_the_next_hop_open(campaign, mailbox, alice):
    first = sent_first(campaign, alice)
    reply_to(mailbox, first, "Yes, happy to introduce you to her.")
    reply_to(mailbox, first, "Thanks!")

    first.refresh_from_db()
    assert first.status == "replied" and first.reply_intent == "yes"
    assert first.reply_text == "Thanks!"  # the newest words are shown…
    assert "reply_again" in list(campaign.events.values_list("kind", flat=True))
    second = hop(campaign, 2)
    EmailOutreach.objects.filter(pk=second.pk).update(recipient_email="carol@example.org")
    second.refresh_from_db()
    assert approve(second, alice)[1] is True  # …and the yes still opens the gate


def test_a_bounce_after_their_reply_leaves_the_reply(campaign, mailbox, alice):
    first = sent_first(campaign, alice)
    reply_to(mailbox, first, "Yes, happy to introduce you to her.")

    late = mail.dsn_bounce(original_message_id=first.message_id, recipient="bob@example.org", status="5.2.2")
    assert watcher.apply_message(mailbox, late) == "bounce"

    first.refresh_from_db()
    assert first.status == "replied" and first.reply_intent == "yes" and not first.error_message


def test_hop_two_waits_when_hop_one_has_no_email_at_all(campaign, alice):
    EmailOutreach.objects.filter(campaign=campaign, hop=1).delete()  # e.g. removed by hand
    second = hop(campaign, 2)
    EmailOutreach.objects.filter(pk=second.pk).update(recipient_email="carol@example.org")
    second.refresh_from_db()

    with pytest.raises(BadRequest) as refused:
        approve(second, alice)

    assert refused.value.status == 409
    second.refresh_from_db()
    assert second.status == "draft"
