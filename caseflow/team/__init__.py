"""The team lead's pages: team overview, intake queue, bulk reassign, review queue."""
