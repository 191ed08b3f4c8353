"""The faked services: one folder each (its :class:`~._kit.spec.Service` in its
``__init__``), a folder per job kind inside it, and the kit they are built from."""
