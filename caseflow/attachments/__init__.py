"""Files attached to a case or to one of its checklist steps (uploads: PDF, JPEG, PNG,
HEIC), stored outside the database. Not ``caseflow.documents``, which renders PDFs."""
