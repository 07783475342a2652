"""The HTTP edge: blueprints (customer, agent, pages), request checks against the OpenAPI document,
JSON shapes, rate limits, observability, and the WSGI entry with a hot-swappable index.

`api.create_app` wires it together; nothing below bot/ imports from here.
"""
