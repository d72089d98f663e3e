"""One typed settings object, built at start-up (never at import time)."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

DEFAULT_DB_PATH = Path("var") / "trialatlas.db"


@dataclass(frozen=True, slots=True)
class Settings:
    """Everything configurable. ``db_url`` is a SQLite path or a ``postgresql://`` URL."""

    db_url: str = str(DEFAULT_DB_PATH)
    host: str = "127.0.0.1"
    port: int = 8000
    llm_base_url: str | None = None  # optional OpenAI-compatible writer for patient summaries
    llm_model: str | None = None
    query_timeout_ms: int = 2000
    read_only: bool = False  # serving workers: read-only store connections (one writer: ingest)
    threads: int = 8  # threads per server process running page work (off the event loop)
    max_body_bytes: int = 2 * 1024 * 1024  # larger request bodies get a 413, unread
    max_query_chars: int = 8 * 1024  # longer query strings get a 414
    max_record_bytes: int = 64 * 1024 * 1024  # ingest: a bigger record is rejected, unread

    @property
    def is_postgres(self) -> bool:
        return self.db_url.startswith(("postgresql://", "postgres://"))

    @property
    def rejects_path(self) -> Path | None:
        """Where ingest writes rejected records: next to a SQLite store."""
        if self.is_postgres:
            return Path("trialatlas-rejects.jsonl")
        return Path(self.db_url).with_name(Path(self.db_url).stem + "-rejects.jsonl")


def load_settings(db: str | None = None, **overrides: object) -> Settings:
    """Build settings from explicit values, then ``TRIALATLAS_*`` environment, then defaults."""
    env = os.environ
    values: dict[str, object] = {
        "db_url": db or env.get("TRIALATLAS_DB") or str(DEFAULT_DB_PATH),
        "llm_base_url": env.get("TRIALATLAS_LLM_BASE_URL") or None,
        "llm_model": env.get("TRIALATLAS_LLM_MODEL") or None,
    }
    if env.get("TRIALATLAS_THREADS", "").strip().isdigit():
        values["threads"] = max(1, int(env["TRIALATLAS_THREADS"]))
    if env.get("TRIALATLAS_MAX_RECORD_MB", "").strip().isdigit():
        values["max_record_bytes"] = max(1, int(env["TRIALATLAS_MAX_RECORD_MB"])) * 1024 * 1024
    values.update({k: v for k, v in overrides.items() if v is not None})
    return Settings(**values)  # type: ignore[arg-type]
