from django.apps import AppConfig


class WorkplansConfig(AppConfig):
    name = "workplans"
