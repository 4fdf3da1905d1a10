"""The demo's stub network: a fake Graph API and one fake WordPress blog per /wp/<slug>/."""

import itertools
import random
import re
import threading
from datetime import UTC, datetime, timedelta

from ..demo import DEMO_WORDPRESS_ID_BASE
from .meta_graph import MetaGraphApp
from .server import RecordedRequest, StubResponse, StubServer
from .wordpress import WordPressApp

DEMO_WP_USERNAME = "communityops"
DEMO_WP_PASSWORD = "demo app password"  # the demo channels' application password (communityops.demo)

SAMPLE_COMMENTS = [
    ("Lena K.", "lena.k@example.org", "Gibt es das Rezept auch ohne Gluten?"),
    ("Thomas", "thomas@example.org", "Seit drei Tagen keine Antwort vom Kundenservice. Schwach."),
    ("Ayla", "ayla@example.org", "Toller Artikel, danke! Wann kommt Teil zwei?"),
    ("Jörg M.", "joerg.m@example.org", "Ist das Angebot auch in Hamburg gültig?"),
    ("Sophie", "sophie@example.org", "Meine Bestellung ist beschädigt angekommen – an wen wende ich mich?"),
    ("Kevin", "kevin@example.org", "Billige Uhren hier: http://spam.example/uhren"),
]


class WordPressSites:
    """Routes /wp/<slug>/wp-json/... to a per-slug WordPressApp, created (with a few comments) on first use."""

    def __init__(self):
        self.sites: dict[str, WordPressApp] = {}
        self._lock = threading.Lock()
        self._posts = itertools.count(101)

    def site(self, slug: str) -> WordPressApp:
        with self._lock:
            if slug not in self.sites:
                site = WordPressApp(prefix=f"/wp/{slug}", username=DEMO_WP_USERNAME, password=DEMO_WP_PASSWORD)
                post = next(self._posts)
                now = datetime.now(UTC)
                for offset, (name, email, text) in enumerate(SAMPLE_COMMENTS[:3]):
                    status = "hold" if offset == 2 else "approved"
                    site.comment_add(
                        post=post,
                        content=text,
                        author_name=name,
                        author_email=email,
                        status=status,
                        date=now - timedelta(minutes=30 - offset),
                    )
                self.sites[slug] = site
            return self.sites[slug]

    def comment_arrives(self) -> tuple[str, dict] | None:
        """A new held comment on a random known blog (the demo's "living" blog traffic)."""
        with self._lock:
            slugs = list(self.sites)
        if not slugs:
            return None
        slug = random.choice(slugs)
        name, email, text = random.choice(SAMPLE_COMMENTS)
        site = self.sites[slug]
        post = next(iter(site.comments.values()))["post"] if site.comments else 101
        return slug, site.comment_add(post=post, content=text, author_name=name, author_email=email)

    def handle(self, request: RecordedRequest) -> StubResponse | None:
        match = re.match(r"^/wp/([a-z0-9-]+)/", request.path)
        if not match:
            return None
        site = self.site(match[1])
        self._seeded_comment_add(site, request)
        return site.handle(request)

    @staticmethod
    def _seeded_comment_add(site: WordPressApp, request: RecordedRequest) -> None:
        """The blogs have the demo seed's comments too (inbox.demo numbers them from
        DEMO_WORDPRESS_ID_BASE): a reply to one, or a status change of one, finds it."""
        named = re.search(r"/comments/(\d+)$", request.path)
        comment_id = int(named[1]) if named else int(request.params.get("parent") or 0)
        if comment_id >= DEMO_WORDPRESS_ID_BASE and comment_id not in site.comments:
            post = int(request.params.get("post") or DEMO_WORDPRESS_ID_BASE)
            site.comment_add(post=post, content="(seeded)", status="approved", comment_id=comment_id)


class DemoStubNetwork(StubServer):
    def __init__(self, *, port: int = 8765):
        self.wordpress = WordPressSites()
        self.graph = MetaGraphApp()
        super().__init__([self.wordpress, self.graph], port=port)
