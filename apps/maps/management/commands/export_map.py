from django.core.management.base import BaseCommand, CommandError

from apps.forum.models import Topic
from apps.maps import exports
from apps.maps.selectors import latest_map


class Command(BaseCommand):
    help = "Print a topic's latest argument map in one of the export formats."

    def add_arguments(self, parser):
        parser.add_argument("topic", help="the topic's slug")
        parser.add_argument("--format", choices=list(exports.FORMATS), default="json")

    def handle(self, *args, topic, format, **options):
        found = Topic.objects.filter(slug=topic).first()
        if found is None:
            raise CommandError(f"No topic with the slug {topic!r}.")
        argument_map = latest_map(found)
        if argument_map is None:
            raise CommandError(f"The topic {topic!r} has no map yet.")
        self.stdout.write(exports.export_map(argument_map, format), ending="")
