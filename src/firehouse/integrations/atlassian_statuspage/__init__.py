"""Mirror the status page to Atlassian Statuspage's manage API (optional; see
docs/integrations/atlassian-statuspage.md)."""
