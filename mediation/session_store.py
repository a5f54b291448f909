"""The session engine (SESSION_ENGINE): Django's database sessions, stored in SignInSession with
the signed-in user's id beside each row, so ending every session of one user is one indexed
DELETE (password reset, deactivation, "sign out everywhere"), however many sessions there are."""

from django.contrib.auth import SESSION_KEY, get_user_model
from django.contrib.sessions.backends.db import SessionStore as DatabaseSessionStore

from .models import SignInSession


class SessionStore(DatabaseSessionStore):
    @classmethod
    def get_model_class(cls):
        return SignInSession

    def create_model_instance(self, data):
        """The row to save, with its user: written on every save (a sign-in, a key cycled at the
        second factor, each request), so the column never falls behind the session's content."""
        instance = super().create_model_instance(data)
        user_id = data.get(SESSION_KEY)
        instance.user_id = get_user_model()._meta.pk.to_python(user_id) if user_id else None
        return instance
