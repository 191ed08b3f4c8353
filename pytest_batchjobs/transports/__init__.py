"""How requests reach the fake: botocore's send path, ``responses``, a local server."""
