"""The authentication backend: Django's model backend, except that the superuser flag grants
nothing. Permissions come from roles (groups) only (SECURITY.md, 'Administrators and sign-in')."""

from django.contrib.auth.backends import ModelBackend


class RoleBackend(ModelBackend):
    def _get_permissions(self, user_obj, obj, from_name):
        if not user_obj.is_active or user_obj.is_anonymous or obj is not None:
            return set()
        cache_name = f"_{from_name}_perm_cache"
        if not hasattr(user_obj, cache_name):
            perms = (
                getattr(self, f"_get_{from_name}_permissions")(user_obj)
                .values_list("content_type__app_label", "codename")
                .order_by()
            )
            setattr(user_obj, cache_name, {f"{label}.{codename}" for label, codename in perms})
        return getattr(user_obj, cache_name)
