# The real local HTTP receiver of the webhook tests, as a fixture for this folder's tests.
from backbone.tests.webhook_receiver import receiver

__all__ = ["receiver"]
