"""Living beside the users' own mocks: what the plugin knows of each mocking library,
one module per library, each with a guard naming the versions it supports."""
