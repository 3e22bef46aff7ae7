"""The HTTP API of the platform (issue 8): routes, OpenAPI, sign-in, problems."""
