"""EventBridge state-change events of jobs: built, kept, and delivered.

A job kind declares the event its service sends (``JobKind.events``, a
:class:`~pytest_batchjobs.services._kit.spec.StateEvents`: source, detail-type and a
builder of its ``detail``); everything else is here, for every kind: the envelope
(:mod:`.envelope`), the fake's list of events, its handlers and its assertion
(:mod:`.log`), and delivery to moto's default event bus (:mod:`.moto_bus`). The fake
feeds it from the transition feed (``time/transitions.py``).
"""
