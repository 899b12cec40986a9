"""The deployment files and settings, checked without a Docker engine."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from django.test import Client

ROOT = Path(__file__).resolve().parent.parent
STRONG_KEY = "k3Y-" + "x9Qz7wLm2" * 6


@pytest.fixture(scope="module")
def compose():
    return yaml.safe_load((ROOT / "docker-compose.yml").read_text())


def test_compose_runs_the_production_shaped_services(compose):
    services = compose["services"]
    assert {"postgres", "redis", "web", "worker", "beat"} <= set(services)
    assert services["web"]["command"][:2] == ["gunicorn", "config.wsgi"]
    assert services["worker"]["command"][:4] == ["celery", "-A", "config", "worker"]
    assert services["beat"]["command"][:4] == ["celery", "-A", "config", "beat"]
    assert services["postgres"]["image"].startswith("postgres:")
    assert services["redis"]["image"].startswith("redis:")


def test_compose_services_have_healthchecks_and_data_volumes(compose):
    services = compose["services"]
    for name in ["postgres", "redis", "web", "worker"]:
        assert services[name]["healthcheck"]["test"], name
    assert "postgres-data:/var/lib/postgresql/data" in services["postgres"]["volumes"]
    assert {"postgres-data", "redis-data"} <= set(compose["volumes"])
    for name in ["web", "worker", "beat"]:
        assert services[name]["depends_on"]["redis"]["condition"] == "service_healthy"


def test_compose_app_services_get_their_settings_from_the_environment(compose):
    for name in ["web", "worker", "beat", "migrate"]:
        environment = compose["services"][name]["environment"]
        assert environment["DJANGO_SETTINGS_MODULE"] == "config.settings.production"
        assert environment["DATABASE_URL"].startswith("postgres://")
        assert environment["REDIS_URL"] == "redis://redis:6379/0"
        assert environment["SECRET_KEY"].startswith("${SECRET_KEY:?")  # no default secret


def import_settings(module: str, **env) -> subprocess.CompletedProcess:
    clean = {k: v for k, v in os.environ.items() if k not in {"DEBUG", "SECRET_KEY"}}
    return subprocess.run(
        [
            sys.executable,
            "-c",
            "import django.conf as c; c.settings.INSTALLED_APPS",
        ],
        cwd=ROOT,
        env={**clean, "DJANGO_SETTINGS_MODULE": module, **env},
        capture_output=True,
        text=True,
    )


def test_settings_refuse_to_start_without_a_secret_key_when_debug_is_off():
    result = import_settings("config.settings.base", DEBUG="false")
    assert result.returncode != 0 and "SECRET_KEY must be set" in result.stderr


@pytest.mark.parametrize("key", ["", "short", "django-insecure-" + "a" * 50, "a" * 60])
def test_production_refuses_a_weak_or_default_secret_key(key):
    result = import_settings("config.settings.production", SECRET_KEY=key)
    assert result.returncode != 0 and "SECRET_KEY" in result.stderr


def test_production_starts_with_a_strong_key():
    assert import_settings("config.settings.production", SECRET_KEY=STRONG_KEY).returncode == 0


def test_an_unreadable_debug_value_is_an_error_not_a_guess():
    result = import_settings("config.settings.base", DEBUG="maybe", SECRET_KEY=STRONG_KEY)
    assert result.returncode != 0 and "DEBUG must be one of" in result.stderr


def test_celery_uses_redis_from_the_settings(settings):
    from config.celery import app

    assert app.conf.broker_url == settings.REDIS_URL
    assert settings.CACHES["default"]["LOCATION"] == settings.REDIS_URL


@pytest.mark.django_db
def test_healthz_answers():
    response = Client().get("/healthz")
    assert (response.status_code, response.content) == (200, b"ok")


def test_the_production_settings_pass_djangos_deploy_checks():
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env={
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "config.settings.production",
            "SECRET_KEY": STRONG_KEY,
            "DEBUG": "false",
        },
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stderr
    assert "no issues" in result.stdout
