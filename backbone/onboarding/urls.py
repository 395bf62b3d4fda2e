from django.urls import path

from backbone.onboarding import steps, views, views_sandbox

STEP_VIEWS = {
    steps.INITIATIVE: views.step_initiative,
    steps.RESULT: views.step_result,
    steps.STRATEGIES: views.step_strategies,
    steps.WORKGROUP: views.step_workgroup,
    steps.MEETING: views.step_meeting,
    steps.COMMITMENTS: views.step_commitments,
    steps.RECAP: views.step_recap,
}

# Pages of one organization; mounted under /o/<org_slug>/ (see config/urls.py).
urlpatterns = [
    path("start/", views.onboarding_start, name="onboarding"),
    *(path(f"start/{step.key}/", STEP_VIEWS[step.key], name=step.url_name) for step in steps.STEPS),
    path("start/later/", views.onboarding_later, name="onboarding_later"),
    path("start/done/", views.onboarding_done, name="onboarding_done"),
    path("sample/remove/", views_sandbox.sandbox_remove_view, name="sandbox_remove"),
]
