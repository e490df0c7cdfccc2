"""One module per format; each lays out a ``PlanReport`` or ``NetworkReport``."""
