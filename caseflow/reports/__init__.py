"""Reports: the funder report (Warm Welkom) with charts and exports."""
