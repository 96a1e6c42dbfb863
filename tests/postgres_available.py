"""Exit 0 when the test PostgreSQL server answers (used by `make test`)."""

import os
import sys

import psycopg

url = os.environ.get("KEXU_TEST_POSTGRES_URL", "postgresql+psycopg://root@127.0.0.1:5432/test")
try:
    psycopg.connect(url.replace("postgresql+psycopg://", "postgresql://"), connect_timeout=3).close()
except psycopg.OperationalError:
    sys.exit(1)
