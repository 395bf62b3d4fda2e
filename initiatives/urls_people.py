"""Pages of the people area, mounted under /o/<org_slug>/ by initiatives/urls.py: partner
organizations, people, and the tables they sit at."""

from django.urls import path

from initiatives.views import partners, people, tables

urlpatterns = [
    path("partners/", partners.partners, name="partners"),
    path("partners/new/", partners.partner_create_view, name="partner_create"),
    path("partners/<int:partner_id>/", partners.partner_detail, name="partner_detail"),
    path("partners/<int:partner_id>/edit/", partners.partner_edit, name="partner_edit"),
    path("partners/<int:partner_id>/delete/", partners.partner_delete_view, name="partner_delete"),
    path("people/", people.people, name="people"),
    path("people/new/", people.person_create_view, name="person_create"),
    path("people/<int:person_id>/", people.person_detail, name="person_detail"),
    path("people/<int:person_id>/edit/", people.person_edit, name="person_edit"),
    path("people/<int:person_id>/remove/", people.person_remove_view, name="person_remove"),
    path("people/<int:person_id>/restore/", people.person_restore_view, name="person_restore"),
    path("initiatives/<int:initiative_id>/tables/", tables.tables, name="tables"),
    path(
        "initiatives/<int:initiative_id>/tables/new/",
        tables.workgroup_create_view,
        name="workgroup_create",
    ),
    path(
        "initiatives/<int:initiative_id>/tables/composition/",
        tables.tables_composition,
        name="tables_composition",
    ),
    path("tables/<int:table_id>/", tables.table_detail, name="table_detail"),
    path("tables/<int:table_id>/edit/", tables.table_edit, name="table_edit"),
    path("tables/<int:table_id>/candidates/", tables.table_candidates, name="table_candidates"),
    path("tables/<int:table_id>/seats/", tables.seat_add_view, name="seat_add"),
    path("seats/<int:seat_id>/role/", tables.seat_role, name="seat_role"),
    path("seats/<int:seat_id>/remove/", tables.seat_remove_view, name="seat_remove"),
]
