"""Pages opened by a secret address instead of a login (the client's page /p/<token>,
an event invitation /e/<token>): what they share."""

from flask import Blueprint, current_app

from caseflow.extensions import limiter


def keep_private(blueprint: Blueprint) -> None:
    """The address is a secret: never sent on as a referrer, never cached or indexed."""

    @blueprint.after_request
    def _private(response):
        response.headers["Referrer-Policy"] = "no-referrer"
        response.headers["Cache-Control"] = "no-store"
        response.headers["X-Robots-Tag"] = "noindex, nofollow"
        return response


def _setting(name: str):
    return lambda: current_app.config[name]


def rate_limited(scope: str, miss_statuses: tuple[int, ...]):
    """Requests per network address (PORTAL_REQUESTS_PER_ADDRESS), and a tighter limit
    (PORTAL_MISSES_PER_ADDRESS) on answers in ``miss_statuses``: guessing addresses."""

    def decorate(view):
        view = limiter.shared_limit(
            _setting("PORTAL_MISSES_PER_ADDRESS"),
            scope=f"{scope}-miss",
            deduct_when=lambda response: response.status_code in miss_statuses,
        )(view)
        return limiter.shared_limit(_setting("PORTAL_REQUESTS_PER_ADDRESS"), scope=scope)(view)

    return decorate
