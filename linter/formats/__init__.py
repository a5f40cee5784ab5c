"""Input formats: one package per format behind the interface in `api`, all listed in `registry`."""
