"""firehouse: one system for the whole incident response, from alert to postmortem."""

__version__ = "0.1.0"
