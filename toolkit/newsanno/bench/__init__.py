"""``newsanno bench``: a deterministic synthetic corpus (``synth``) and the timed stages (``run``)."""
