from django.contrib import admin

from apps.forum.models import Post, PostRevision, Thread, Topic


@admin.register(Topic)
class TopicAdmin(admin.ModelAdmin):
    list_display = ["title", "slug", "created"]
    prepopulated_fields = {"slug": ["title"]}
    search_fields = ["title"]


@admin.register(Thread)
class ThreadAdmin(admin.ModelAdmin):
    list_display = ["title", "topic", "author", "reply_count", "locked", "last_activity"]
    list_filter = ["locked", "topic"]
    search_fields = ["title"]
    fields = ["topic", "title", "author", "locked", "opening_post", "reply_count", "created"]
    readonly_fields = ["topic", "author", "opening_post", "reply_count", "created"]


class ReadOnlyAdmin(admin.ModelAdmin):
    """Posts and revisions change only through the forum's services, which keep the
    rendered HTML and the trees right; the admin shows them."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Post)
class PostAdmin(ReadOnlyAdmin):
    list_display = ["pk", "thread", "author", "depth", "state", "response", "created"]
    list_filter = ["state", "response"]
    list_select_related = ["thread", "author"]
    search_fields = ["body", "author__username"]
    raw_id_fields = ["thread", "parent", "tree_parent", "author"]


@admin.register(PostRevision)
class PostRevisionAdmin(ReadOnlyAdmin):
    list_display = ["post", "written", "replaced"]
    raw_id_fields = ["post"]
