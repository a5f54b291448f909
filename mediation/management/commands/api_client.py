"""`manage.py api_client create|list|revoke`: API clients from the shell (the system
administrator's page does the same). The token is printed once and stored only as a hash.

    manage.py api_client create --name 兴隆台登记系统 --office XLT --scope roster --by sysadmin
    manage.py api_client list
    manage.py api_client revoke --name 兴隆台登记系统 --by sysadmin
"""

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from mediation.models import ApiClient, ApiScope, RegistryOffice, User
from mediation.services import api_clients


class Command(BaseCommand):
    help = "Create, list or revoke REST API clients."

    def add_arguments(self, parser):
        parser.add_argument("action", choices=["create", "list", "revoke"])
        parser.add_argument("--name")
        parser.add_argument("--office", action="append", default=[], help="office code, repeatable")
        parser.add_argument(
            "--scope", action="append", default=[], choices=ApiScope.values, help="repeatable"
        )
        parser.add_argument("--rate", type=int, default=60, help="requests per minute")
        parser.add_argument("--by", default="sysadmin", help="the system administrator's account")

    def handle(self, *args, action, name, office, scope, rate, by, **options):
        if action == "list":
            for client in ApiClient.objects.prefetch_related("offices"):
                codes = ",".join(o.code for o in client.offices.all())
                state = "revoked" if client.revoked_at else "active"
                self.stdout.write(
                    f"{client.name}\t{client.token_prefix}…\t{codes}\t"
                    f"{','.join(client.scopes)}\t{state}"
                )
            return
        actor = User.objects.filter(username=by).first()
        if actor is None:
            raise CommandError(f"no account {by}")
        try:
            if action == "create":
                offices = list(RegistryOffice.objects.filter(code__in=[c.upper() for c in office]))
                if len(offices) != len(set(office)):
                    raise CommandError("unknown office code")
                new = api_clients.create_client(
                    name=name or "",
                    offices=offices,
                    scopes=scope,
                    rate_per_minute=rate,
                    created_by=actor,
                )
                self.stdout.write(f"Token of {new.client.name} (shown once): {new.token}")
            else:
                client = ApiClient.objects.filter(name=name).first()
                if client is None:
                    raise CommandError(f"no client {name}")
                api_clients.revoke_client(client=client, revoked_by=actor)
                self.stdout.write(f"{client.name} is revoked.")
        except ValidationError as error:
            raise CommandError(" ".join(error.messages)) from None
