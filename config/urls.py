from django.contrib import admin
from django.urls import URLPattern, URLResolver, include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from backbone.urls import org_urlpatterns
from backbone.views.health import healthz

# The Django admin is for superusers (operators) only, never for backbone staff.
admin.site.has_permission = lambda request: bool(  # type: ignore[method-assign]
    request.user.is_active and request.user.is_superuser
)

# Each app adds its organization pages and API routes here as it grows.
organization_pages: list[URLPattern | URLResolver] = [
    *org_urlpatterns,
    path("", include("initiatives.urls")),
    path("", include("workplans.urls")),
    path("", include("metrics.urls")),
    path("", include("metrics.urls_export")),
    path("", include("dashboard.urls")),
    path("", include("backbone.webhooks.urls")),
    path("", include("backbone.onboarding.urls")),
]
organization_api = [
    path("", include("backbone.api.urls")),
    path("", include("initiatives.api.urls")),
    path("", include("workplans.api.urls")),
    path("", include("metrics.api.urls")),
]

# Under /api/, an address matching no route and a crash answer in the API's error format.
handler404 = "backbone.api.errors.page_not_found"
handler500 = "backbone.api.errors.server_error"

urlpatterns = [
    path("", include("backbone.urls")),
    path("", include("workplans.urls_public")),
    path("", include("dashboard.urls_public")),
    path("", include("backbone.onboarding.urls_site")),
    path("o/<slug:org_slug>/", include(organization_pages)),
    path("api/v1/o/<slug:org_slug>/", include(organization_api)),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="api-schema"), name="api-docs"),
    path("accounts/", include("allauth.urls")),
    path("healthz", healthz, name="healthz"),
    # Email providers' webhooks (bounces, complaints), guarded by ANYMAIL_WEBHOOK_SECRET.
    path("anymail/", include("anymail.urls")),
    path("admin/", admin.site.urls),
]
