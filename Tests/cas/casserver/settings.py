"""Settings of the test CAS server: django-mama-cas on SQLite, loopback services only.

Everything that changes between runs comes from the environment (scripts/start-cas.sh sets it):
    CAS_STATE_DIR   folder for the SQLite file (default: a folder in the system's temp dir)
    CAS_SECRET_KEY  Django's secret key (default: a fixed test value; this server holds no secrets)
"""
import os
import tempfile
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
STATE_DIR = Path(os.environ.get("CAS_STATE_DIR") or os.path.join(tempfile.gettempdir(), "yixian-cas"))

SECRET_KEY = os.environ.get("CAS_SECRET_KEY", "yixian-test-cas-not-a-secret-0123456789abcdef")
DEBUG = False
ALLOWED_HOSTS = ["127.0.0.1", "localhost", "[::1]"]

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "mama_cas",
    "casserver",  # its management command `casusers`
]

MIDDLEWARE = [
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
]

ROOT_URLCONF = "casserver.urls"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        # templates/mama_cas/__base.html replaces mama-cas' own, which loads Bootstrap from a CDN.
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    }
]

DATABASES = {
    "default": {
        "ENGINE": "django.db.backends.sqlite3",
        "NAME": STATE_DIR / "cas.sqlite3",
    }
}

AUTH_PASSWORD_VALIDATORS = []

LANGUAGE_CODE = "zh-hans"
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True
DEFAULT_AUTO_FIELD = "django.db.models.AutoField"

# The CAS server and Yixian both run on 127.0.0.1, and cookies do not tell ports apart: names of
# its own keep the two apps' cookies from meeting.
SESSION_COOKIE_NAME = "cas_session"
CSRF_COOKIE_NAME = "cas_csrftoken"
SESSION_COOKIE_SAMESITE = "Lax"

# Services: any http URL on the loopback interface, any port and path. mama-cas matches the whole
# service URL (query included) against SERVICE with re.match, so the pattern is anchored only at
# the start. No proxy tickets and no single sign-out: this server never calls out.
MAMA_CAS_SERVICES = [
    {
        "SERVICE": r"^http://(127\.0\.0\.1|localhost|\[::1\])(:\d+)?/",
        "CALLBACKS": ["mama_cas.callbacks.user_name_attributes"],
        "PROXY_ALLOW": False,
        "LOGOUT_ALLOW": False,
    },
]
# Service tickets live 90 s (mama-cas' default), as a real CAS's do.
MAMA_CAS_TICKET_EXPIRE = int(os.environ.get("CAS_TICKET_EXPIRE", "90"))
MAMA_CAS_FOLLOW_LOGOUT_URL = True

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "loggers": {
        "mama_cas": {"handlers": ["console"], "level": "DEBUG"},
        "django.server": {"handlers": ["console"], "level": "INFO", "propagate": False},
    },
}
