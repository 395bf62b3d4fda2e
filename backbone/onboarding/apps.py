from django.apps import AppConfig


class OnboardingConfig(AppConfig):
    # An app of its own (inside backbone/, which it builds on) so its table has its own
    # migrations, after those of the apps whose rows the guided start makes.
    name = "backbone.onboarding"
    label = "onboarding"
    verbose_name = "Guided start"
