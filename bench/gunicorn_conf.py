"""gunicorn's config file for the benchmark: run.py passes every setting on the command
line; naming this file keeps gunicorn from reading a ./gunicorn.conf.py instead."""

accesslog = None  # an access log line per request would be part of what is measured
