"""Documents: PDF case summaries and client checklists (WeasyPrint), and bulk exports."""
