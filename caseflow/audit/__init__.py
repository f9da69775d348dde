"""Pages of the audit trail: a case's access log and a user's activity (the trail itself,
its model and how rows are written, live in ``caseflow.core.audit``)."""
