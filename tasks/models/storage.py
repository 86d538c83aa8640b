"""Model files in Cloud Storage: download once per object generation, upload with a checksum."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

from shadowline.tasks.core.errors import ShadowlineError
from shadowline.tasks.core.settings import Settings


class StorageError(ShadowlineError):
    """A gs:// object that cannot be had, worded for the person who has to fix it."""


def split_uri(uri: str) -> tuple[str, str]:
    parsed = urlparse(uri)
    if parsed.scheme != "gs" or not parsed.netloc or not parsed.path.strip("/"):
        raise StorageError(f"{uri!r} is not a gs://BUCKET/PATH URI")
    return parsed.netloc, parsed.path.lstrip("/")


def storage_client(settings: Settings | None = None) -> Any:
    from google.cloud import storage

    settings = settings or Settings()
    if settings.gcs_endpoint:
        from google.auth.credentials import AnonymousCredentials

        return storage.Client(
            project="shadowline",
            credentials=AnonymousCredentials(),
            client_options={"api_endpoint": settings.gcs_endpoint},
        )
    if settings.gcp_credentials_block:
        from prefect_gcp import GcpCredentials

        return GcpCredentials.load(settings.gcp_credentials_block).get_cloud_storage_client()
    return storage.Client()


def _blob(uri: str, client: Any) -> Any:
    bucket_name, path = split_uri(uri)
    blob = client.bucket(bucket_name).get_blob(path)
    if blob is None:
        if client.lookup_bucket(bucket_name) is None:
            raise StorageError(
                f"bucket {bucket_name} not found (registry model_path {uri}); "
                "check the bucket name and that these credentials can read it"
            )
        raise StorageError(
            f"object {uri} not found (registry model_path); upload it "
            "(`shadowline registry add --file ... --upload gs://...`) or fix model_path"
        )
    return blob


def object_identity(uri: str, settings: Settings | None = None) -> tuple[int, int] | None:
    """The object's (generation, size), or None when it cannot be read."""
    try:
        blob = _blob(uri, storage_client(settings))
    except Exception:
        return None
    return (int(blob.generation), int(blob.size or 0))


def fetch(uri: str, settings: Settings | None = None) -> Path:
    """A local copy of `uri`, downloaded once per object generation into the model cache."""
    settings = settings or Settings()
    blob = _blob(uri, storage_client(settings))
    bucket_name, path = split_uri(uri)
    target = (
        settings.model_cache_dir / bucket_name / f"{blob.generation}" / Path(path).name
    ).resolve()
    if target.is_file() and target.stat().st_size == blob.size:
        return target
    target.parent.mkdir(parents=True, exist_ok=True)
    # download beside the target, then rename: a reader never sees half a file
    handle, partial = tempfile.mkstemp(dir=target.parent, suffix=".partial")
    os.close(handle)
    try:
        blob.download_to_filename(partial)
        os.replace(partial, target)
    finally:
        if os.path.exists(partial):
            os.remove(partial)
    return target


def upload(path: Path, uri: str, settings: Settings | None = None) -> str:
    """Upload a local model file to `uri`; the uri."""
    bucket_name, object_path = split_uri(uri)
    client = storage_client(settings)
    bucket = client.lookup_bucket(bucket_name)
    if bucket is None:
        raise StorageError(f"bucket {bucket_name} not found; create it or check the name")
    bucket.blob(object_path).upload_from_filename(str(path))
    return uri
