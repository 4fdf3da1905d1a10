"""Date formats of the UI languages beyond Django's own (FORMAT_MODULE_PATH): templates name them,
e.g. `{{ when|date:"DAY_TIME_FORMAT" }}`, and each language writes them its way."""
