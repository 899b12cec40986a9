"""What an open map page polls: which version is served and whether a rebuild is pending."""

from dataclasses import dataclass

from django.db import connection


@dataclass(frozen=True)
class MapStatus:
    version: int  # 0: no map built yet
    dirty: bool  # a change waits for the next build

    @property
    def etag(self) -> str:
        return f'"map-{self.version}-{int(self.dirty)}"'


# One statement as written: the ORM spent longer building it than PostgreSQL running it.
STATUS_SQL = """
    SELECT (SELECT version FROM maps_argumentmap
            WHERE topic_id = topic.id ORDER BY version DESC LIMIT 1),
           EXISTS (SELECT 1 FROM maps_mapdirtymark WHERE topic_id = topic.id)
    FROM forum_topic topic
    WHERE topic.slug = %s
"""


def map_status(*, slug: str) -> MapStatus | None:
    """The topic's latest version number and dirty mark in one query that reads neither the
    graph nor the topic's other columns: it runs every few seconds for every open page.
    None: no such topic."""
    with connection.cursor() as cursor:
        cursor.execute(STATUS_SQL, [slug])
        found = cursor.fetchone()
    if found is None:
        return None
    version, dirty = found
    return MapStatus(version=version or 0, dirty=dirty)
