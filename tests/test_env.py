"""config/env.py: the typed readers of the settings' environment variables."""

import pytest

from config.env import EMAIL_BACKENDS, env_email


def email(monkeypatch, url: str) -> dict:
    monkeypatch.setenv("EMAIL_URL", url)
    return env_email("EMAIL_URL", default="console:")


def test_mail_goes_to_the_console_unless_told(monkeypatch):
    monkeypatch.delenv("EMAIL_URL", raising=False)
    assert env_email("EMAIL_URL", default="console:") == {
        "EMAIL_BACKEND": EMAIL_BACKENDS["console"]
    }


def test_an_smtp_url_gives_host_port_credentials_and_tls(monkeypatch):
    settings = email(monkeypatch, "smtp://agora%40example.org:p%3Ass@mail.example.org:2525?tls=1")
    assert settings == {
        "EMAIL_BACKEND": EMAIL_BACKENDS["smtp"],
        "EMAIL_HOST": "mail.example.org",
        "EMAIL_PORT": 2525,
        "EMAIL_HOST_USER": "agora@example.org",
        "EMAIL_HOST_PASSWORD": "p:ss",
        "EMAIL_USE_TLS": True,
        "EMAIL_USE_SSL": False,
        "EMAIL_TIMEOUT": 10,
    }


@pytest.mark.parametrize(
    ("url", "port"),
    [("smtp://relay", 25), ("smtp://relay?tls=1", 587), ("smtp://relay?ssl=yes", 465)],
)
def test_the_port_follows_the_encryption_when_not_given(monkeypatch, url, port):
    assert email(monkeypatch, url)["EMAIL_PORT"] == port


@pytest.mark.parametrize(
    "url", ["smtps://relay", "relay:25", "smtp://", "smtp://relay?tls=1&ssl=1"]
)
def test_a_url_that_says_no_clear_mail_server_is_refused(monkeypatch, url):
    with pytest.raises(ValueError, match="EMAIL_URL"):
        email(monkeypatch, url)
