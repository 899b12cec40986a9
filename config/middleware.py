from django.conf import settings


class ContentSecurityPolicyMiddleware:
    """Every page may run only the site's own scripts and styles: nothing inline, so a
    script that slipped into a post could not run even if the sanitizer missed it."""

    def __init__(self, get_response):
        self.get_response = get_response
        self.policy = "; ".join(
            f"{name} {value}" for name, value in settings.CONTENT_SECURITY_POLICY.items()
        )

    def __call__(self, request):
        response = self.get_response(request)
        response.headers.setdefault("Content-Security-Policy", self.policy)
        return response
