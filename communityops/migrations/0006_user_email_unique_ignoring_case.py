"""A login address belongs to one account, whatever its capitals.

Greta@ and greta@ could be added as two accounts (and a password reset then mailed both). New
addresses are now stored in lower case (UserManager.normalize_email), as allauth looks them up;
this lowers the existing ones, in allauth's address book too, and adds a unique constraint on
the lowered address. Accounts that already share an address are not merged behind anyone's back:
the migration stops and names them, so that an admin renames or deletes all but one first.
"""

import django.db.models.functions.text
from django.db import migrations, models
from django.db.models import Count
from django.db.models.functions import Lower


def emails_lowercase(apps, schema_editor):
    User = apps.get_model("communityops", "User")
    EmailAddress = apps.get_model("account", "EmailAddress")
    shared = list(User.objects.values(lowered=Lower("email")).annotate(accounts=Count("pk")).filter(accounts__gt=1))
    if shared:
        addresses = ", ".join(sorted(row["lowered"] for row in shared))
        raise RuntimeError(
            f"These login addresses belong to more than one account, differing only in capitals: {addresses}. "
            "Rename or delete all but one of each in the admin, then migrate again."
        )
    User.objects.exclude(email=Lower("email")).update(email=Lower("email"))
    for address in EmailAddress.objects.exclude(email=Lower("email")).order_by("pk"):
        twin = EmailAddress.objects.filter(user_id=address.user_id, email=address.email.lower()).first()
        if twin is None:
            address.email = address.email.lower()
            address.save(update_fields=["email"])
            continue
        address.delete()
        twin.verified = twin.verified or address.verified
        twin.primary = twin.primary or address.primary
        twin.save(update_fields=["verified", "primary"])


class Migration(migrations.Migration):
    dependencies = [
        ("auth", "0012_alter_user_first_name_max_length"),
        ("communityops", "0005_login_addresses_verified"),
    ]

    operations = [
        migrations.RunPython(emails_lowercase, migrations.RunPython.noop),
        migrations.AddConstraint(
            model_name="user",
            constraint=models.UniqueConstraint(
                django.db.models.functions.text.Lower("email"),
                name="user_email_unique_ignoring_case",
                violation_error_message="An account with this email address already exists.",
            ),
        ),
    ]
