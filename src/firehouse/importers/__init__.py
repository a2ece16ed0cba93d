"""Moving in from OpsGenie and PagerDuty: read their REST APIs, write a firehouse.yaml
fragment and a report of what did not map (`firehouse import opsgenie|pagerduty`)."""
