from django.apps import AppConfig


class WebhooksConfig(AppConfig):
    # An app of its own (inside backbone/, which it builds on) so its tables have their own
    # migrations: no migration numbering shared with the tenancy models.
    name = "backbone.webhooks"
    label = "webhooks"
    verbose_name = "Webhooks"
