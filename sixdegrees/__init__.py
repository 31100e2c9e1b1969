"""SixDegrees: a warm-introduction agent."""

__version__ = "0.1.0"
