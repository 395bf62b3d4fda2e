from django.apps import AppConfig


class WorkplansConfig(AppConfig):
    name = "workplans"

    def ready(self) -> None:
        from anymail.signals import inbound, tracking

        from workplans.inbound import on_inbound_event
        from workplans.tracking import on_tracking_event

        # A signal, although business rules are called as services elsewhere: anymail's
        # documented integration point for provider webhooks is its `tracking` signal, sent by
        # its own views. The receiver is thin; the rules live in workplans.tracking.
        tracking.connect(on_tracking_event, dispatch_uid="workplans.tracking")
        # Likewise its `inbound` signal for replies posted to /anymail/<provider>/inbound/: the
        # receiver only stores the message (workplans.inbound).
        inbound.connect(on_inbound_event, dispatch_uid="workplans.inbound")
