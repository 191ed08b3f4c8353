"""The control API: drive a fake over HTTP, as JSON, from a test suite in any language.

Everything lives under the reserved prefix ``/_batchjobs/``, which no AWS operation
of the two services uses. Each endpoint is a thin shell over the Python API of
:class:`~pytest_batchjobs.fake.BatchJobsFake`. Every value is checked before anything
changes, as strict JSON (:mod:`.body`), within the documented limits (:mod:`.limits`),
and factory overrides as the service reads them (:mod:`.jobs`): bad input is answered
``400`` with ``{"error": "..."}`` saying what was expected and what was got, never with
a traceback, and changes nothing.

This module knows nothing of HTTP servers: :meth:`ControlAPI.handle` takes a method,
a path (with its query string) and a body and returns a status and a JSON document.

==========  =====================================  =============================================
method      path (under ``/_batchjobs/``)          body / answer
==========  =====================================  =============================================
POST        ``reset``                              forget jobs, calls, faults, lifecycles, quotas,
                                                   record limits, outputs, pagination records;
                                                   page controls as started
GET         ``clock``                              ``{"now": ISO 8601}``
POST        ``clock/advance``                      ``{"seconds"|"minutes"|"hours"|"days": n}``
POST        ``{kind}/jobs``                        ``{"count": n, ...overrides}`` (the factory)
POST        ``{kind}/lifecycle``                   ``{"outcome", "message", "durations", "match"}``
POST        ``{kind}/quota``                       ``{"max_active_jobs": n | null}``
POST        ``bedrock/record_limits``              ``{"minimum": n, "maximum": n}`` (records per
                                                   job; Bedrock only)
GET         ``faults``                             the active fault rules
POST        ``faults/fail``                        ``{"operation", "error", "times", "message",
                                                   "when", "service"}``
POST        ``faults/throttle``                    ``{"operation", "per_second", "burst",
                                                   "service"}``
POST        ``faults/chaos``                       ``{"rate", "errors", "seed"}``
POST        ``faults/transport``                   ``{"operation", "kind", "times", "when",
                                                   "service"}``
POST        ``faults/clear``                       remove every fault
GET         ``calls``                              every call, in order
GET         ``pagination``                         the page controls
PUT         ``pagination``                         ``{"max_page_size", "empty_pages",
                                                   "token_lifetime"}`` (seconds)
GET         ``pagination/sequences``               every pagination sequence, page by page
GET         ``outputs?job=ARN``                    ``{"job", "outputs": {S3 URI: content}}``
==========  =====================================  =============================================
"""

from .api import PREFIX, ControlAPI
from .request import BadRequest

__all__ = ["PREFIX", "BadRequest", "ControlAPI"]
