"""`manage.py migrate`, connected as the database's owner when DATABASE_MIGRATE_URL names one,
then the application's role (DATABASE_URL's) granted what it needs and no more
(mediation/database_roles.py; docs/operations.md, 'Database roles'). Without
DATABASE_MIGRATE_URL it is Django's own migrate."""

from django.conf import settings
from django.core.management.commands.migrate import Command as DjangoMigrate
from django.db import DEFAULT_DB_ALIAS, connections

from mediation import database_roles


class Command(DjangoMigrate):
    def handle(self, *args, **options):
        connection = connections[options["database"]]
        owner = settings.TONGXIN_DATABASE_OWNER if options["database"] == DEFAULT_DB_ALIAS else {}
        saved = {key: connection.settings_dict.get(key) for key in owner}
        switch = bool(owner) and owner.get("USER") != connection.settings_dict.get("USER")
        if switch:
            connection.close()
            connection.settings_dict.update(owner)
        try:
            super().handle(*args, **options)
            app_role = settings.TONGXIN_DATABASE_APP_ROLE
            if owner and connection.vendor == "postgresql" and app_role:
                database_roles.grant_to_app_role(connection, app_role)
                if options["verbosity"] >= 1:
                    self.stdout.write(f"Granted the application role {app_role} its privileges.")
        finally:
            if switch:
                connection.close()
                connection.settings_dict.update(saved)
