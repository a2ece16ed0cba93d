"""The runbook's duties: each incident's checklist, reminders, postmortems, follow-ups,
training drills and reports."""
