"""The file storage the settings ask for."""

from __future__ import annotations

from integrations.file_storage import FileStorage, LocalFileStorage, S3Config, S3FileStorage
from server.settings import Settings


def build_storage(settings: Settings) -> FileStorage:
    if settings.file_storage == "s3":
        assert settings.s3_bucket is not None  # checked by the settings
        secret = settings.s3_secret_access_key
        return S3FileStorage(
            S3Config(
                bucket=settings.s3_bucket,
                endpoint_url=settings.s3_endpoint_url,
                region=settings.s3_region,
                access_key_id=settings.s3_access_key_id,
                secret_access_key=secret.get_secret_value() if secret is not None else None,
                prefix=settings.s3_prefix,
            )
        )
    return LocalFileStorage(settings.files_dir)
