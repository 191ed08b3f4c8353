"""The core of the request path: the registry of services and job kinds (the only
list of them), and the pipeline every transport hands its requests to."""
