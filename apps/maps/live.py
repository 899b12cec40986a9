"""What an open map page polls: which version is served and whether a rebuild is pending."""

from dataclasses import dataclass

from django.db.models import Exists, OuterRef, Subquery

from apps.forum.models import Topic
from apps.maps.models import ArgumentMap, MapDirtyMark


@dataclass(frozen=True)
class MapStatus:
    version: int  # 0: no map built yet
    dirty: bool  # a change waits for the next build

    @property
    def etag(self) -> str:
        return f'"map-{self.version}-{int(self.dirty)}"'


def map_status(*, slug: str) -> MapStatus | None:
    """The topic's latest version number and dirty mark in one query that reads neither the
    graph nor the topic's other columns: it runs every few seconds for every open page.
    None: no such topic."""
    latest = ArgumentMap.objects.filter(topic=OuterRef("pk")).order_by("-version")
    found = (
        Topic.objects.filter(slug=slug)
        .values_list(
            Subquery(latest.values("version")[:1]),
            Exists(MapDirtyMark.objects.filter(topic=OuterRef("pk"))),
        )
        .first()
    )
    if found is None:
        return None
    version, dirty = found
    return MapStatus(version=version or 0, dirty=dirty)
