"""Python children of a frozen-date test run share the parent's clock (see sixdegrees/test_clock.py)."""

from sixdegrees.test_clock import follow_parent

follow_parent()
