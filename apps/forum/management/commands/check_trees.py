from django.core.management.base import BaseCommand, CommandError

from apps.forum.trees import check_trees


class Command(BaseCommand):
    help = (
        "Verify every post tree, and every post's count of the posts below it, against the"
        " parent links; --repair rewrites what differs."
    )

    def add_arguments(self, parser):
        parser.add_argument("--repair", action="store_true", help="rewrite what differs")

    def handle(self, *args, repair=False, **options):
        report = check_trees(repair=repair)
        self.stdout.write(f"Checked {report.trees} trees.")
        problems = {
            "posts with wrong tree bookkeeping": report.wrong_nodes,
            "posts miscounting the posts below them": report.wrong_counts,
            "tree ids shared by several roots": report.shared_tree_ids,
            "posts no root leads to (cannot be repaired here)": report.unreachable,
        }
        for label, ids in problems.items():
            if ids:
                shown = ", ".join(map(str, ids[:20])) + (" …" if len(ids) > 20 else "")
                self.stdout.write(f"{len(ids)} {label}: {shown}")
        if report.sequence_behind:
            self.stdout.write("The tree id sequence is behind the highest tree id.")
        if report.clean:
            self.stdout.write(self.style.SUCCESS("All trees are sound."))
        elif repair and not report.unreachable:
            self.stdout.write(self.style.SUCCESS("Repaired."))
        else:
            raise CommandError("Trees need repair: run check_trees --repair.")
