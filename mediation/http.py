"""The request a view behind sign-in receives: Django's HttpRequest, whose `user` is our User.

LoginRequiredMiddleware (and the second-factor middleware after it) let no anonymous request
reach such a view, so its `user` is always a signed-in `mediation.User`; views marked
`login_not_required` take a plain HttpRequest instead. The annotation is for mypy: at run time the
object is Django's own request."""

from django.http import HttpRequest

from .models import User


class AuthenticatedHttpRequest(HttpRequest):
    user: User
