"""Views of the duty app, one module per screen: thin — reach (access.py), form, service,
response. Planning is enqueued to the task worker and never solved inside a request."""
