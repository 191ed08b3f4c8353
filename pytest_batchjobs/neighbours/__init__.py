"""The libraries the plugin lives beside: what it knows of each, one module per library,
behind a version check."""
