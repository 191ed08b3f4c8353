"""The libraries the plugin lives beside, and what it knows of each: one module per library.

The lowest layer of the package: a module here reads its library's state (never
importing the library itself) and imports nothing else of the plugin's, so a backend,
the events or a transport may ask it without depending on one another.
"""
