"""Model-driven wire layer: HTTP request in, operation and params out, and back again.

Everything here is read from botocore's service models; nothing is per operation.
"""
