"""`manage.py casusers NAME:PASSWORD ...`: creates the users, or sets their passwords if they exist."""
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError


class Command(BaseCommand):
    help = "Create or update CAS users from NAME:PASSWORD pairs (the password may contain ':')."

    def add_arguments(self, parser):
        parser.add_argument("users", nargs="*", metavar="NAME:PASSWORD")

    def handle(self, *args, users, **options):
        model = get_user_model()
        for pair in users:
            name, sep, password = pair.partition(":")
            if not sep or not name or not password:
                raise CommandError(f"expected NAME:PASSWORD, got {pair!r}")
            user, created = model.objects.get_or_create(username=name)
            user.set_password(password)
            user.is_active = True
            user.save()
            self.stderr.write(f"casusers: {'created' if created else 'updated'} {name}")
