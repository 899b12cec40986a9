from django.core.management.base import BaseCommand

from apps.forum.demo.loader import DEMO_ACCOUNTS, DEMO_PASSWORD, load_demo


class Command(BaseCommand):
    help = "Load the AI-art and copyright debate as the demo; running it again changes nothing."

    def handle(self, *args, **options):
        result = load_demo()
        thread = result.thread
        verb = "Loaded" if result.created else "Already loaded:"
        self.stdout.write(f"{verb} “{thread.title}” ({thread.posts.count()} posts).")
        accounts = ", ".join(DEMO_ACCOUNTS)
        self.stdout.write(f"Demo accounts: {accounts} (password: {DEMO_PASSWORD}).")
