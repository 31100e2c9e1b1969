"""Production static files: WhiteNoise's compressed, hashed storage with a manifest written atomically."""

from __future__ import annotations

import os

from whitenoise.storage import CompressedManifestStaticFilesStorage


class StaticStorage(CompressedManifestStaticFilesStorage):
    """Django writes the manifest by deleting the old one, then writing the new one.

    `sixdegrees serve` collects static files at every start, possibly while another web process
    sharing the data dir is loading the manifest; in that gap it would find none and answer every
    page with a 500. Writing beside it and renaming over it leaves no gap.
    """

    def save_manifest(self) -> None:
        final: str = self.manifest_name  # type: ignore[has-type]
        self.manifest_name = f".{final}.{os.getpid()}.tmp"
        try:
            super().save_manifest()
            os.replace(self.manifest_storage.path(self.manifest_name), self.manifest_storage.path(final))
        finally:
            self.manifest_name = final
