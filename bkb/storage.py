"""Static file URLs that change when the file does, also without collectstatic.

Production runs collectstatic with WhiteNoise's CompressedManifestStaticFilesStorage:
hashed names, pre-compressed copies, cached forever. The demo (`make run`) and the
tests serve straight from the source folders; there the URL carries a short hash
of the file's content (`bootstrap.min.css?v=3f2a…`), so a browser may keep a file
for a long time (WHITENOISE_MAX_AGE) and still fetches it again after an edit.
"""

import hashlib
import os

from django.contrib.staticfiles import finders
from django.contrib.staticfiles.storage import StaticFilesStorage


class VersionedStaticFilesStorage(StaticFilesStorage):
    _versions: dict[tuple[str, float], str] = {}

    def url(self, name):
        url = super().url(name)
        path = finders.find(name) if name else None
        if not path or not isinstance(path, str):
            return url
        key = (path, os.stat(path).st_mtime)
        version = self._versions.get(key)
        if version is None:
            with open(path, "rb") as fh:
                version = self._versions[key] = hashlib.sha256(fh.read()).hexdigest()[:12]
        return f"{url}{'&' if '?' in url else '?'}v={version}"
