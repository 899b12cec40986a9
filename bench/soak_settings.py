"""The soak's settings: production's, with static files collected into the soak's own
temporary folder (the manifest the pages need), not var/."""

import os

from config.settings.production import *  # noqa: F403

STATIC_ROOT = os.environ["SOAK_STATIC_ROOT"]
