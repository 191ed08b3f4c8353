"""Fake time: the clock jobs read, what drives it, sleeping in it, and job timelines.

* :mod:`.clock`: the :class:`~.clock.Clock` a test sees (``now``, ``advance``,
  ``sleep``, ``kind``, ``call_at``, ``call_later``), moving in steps through every
  instant something is due, the horizon that stops a client polling forever, and
  :class:`~.clock.PollingHorizonExceeded`.
* :mod:`.schedule`: the actions ``call_at()`` and ``call_later()`` schedule.
* :mod:`.drivers`: what freezes and moves time (time-machine, freezegun, or following
  the test's own freeze), the :class:`~.drivers.Driver` protocol and the backend choice.
* :mod:`.sleepers`: the thread-sleep scheduler: sleeps in several threads overlap in
  fake time as they would in real time.
* :mod:`.sleep_patch`: ``time.sleep`` (and botocore's adaptive bucket) routed to it;
  :mod:`.token_bucket`: botocore's and aiobotocore's adaptive token buckets waiting
  in fake time.
* :mod:`.loop_patch`: asyncio's event loops on the fake clock: an idle loop sleeps in
  fake time through the sleepers; a loop waiting for real work waits for real;
  ``time.monotonic()`` reads loop time.
* :mod:`.lifecycles`, :mod:`.transitions`: a job's status as a function of time, and
  its transitions reported as time passes them.

Nothing here is imported by the package's ``__init__`` or the pytest plugin until a
fake needs it; no module imports freezegun or time-machine before a clock freezes.
"""
