from django.urls import include, path

# The CAS base URL is http://127.0.0.1:PORT/cas: /cas/login, /cas/logout, /cas/serviceValidate,
# /cas/p3/serviceValidate, /cas/validate, …
urlpatterns = [
    path("cas/", include("mama_cas.urls")),
]
