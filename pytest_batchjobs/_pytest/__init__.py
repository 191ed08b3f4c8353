"""The pytest plugin's parts: the fixtures' bodies, the hookspecs, the stash keys.

The plugin itself, :mod:`pytest_batchjobs.plugin`, is the module pytest loads (the
``pytest11`` entry point): it declares the hooks and fixtures and imports only
:mod:`.keys` from here when pytest starts; :mod:`.hookspecs` loads in
``pytest_addhooks``, :mod:`.fixtures` when a test first asks for a fixture.
"""
