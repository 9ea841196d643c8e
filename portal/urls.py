from django.urls import path

from . import views

app_name = "portal"
urlpatterns = [
    path("", views.lookup, name="lookup"),
    path("appeal/", views.appeal, name="appeal"),
    path("cases/<str:token>/", views.case, name="case"),
    path("survey/<str:token>/", views.survey, name="survey"),
]
