"""Every account's login address counts as verified in allauth's address book.

Nobody signs up in CommunityOps: an admin enters each login address, and the invitation and any
password reset go to it. Until now, following such a link left allauth's EmailAddress unverified,
and allauth refuses to activate two-factor authentication while an address is unverified, so
invited staff could never get in. New invitations and password resets now record the address as
verified and primary (services.user_login_address_sync); this does the same for the accounts
that exist. An address another account has already verified is left alone.
"""

from django.db import migrations


def login_addresses_verify(apps, schema_editor):
    User = apps.get_model("communityops", "User")
    EmailAddress = apps.get_model("account", "EmailAddress")
    for user in User.objects.exclude(email="").order_by("pk").iterator():
        if EmailAddress.objects.filter(email=user.email, verified=True).exclude(user=user).exists():
            continue
        EmailAddress.objects.filter(user=user, primary=True).exclude(email=user.email).update(primary=False)
        EmailAddress.objects.update_or_create(user=user, email=user.email, defaults={"verified": True, "primary": True})


class Migration(migrations.Migration):
    dependencies = [
        ("communityops", "0004_client_contact_user_is_a_contact_login"),
        ("account", "0009_emailaddress_unique_primary_email"),
    ]

    operations = [migrations.RunPython(login_addresses_verify, migrations.RunPython.noop)]
