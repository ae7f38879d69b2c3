from django.urls import path

from wrekin.casework import views

app_name = "casework"

urlpatterns = [
    path("", views.case_list, name="list"),
    path("open/", views.find_child, name="find_child"),
    path("people/<int:pk>/", views.person_cases, name="person_cases"),
    path("people/<int:pk>/open/", views.open_case, name="open_case"),
    path("people/<int:pk>/chronology/", views.chronology, name="chronology"),
    path("people/<int:pk>/chronology.csv", views.chronology_csv, name="chronology_csv"),
    path("people/<int:pk>/chronology.pdf", views.chronology_pdf, name="chronology_pdf"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/lead/", views.change_lead, name="change_lead"),
    path("<int:pk>/team/add/", views.add_member, name="add_member"),
    path("<int:pk>/team/<int:member_pk>/remove/", views.remove_member, name="remove_member"),
    path("<int:pk>/risk/", views.record_risk, name="record_risk"),
    path("<int:pk>/plan/agree/", views.agree_plan, name="agree_plan"),
    path("<int:pk>/actions/add/", views.add_action, name="add_action"),
    path("<int:pk>/actions/<int:action_pk>/complete/", views.complete_action, name="complete_action"),
    path("<int:pk>/reviews/add/", views.record_review, name="record_review"),
    path("<int:pk>/strategy/add/", views.record_strategy, name="record_strategy"),
    path("<int:pk>/clocks/<int:clock_pk>/met/", views.mark_clock, name="mark_clock"),
    path("<int:pk>/closure/request/", views.request_closure, name="request_closure"),
    path("<int:pk>/closure/decide/", views.decide_closure, name="decide_closure"),
]
