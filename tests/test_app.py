"""App-wide behaviour: configuration safety, headers, health check, error pages."""

import pytest
from sqlalchemy.exc import OperationalError

from caseflow import ConfigurationError, create_app
from tests.conftest import login, make_test_config


def _production_config(**overrides):
    config = make_test_config("sqlite://") | {"TESTING": False, "DEBUG": False}
    return config | overrides


@pytest.mark.parametrize("secret", [None, "", "dev", "change-me", "short-but-random-Xy12"])
def test_production_refuses_a_missing_or_weak_secret_key(secret):
    with pytest.raises(ConfigurationError, match="SECRET_KEY"):
        create_app(_production_config(SECRET_KEY=secret))


def test_production_with_a_strong_key_starts_with_secure_cookies():
    app = create_app(_production_config(SECRET_KEY="x" * 20 + "K7q-RANDOM-enough-9z"))
    assert app.config["SESSION_COOKIE_SECURE"] is True
    assert app.config["SESSION_COOKIE_HTTPONLY"] is True
    assert app.config["SESSION_COOKIE_SAMESITE"] == "Lax"


def test_production_session_cookie_has_the_host_prefix():
    """Finding 12: ``__Host-session``, Secure, Path=/ and no Domain in production."""
    app = create_app(_production_config(SECRET_KEY="k" * 48))
    assert app.config["SESSION_COOKIE_NAME"] == "__Host-session"
    cookie = app.test_client().get("/login").headers["Set-Cookie"]
    attributes = [part.strip().lower() for part in cookie.split(";")]
    assert cookie.startswith("__Host-session=")
    assert {"secure", "httponly", "path=/", "samesite=lax"} <= set(attributes)
    assert not any(attribute.startswith("domain=") for attribute in attributes)


def test_plain_session_cookie_outside_production_or_over_plain_http(app):
    assert app.config["SESSION_COOKIE_NAME"] == "session"  # tests
    plain = create_app(_production_config(SECRET_KEY="k" * 48, SESSION_COOKIE_SECURE=False))
    assert plain.config["SESSION_COOKIE_NAME"] == "session"


@pytest.mark.parametrize(
    "overrides",
    [{"SESSION_COOKIE_DOMAIN": "example.org"}, {"SESSION_COOKIE_SECURE": False}],
    ids=["domain", "not-secure"],
)
def test_a_host_prefixed_cookie_that_breaks_its_rules_is_refused(overrides):
    config = _production_config(SECRET_KEY="k" * 48, SESSION_COOKIE_NAME="__Host-session")
    with pytest.raises(ConfigurationError, match="__Host-"):
        create_app(config | overrides)


def test_environment_variables_override_the_defaults(monkeypatch, tmp_path):
    monkeypatch.setenv("CASEFLOW_SECRET_KEY", "env-secret-" + "q" * 40)
    monkeypatch.setenv("CASEFLOW_SQLALCHEMY_DATABASE_URI", f"sqlite:///{tmp_path / 'env.sqlite'}")
    monkeypatch.setenv("CASEFLOW_CASES_PER_PAGE", "40")
    app = create_app()
    assert app.config["SECRET_KEY"].startswith("env-secret-")
    assert app.config["CASES_PER_PAGE"] == 40
    assert app.config["SQLALCHEMY_DATABASE_URI"].endswith("env.sqlite")


def test_pages_carry_security_headers_and_are_not_cached(client, make_user):
    login(client, make_user("advisor"))
    response = client.get("/cases")
    csp = response.headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp
    assert "frame-ancestors 'none'" in csp
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "same-origin"
    assert response.headers["Cache-Control"] == "no-store"
    assert "Cookie" in response.headers.get_all("Vary")


def test_production_sends_hsts():
    app = create_app(_production_config(SECRET_KEY="k" * 48))
    response = app.test_client().get("/login")
    assert response.headers["Strict-Transport-Security"].startswith("max-age=")


def test_health_check_reports_503_when_the_database_is_down(app, client, monkeypatch):
    from caseflow.extensions import db

    def broken(*_args, **_kwargs):
        raise OperationalError("SELECT 1", {}, Exception("connection refused"))

    monkeypatch.setattr(db.session, "execute", broken)
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.get_json() == {"status": "unavailable"}


def test_unknown_page_is_a_friendly_404(client, make_user):
    login(client, make_user("advisor"))
    response = client.get("/no-such-page")
    assert response.status_code == 404
    assert "Page not found" in response.get_data(as_text=True)


def test_a_crash_shows_a_reference_and_no_traceback(caplog, monkeypatch):
    from caseflow.core import web

    app = create_app(_production_config(SECRET_KEY="k" * 48))

    @app.get("/boom-for-test")
    def boom():
        raise RuntimeError("secret internals")

    # Public, so the test needs no user: the error page is what is under test.
    monkeypatch.setattr(web, "PUBLIC_ENDPOINTS", web.PUBLIC_ENDPOINTS | {"boom"})
    response = app.test_client().get("/boom-for-test")
    body = response.get_data(as_text=True)
    assert response.status_code == 500
    assert "Something went wrong" in body
    assert "Traceback" not in body and "secret internals" not in body
    reference = body.split('<code class="cf-reference">')[1].split("<")[0]
    assert len(reference) == 10
    assert reference in caplog.text
