"""A developer's machine: the default when DJANGO_SETTINGS_MODULE is not set."""

from .base import *  # noqa: F403
from .base import env

DEBUG = env.bool("DEBUG", default=True)
