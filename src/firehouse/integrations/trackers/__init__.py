"""Ticket trackers for follow-ups: Jira (REST v3) and GitHub Issues (REST)."""
