import pytest

from tests.mail.smtp import SmtpServer, free_port


@pytest.fixture
def smtp(app, monkeypatch):
    """A running SMTP server the app sends to."""
    server = SmtpServer().start()
    monkeypatch.setitem(app.config, "MAIL_PORT", server.port)
    yield server
    server.stop()


@pytest.fixture
def smtp_down(app, monkeypatch):
    """The app's SMTP port, with nothing listening (yet): start it with ``.start()``."""
    server = SmtpServer(free_port())
    monkeypatch.setitem(app.config, "MAIL_PORT", server.port)
    yield server
    if server.controller._thread is not None:
        server.stop()
