"""Changing other libraries while a fake is active, one way for every part of the fake.

* :mod:`.imports`: one meta path finder that waits for a library's import and runs what
  waits for it right after the library has run (importing a library to patch it would
  cost every run its import time);
* :mod:`.patches`: one utility that replaces attributes and puts them back, the latest
  first, each even if another raises; a replacement another patch was put on top of
  stays as an inert layer that passes every call down.

The transports' adapters (:mod:`..transports.interceptor`) and the time patches use
both. Nothing here knows a library or a fake.
"""
