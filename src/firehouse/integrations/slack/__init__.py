"""Slack: the chat provider, and the inbound endpoints Slack calls."""
