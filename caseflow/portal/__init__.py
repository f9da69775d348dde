"""The client's own page: a secret link per case (``/p/<token>``), the household's
checklist as the client sees it, "I have done this" claims and questions to the advisor."""
