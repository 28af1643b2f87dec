# Settings for the Django baseline: production-like (DEBUG off), Postgres from DATABASE_URL.
import os
from urllib.parse import urlparse, unquote

BASE_DIR = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SECRET_KEY = os.environ.get('SECRET_KEY', 'bench-only-secret-key-not-for-production-0123456789abcdef')
DEBUG = False
ALLOWED_HOSTS = ['127.0.0.1', 'localhost']
INSTALLED_APPS = ['blog']
MIDDLEWARE = [
    'django.middleware.security.SecurityMiddleware',
    'django.middleware.common.CommonMiddleware',
    'django.middleware.csrf.CsrfViewMiddleware',
    'django.middleware.clickjacking.XFrameOptionsMiddleware',
]
ROOT_URLCONF = 'benchsite.urls'
TEMPLATES = [{
    'BACKEND': 'django.template.backends.django.DjangoTemplates',
    'DIRS': [os.path.join(BASE_DIR, 'templates')],
    'APP_DIRS': True,
    'OPTIONS': {
        'context_processors': ['django.template.context_processors.request', 'django.template.context_processors.csrf'],
        # Cached loader, as Django uses by default when DEBUG is off.
    },
}]
WSGI_APPLICATION = 'benchsite.wsgi.application'

_db = urlparse(os.environ['DATABASE_URL'])
DATABASES = {'default': {
    'ENGINE': 'django.db.backends.postgresql',
    'NAME': _db.path.lstrip('/'),
    'USER': unquote(_db.username or ''),
    'PASSWORD': unquote(_db.password or ''),
    'HOST': _db.hostname or '127.0.0.1',
    'PORT': str(_db.port or 5432),
    # Persistent connections, the fair setting against a pooled Node server.
    'CONN_MAX_AGE': 600,
}}
USE_TZ = True
TIME_ZONE = 'UTC'
STATIC_URL = '/static/'
DEFAULT_AUTO_FIELD = 'django.db.models.BigAutoField'
