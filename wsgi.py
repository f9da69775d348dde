"""WSGI entry point: ``gunicorn wsgi:app``."""

from caseflow import create_app


def hide_gunicorn_server_header() -> None:
    """Responses do not name the server software.

    gunicorn writes ``Server: gunicorn`` itself, after the app's headers, and has no
    setting to leave it out, so no WSGI middleware can remove it: its response class
    is told to drop that one line. Imported by every gunicorn worker (it loads this
    module), harmless elsewhere. The reverse proxy hides its own (deploy/Caddyfile,
    deploy/nginx.conf).
    """
    try:
        from gunicorn.http.wsgi import Response
    except ImportError:  # not served by gunicorn
        return
    if getattr(Response.default_headers, "hides_server", False):
        return
    default_headers = Response.default_headers

    def without_server(self):
        return [h for h in default_headers(self) if not h.lower().startswith("server:")]

    without_server.hides_server = True
    Response.default_headers = without_server


hide_gunicorn_server_header()
app = create_app()
