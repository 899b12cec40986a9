"""Typed readers for the env vars the settings take."""

import os
from urllib.parse import parse_qs, unquote, urlsplit

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


def env_str(name: str, *, default: str) -> str:
    return os.environ.get(name, default)


def env_bool(name: str, *, default: bool) -> bool:
    raw = os.environ.get(name)
    if raw is None:
        return default
    value = raw.strip().lower()
    if value not in _TRUE | _FALSE:
        raise ValueError(f"{name} must be one of {sorted(_TRUE | _FALSE)}, not {raw!r}")
    return value in _TRUE


def env_list(name: str, *, default: list[str]) -> list[str]:
    raw = os.environ.get(name)
    if raw is None:
        return default
    return [item.strip() for item in raw.split(",") if item.strip()]


EMAIL_BACKENDS = {
    "console": "django.core.mail.backends.console.EmailBackend",
    "smtp": "django.core.mail.backends.smtp.EmailBackend",
}


def env_email(name: str, *, default: str) -> dict:
    """Django's EMAIL_* settings from one URL: `console:` prints mail, or
    `smtp://user:password@host:587?tls=1` (`ssl=1` for implicit TLS, port 465)."""
    raw = os.environ.get(name, default)
    url = urlsplit(raw)
    if url.scheme not in EMAIL_BACKENDS:
        raise ValueError(f"{name} must start with console: or smtp://, not {raw!r}")
    if url.scheme == "console":
        return {"EMAIL_BACKEND": EMAIL_BACKENDS["console"]}
    options = {key: values[-1] for key, values in parse_qs(url.query).items()}
    tls, ssl = (options.get(flag, "0").lower() in _TRUE for flag in ("tls", "ssl"))
    if not url.hostname or (tls and ssl):
        raise ValueError(f"{name} needs a host, and tls or ssl (not both): {raw!r}")
    return {
        "EMAIL_BACKEND": EMAIL_BACKENDS["smtp"],
        "EMAIL_HOST": url.hostname,
        "EMAIL_PORT": url.port or (465 if ssl else 587 if tls else 25),
        "EMAIL_HOST_USER": unquote(url.username or ""),
        "EMAIL_HOST_PASSWORD": unquote(url.password or ""),
        "EMAIL_USE_TLS": tls,
        "EMAIL_USE_SSL": ssl,
        "EMAIL_TIMEOUT": 10,
    }
