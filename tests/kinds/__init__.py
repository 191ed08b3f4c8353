"""Job kinds defined only in the test suite, to prove the kit takes a kind it was not
written for (registered for a test with ``pytest_batchjobs.core.registry.registered``)."""
