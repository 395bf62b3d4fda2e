"""Pages of the agenda area, mounted under /o/<org_slug>/ by initiatives/urls.py."""

from django.urls import URLPattern, URLResolver, include, path

from initiatives.views import agenda, ordered, screening

# One result, strategy, ground rule or criterion: the handlers of views/ordered.py, each told
# which kind of item it is by the pattern's extra {"kind": ...}.
RESULT = {"kind": agenda.RESULT}
STRATEGY = {"kind": agenda.STRATEGY}
RULE = {"kind": agenda.GROUND_RULE}
CRITERION = {"kind": screening.CRITERION}

result_patterns = [
    path("", ordered.item_row, RESULT, name="result_row"),
    path("edit/", ordered.item_edit, RESULT, name="result_edit"),
    path("move/", ordered.item_move, RESULT, name="result_move"),
    path("delete/", ordered.item_remove, RESULT, name="result_delete"),
    path("strategies/add/", agenda.strategy_add, name="strategy_add"),
    path("strategies/reorder/", ordered.items_reorder, STRATEGY, name="strategies_reorder"),
]

strategy_patterns = [
    path("", ordered.item_row, STRATEGY, name="strategy_row"),
    path("edit/", ordered.item_edit, STRATEGY, name="strategy_edit"),
    path("move/", ordered.item_move, STRATEGY, name="strategy_move"),
    path("delete/", ordered.item_remove, STRATEGY, name="strategy_delete"),
]

rule_patterns = [
    path("", ordered.item_row, RULE, name="ground_rule_row"),
    path("edit/", ordered.item_edit, RULE, name="ground_rule_edit"),
    path("move/", ordered.item_move, RULE, name="ground_rule_move"),
    path("delete/", ordered.item_remove, RULE, name="ground_rule_delete"),
]

criterion_patterns = [
    path("", ordered.item_row, CRITERION, name="criterion_row"),
    path("edit/", ordered.item_edit, CRITERION, name="criterion_edit"),
    path("move/", ordered.item_move, CRITERION, name="criterion_move"),
    path("retire/", ordered.item_remove, CRITERION, name="criterion_retire"),
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
    path("results/reorder/", ordered.items_reorder, RESULT, name="results_reorder"),
    path("results/<int:result_id>/", include(result_patterns)),
    path("strategies/<int:strategy_id>/", include(strategy_patterns)),
    path("ground-rules/", agenda.ground_rules, name="ground_rules"),
    path("ground-rules/add/", agenda.ground_rule_add, name="ground_rule_add"),
    path("ground-rules/reorder/", ordered.items_reorder, RULE, name="ground_rules_reorder"),
    path("ground-rules/<int:rule_id>/", include(rule_patterns)),
    path("filter/", screening.agenda_filter, name="agenda_filter"),
    path("filter/criteria/add/", screening.criterion_add, name="criterion_add"),
    path("filter/criteria/reorder/", ordered.items_reorder, CRITERION, name="criteria_reorder"),
    path("filter/criteria/<int:criterion_id>/", include(criterion_patterns)),
    path("filter/screen/", screening.screening_new, name="screening_new"),
    path("filter/screenings/<int:screening_id>/", include(screening_patterns)),
]

urlpatterns: list[URLPattern | URLResolver] = [
    path("initiatives/", agenda.initiative_list, name="initiative_list"),
    path("initiatives/new/", agenda.initiative_create, name="initiative_create"),
    path("initiatives/<int:initiative_id>/", include(initiative_patterns)),
]
