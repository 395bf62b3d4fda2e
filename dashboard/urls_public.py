"""The public results pages: no login, only what staff published (mounted at the site root)."""

from django.urls import path

from dashboard import views_public as views

urlpatterns = [
    path("results/<str:key>/", views.public_results, name="public_results"),
    path("results/<str:key>/embed/", views.public_results_embed, name="public_results_embed"),
    path("results/<str:key>/data.csv", views.public_results_csv, name="public_results_csv"),
]
