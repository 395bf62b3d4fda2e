"""Outbound webhooks: staff register an organization's endpoints, the services emit events into
an outbox of delivery rows, and Celery workers POST them, signed, with retries."""
