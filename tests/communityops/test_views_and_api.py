import pytest
from django.conf import settings
from django.contrib import admin
from django.forms.models import model_to_dict
from django.urls import reverse

from communityops.admin import ClientAdmin
from communityops.models import Channel, Client, User


def test_public_pages_render_without_login(client, db):
    assert client.get(reverse("landing")).status_code == 200
    assert client.get(reverse("account_login")).status_code == 200


def test_api_docs_and_schema_are_served_locally(client, db):
    docs = client.get(reverse("api_docs"))
    schema = client.get(reverse("api_schema"))

    assert docs.status_code == 200
    assert b"cdn" not in docs.content.lower()
    assert schema.status_code == 200


def test_agent_gets_404_for_a_client_outside_their_teams(client, client_factory, agent_for):
    served, foreign = client_factory(), client_factory()
    client.force_login(agent_for(served))

    assert client.get(reverse("client_detail", args=[served.pk])).status_code == 200
    assert client.get(reverse("client_detail", args=[foreign.pk])).status_code == 404
    assert client.get(reverse("api_client_detail", args=[foreign.pk])).status_code == 404


def test_client_contact_api_lists_only_their_client(client, client_factory, contact_user_for):
    own, foreign = client_factory(), client_factory()
    client.force_login(contact_user_for(own))

    listed = client.get(reverse("api_client_list")).json()

    assert [entry["id"] for entry in listed] == [own.pk]
    assert client.get(reverse("api_client_detail", args=[foreign.pk])).status_code == 404


def test_client_contact_cannot_open_staff_pages(client, client_factory, contact_user_for):
    own = client_factory()
    client.force_login(contact_user_for(own))

    assert client.get(reverse("client_detail", args=[own.pk])).status_code == 403


def test_portal_shows_only_the_contacts_own_client(client, client_factory, contact_user_for):
    own = client_factory(name="Own GmbH")
    client_factory(name="Foreign AG")
    client.force_login(contact_user_for(own))

    page = client.get(reverse("portal_home")).content.decode()

    assert "Own GmbH" in page
    assert "Foreign AG" not in page


def test_channel_secrets_never_appear_in_api_output(client, channel_factory, user_factory):
    channel = channel_factory(app_secret="s3cret-app", access_token="s3cret-token", verify_token="s3cret-verify")
    client.force_login(user_factory(role=User.Role.ADMIN))

    body = client.get(reverse("api_client_detail", args=[channel.client_id])).content.decode()

    assert str(channel.pk) in body
    assert "s3cret" not in body


@pytest.mark.parametrize(
    ("platform", "shown"),
    [
        (Channel.Platform.FACEBOOK_PAGE, "https://ops.agency.example/webhooks/meta/{pk}/"),
        (Channel.Platform.GENERIC, "https://ops.agency.example/webhooks/generic/{pk}/"),
        (Channel.Platform.WORDPRESS_BLOG, "keine: der Blog wird abgefragt"),
    ],
)
def test_a_channels_admin_page_shows_what_to_enter_at_the_source(
    client, channel_factory, user_factory, settings, platform, shown
):
    settings.SITE_URL = "https://ops.agency.example"
    channel = channel_factory(platform=platform)
    client.force_login(user_factory(role=User.Role.ADMIN, is_staff=True, is_superuser=True))

    page = client.get(reverse("admin:communityops_channel_change", args=[channel.pk])).content.decode()

    assert shown.format(pk=channel.pk) in page


def _channel_post(client_id: int, **fields) -> dict:
    """The channel admin's form as a browser posts it: every field, secrets empty unless given."""
    return {
        "client": client_id,
        "platform": Channel.Platform.GENERIC,
        "name": "Reviews",
        "external_id": "",
        "api_base_url": "",
        "access_token": "",
        "app_secret": "",
        "verify_token": "",
        "api_username": "",
        "api_password": "",
        "is_active": "on",
        **fields,
    }


def test_channel_secrets_are_masked_in_the_admin_and_kept_when_left_empty(client, channel_factory, user_factory):
    channel = channel_factory(app_secret="s3cret-app", access_token="s3cret-token")
    client.force_login(user_factory(role=User.Role.ADMIN, is_staff=True, is_superuser=True))
    change_url = reverse("admin:communityops_channel_change", args=[channel.pk])

    list_page = client.get(reverse("admin:communityops_channel_changelist")).content.decode()
    change_page = client.get(change_url).content.decode()
    response = client.post(
        change_url,
        _channel_post(channel.client_id, platform=channel.platform, name="Renamed", external_id=channel.external_id),
    )

    assert "s3cret" not in list_page
    assert "s3cret" not in change_page
    assert response.status_code == 302
    channel.refresh_from_db()
    assert (channel.name, channel.app_secret, channel.access_token) == ("Renamed", "s3cret-app", "s3cret-token")


def test_the_client_admin_pages_open_and_keep_the_channels_secrets(client, channel_factory, user_factory):
    # Its channel inline lists no secret fields; the channel form expected them (KeyError, HTTP 500).
    channel = channel_factory(app_secret="s3cret-app")
    client.force_login(user_factory(role=User.Role.ADMIN, is_staff=True, is_superuser=True))

    add_page = client.get(reverse("admin:communityops_client_add"))
    change_page = client.get(reverse("admin:communityops_client_change", args=[channel.client_id]))

    assert (add_page.status_code, change_page.status_code) == (200, 200)
    assert "s3cret" not in change_page.content.decode()


@pytest.mark.parametrize("language, expected", [("de", "Anmelden"), ("en", "Log in")])
def test_language_switch(client, db, language, expected):
    response = client.post(reverse("set_language"), {"language": language, "next": reverse("account_login")})

    assert response.status_code == 302
    assert expected in client.get(reverse("account_login")).content.decode()


def test_pages_carry_a_content_security_policy_without_inline_scripts(client, db):
    policy = client.get(reverse("landing")).headers["Content-Security-Policy"]

    script_src = next(part for part in policy.split(";") if part.strip().startswith("script-src"))
    assert "unsafe-inline" not in script_src


def test_the_admin_pages_name_the_apps_icon(client, user_factory):
    """Without it the browser asked every admin page for /favicon.ico: a 404 in the console each time."""
    client.force_login(user_factory(role=User.Role.ADMIN, is_staff=True, is_superuser=True))

    page = client.get(reverse("admin:index")).content.decode()

    assert '<link rel="icon" href="/static/favicon.svg" type="image/svg+xml">' in page
    assert '<div id="site-name">' in page  # still Django's own admin header


@pytest.mark.parametrize(
    ("language", "header", "index_title"),
    [
        ("de", "CommunityOps-Verwaltung", "Daten und Einstellungen"),
        ("en", "CommunityOps administration", "Data and settings"),
    ],
)
def test_the_admin_is_named_after_the_app_not_django(client, user_factory, language, header, index_title):
    client.force_login(user_factory(role=User.Role.ADMIN, is_staff=True, is_superuser=True))
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language

    page = client.get(reverse("admin:index")).content.decode()

    assert f'<div id="site-name"><a href="/admin/">{header}</a></div>' in page
    assert f"<title>{index_title} | {header}</title>" in page
    assert f"<h1>{index_title}</h1>" in page


def test_alert_keywords_are_typed_as_a_comma_separated_list_in_the_admin(rf, client_factory, user_factory):
    customer = client_factory(alert_keywords=["Anwalt"])
    request = rf.get("/admin/")
    request.user = user_factory(role=User.Role.ADMIN, is_staff=True, is_superuser=True)
    form_class = ClientAdmin(Client, admin.site).get_form(request, customer)
    data = {**model_to_dict(customer), "alert_keywords": "Anwalt, Rückruf,, Schimmel \n Boykott, Anwalt"}

    shown = form_class(instance=customer)["alert_keywords"].value()
    form = form_class(data=data, instance=customer)

    assert shown == "Anwalt"
    assert form.is_valid(), form.errors
    assert form.save().alert_keywords == ["Anwalt", "Rückruf", "Schimmel", "Boykott"]


def test_a_second_channel_with_a_taken_page_id_is_refused_in_a_sentence(client, channel_factory, user_factory):
    taken = channel_factory(external_id="fb-taken")
    client.force_login(user_factory(role=User.Role.ADMIN, is_staff=True, is_superuser=True))

    response = client.post(
        reverse("admin:communityops_channel_add"),
        _channel_post(
            taken.client_id,
            platform=Channel.Platform.FACEBOOK_PAGE,
            external_id="fb-taken",
            app_secret="secret",
            verify_token="token",
        ),
        headers={"Accept-Language": "en"},
    )

    page = response.content.decode()
    assert response.status_code == 200
    assert "Another channel of this platform already has this external id" in page
    assert "channel_unique_platform_external_id" not in page
    assert Channel.objects.filter(external_id="fb-taken").count() == 1


@pytest.mark.parametrize(
    ("platform", "given", "missing"),
    [
        (Channel.Platform.FACEBOOK_PAGE, {"verify_token": "token"}, "app_secret"),
        (Channel.Platform.INSTAGRAM_ACCOUNT, {"app_secret": "secret"}, "verify_token"),
        (Channel.Platform.GENERIC, {}, "app_secret"),
        (
            Channel.Platform.WORDPRESS_BLOG,
            {"api_username": "communityops", "api_password": "app password"},
            "api_base_url",
        ),
        (Channel.Platform.WORDPRESS_BLOG, {"api_base_url": "https://blog.example.de"}, "api_password"),
    ],
)
def test_an_active_channel_without_what_its_platform_needs_is_refused(
    client, client_factory, user_factory, platform, given, missing
):
    # A generic channel without its secret answered every signed event 403: nothing arrived.
    customer = client_factory()
    client.force_login(user_factory(role=User.Role.ADMIN, is_staff=True, is_superuser=True))

    response = client.post(
        reverse("admin:communityops_channel_add"),
        _channel_post(customer.pk, platform=platform, **given),
        headers={"Accept-Language": "en"},
    )

    assert response.status_code == 200
    assert response.context["adminform"].form.errors[missing] == [
        "An active channel of this platform needs this. Save it inactive until you have it."
    ]
    assert not Channel.objects.exists()


def test_a_channel_can_be_prepared_inactive_and_a_stored_secret_counts(client, client_factory, user_factory):
    customer = client_factory()
    client.force_login(user_factory(role=User.Role.ADMIN, is_staff=True, is_superuser=True))
    prepared = client.post(reverse("admin:communityops_channel_add"), _channel_post(customer.pk, is_active=""))
    channel = Channel.objects.get()
    channel.app_secret = "stored-secret"
    channel.save(update_fields=["app_secret"])

    activated = client.post(reverse("admin:communityops_channel_change", args=[channel.pk]), _channel_post(customer.pk))

    assert (prepared.status_code, activated.status_code) == (302, 302)
    channel.refresh_from_db()
    assert (channel.is_active, channel.app_secret) == (True, "stored-secret")


def _client_page_post(customer, **fields) -> dict:
    """The client's admin page as sent with its channel rows (`fields`) and no contact rows."""
    return {
        **model_to_dict(customer, fields=["name", "slug", "time_zone", "federal_state"]),
        "influencer_follower_threshold": customer.influencer_follower_threshold,
        "alert_keywords": "",
        "is_active": "on",
        "contacts-TOTAL_FORMS": "0",
        "contacts-INITIAL_FORMS": "0",
        **fields,
    }


def test_channels_are_not_added_on_the_clients_page_where_their_secrets_cannot_be_entered(
    client, client_factory, user_factory
):
    customer = client_factory()
    client.force_login(user_factory(role=User.Role.ADMIN, is_staff=True, is_superuser=True))
    form = _client_page_post(
        customer,
        **{
            "channels-TOTAL_FORMS": "1",
            "channels-INITIAL_FORMS": "0",
            "channels-0-platform": Channel.Platform.GENERIC,
            "channels-0-name": "Reviews",
            "channels-0-is_active": "on",
        },
    )

    response = client.post(reverse("admin:communityops_client_change", args=[customer.pk]), form)

    assert response.status_code == 302
    assert not Channel.objects.exists()


@pytest.mark.parametrize(("app_secret", "activated"), [("", False), ("stored-secret", True)])
def test_a_channel_is_switched_active_on_the_clients_page_only_with_what_its_platform_needs(
    client, channel_factory, user_factory, app_secret, activated
):
    channel = channel_factory(platform=Channel.Platform.GENERIC, app_secret=app_secret, is_active=False)
    client.force_login(user_factory(role=User.Role.ADMIN, is_staff=True, is_superuser=True))
    row = {"id": channel.pk, "client": channel.client_id, "platform": channel.platform, "name": channel.name}
    form = _client_page_post(
        channel.client,
        **{"channels-TOTAL_FORMS": "1", "channels-INITIAL_FORMS": "1", "channels-0-is_active": "on"},
        **{f"channels-0-{name}": value for name, value in row.items()},
        **{"channels-0-external_id": channel.external_id},
    )

    response = client.post(
        reverse("admin:communityops_client_change", args=[channel.client_id]), form, headers={"Accept-Language": "en"}
    )

    channel.refresh_from_db()
    assert channel.is_active is activated
    assert (response.status_code == 302) is activated
    if not activated:
        assert "Before this channel can be active, enter on its own page: app secret." in (response.content.decode())
