"""`sixdegrees worker`: the Huey consumer it runs."""

from __future__ import annotations

from huey.contrib.djhuey import HUEY

from sixdegrees.cli.running import consumer_options


def test_the_worker_polls_an_sqlite_queue_every_few_milliseconds(settings):
    """SQLite cannot block on an empty queue: a 1 s poll left each new intake waiting for its plan."""
    assert settings.HUEY["huey_class"] == "huey.SqliteHuey"
    consumer = HUEY.create_consumer(**consumer_options(settings.HUEY, None, periodic=False))
    assert consumer.default_delay <= 0.05 and consumer.max_delay <= 0.05
