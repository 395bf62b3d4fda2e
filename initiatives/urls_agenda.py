"""Pages of the agenda area, mounted under /o/<org_slug>/ by initiatives/urls.py."""

from django.urls import URLPattern, URLResolver, include, path

from initiatives.views import agenda, screening

result_patterns = [
    path("", agenda.result_row, name="result_row"),
    path("edit/", agenda.result_edit, name="result_edit"),
    path("move/", agenda.result_move, name="result_move"),
    path("delete/", agenda.result_delete, name="result_delete"),
    path("strategies/add/", agenda.strategy_add, name="strategy_add"),
    path("strategies/reorder/", agenda.strategies_reorder, name="strategies_reorder"),
]

strategy_patterns = [
    path("", agenda.strategy_row, name="strategy_row"),
    path("edit/", agenda.strategy_edit, name="strategy_edit"),
    path("move/", agenda.strategy_move, name="strategy_move"),
    path("delete/", agenda.strategy_delete, name="strategy_delete"),
]

rule_patterns = [
    path("", agenda.ground_rule_row, name="ground_rule_row"),
    path("edit/", agenda.ground_rule_edit, name="ground_rule_edit"),
    path("move/", agenda.ground_rule_move, name="ground_rule_move"),
    path("delete/", agenda.ground_rule_delete, name="ground_rule_delete"),
]

criterion_patterns = [
    path("", screening.criterion_row, name="criterion_row"),
    path("edit/", screening.criterion_edit, name="criterion_edit"),
    path("move/", screening.criterion_move, name="criterion_move"),
    path("retire/", screening.criterion_retire, name="criterion_retire"),
]

screening_patterns = [
    path("", screening.screening_detail, name="screening_detail"),
    path("override/", screening.screening_override, name="screening_override"),
    path("decide/", screening.screening_decide, name="screening_decide"),
]

initiative_patterns: list[URLPattern | URLResolver] = [
    path("", agenda.initiative_detail, name="initiative_detail"),
    path("edit/", agenda.initiative_edit, name="initiative_edit"),
    path("archive/", agenda.initiative_archive, name="initiative_archive"),
    path("restore/", agenda.initiative_restore, name="initiative_restore"),
    path("results/add/", agenda.result_add, name="result_add"),
    path("results/reorder/", agenda.results_reorder, name="results_reorder"),
    path("results/<int:result_id>/", include(result_patterns)),
    path("strategies/<int:strategy_id>/", include(strategy_patterns)),
    path("ground-rules/", agenda.ground_rules, name="ground_rules"),
    path("ground-rules/add/", agenda.ground_rule_add, name="ground_rule_add"),
    path("ground-rules/reorder/", agenda.ground_rules_reorder, name="ground_rules_reorder"),
    path("ground-rules/<int:rule_id>/", include(rule_patterns)),
    path("filter/", screening.agenda_filter, name="agenda_filter"),
    path("filter/criteria/add/", screening.criterion_add, name="criterion_add"),
    path("filter/criteria/reorder/", screening.criteria_reorder, name="criteria_reorder"),
    path("filter/criteria/<int:criterion_id>/", include(criterion_patterns)),
    path("filter/screen/", screening.screening_new, name="screening_new"),
    path("filter/screenings/<int:screening_id>/", include(screening_patterns)),
]

urlpatterns: list[URLPattern | URLResolver] = [
    path("initiatives/", agenda.initiative_list, name="initiative_list"),
    path("initiatives/new/", agenda.initiative_create, name="initiative_create"),
    path("initiatives/<int:initiative_id>/", include(initiative_patterns)),
]
