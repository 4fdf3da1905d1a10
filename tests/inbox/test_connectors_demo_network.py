from communityops.models import Channel
from inbox.connectors import connector_for_channel
from inbox.demo import DEMO_WORDPRESS_ID_BASE
from inbox.models import Item, OutboundAction
from inbox.services.wordpress_polling import wordpress_channel_poll
from inbox.stubs.demo_network import DEMO_WP_PASSWORD, DEMO_WP_USERNAME, DemoStubNetwork


def test_the_demo_network_serves_blogs_per_slug_and_the_graph_api(channel_factory, open_item_factory, settings):
    with DemoStubNetwork(port=0) as network:
        settings.META_GRAPH_API_BASE_URL = f"{network.url}/v21.0"
        blog = channel_factory(
            platform=Channel.Platform.WORDPRESS_BLOG,
            api_base_url=f"{network.url}/wp/brauhaus-isartal",
            api_username=DEMO_WP_USERNAME,
            api_password=DEMO_WP_PASSWORD,
        )
        page_item = open_item_factory(channel=channel_factory(platform=Channel.Platform.FACEBOOK_PAGE))
        reply = OutboundAction.objects.create(item=page_item, kind=OutboundAction.Kind.REPLY, text="Hallo")

        created = wordpress_channel_poll(channel=blog)
        connector_for_channel(page_item.channel).send(action=reply)

    assert created == 3
    assert Item.objects.filter(channel=blog, tags__contains=["pending_moderation"]).count() == 1
    assert network.graph.replies[0]["message"] == "Hallo"
    assert set(network.wordpress.sites) == {"brauhaus-isartal"}


def test_the_demo_blogs_know_the_seeded_comments_so_replies_and_moderation_go_out(channel_factory, open_item_factory):
    with DemoStubNetwork(port=0) as network:
        blog = channel_factory(
            platform=Channel.Platform.WORDPRESS_BLOG,
            api_base_url=f"{network.url}/wp/rheinmode",
            api_username=DEMO_WP_USERNAME,
            api_password=DEMO_WP_PASSWORD,
        )
        seeded = open_item_factory(
            channel=blog,
            external_id=str(DEMO_WORDPRESS_ID_BASE + 1850),
            thread_external_id=str(DEMO_WORDPRESS_ID_BASE + 1),
        )
        connector = connector_for_channel(blog)

        reply_id = connector.send(action=OutboundAction(item=seeded, kind=OutboundAction.Kind.REPLY, text="Danke!"))
        connector.send(action=OutboundAction(item=seeded, kind=OutboundAction.Kind.HIDE))

    comments = network.wordpress.sites["rheinmode"].comments
    assert comments[int(reply_id)]["parent"] == DEMO_WORDPRESS_ID_BASE + 1850
    assert comments[DEMO_WORDPRESS_ID_BASE + 1850]["status"] == "hold"
