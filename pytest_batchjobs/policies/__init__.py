"""The policies beside the request path: injected faults, how pages are cut (and the
tokens that continue them), the journal of calls, and the names operations go by."""
