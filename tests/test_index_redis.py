"""The shared Redis index: basics, an id seen again and records without text (as on SQLite), the CLI, concurrent
writers, poisoned keys that must never be unpickled, and URLs: an unknown or malformed parameter is a one-line
error, and the password is never shown.

Each test module starts its own redis-server on loopback (skipped, saying why, where there is none; .ci/run
installs it).
"""

from __future__ import annotations

import json
import os
import pickle
import re
import shutil
import socket
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest
from conftest import (
    AR_COPY_TEXT,
    AR_COPY_TITLE,
    AR_OTHER_TEXT,
    AR_TEXT,
    AR_TITLE,
    EN_TEXT,
    corpus_records,
    jsonl_text,
    write_jsonl,
)
from test_store import check_an_id_seen_again
from test_stream import _concurrent_filters, check_filter_passes_records_without_text_through, run, stories

from dedup.index import IndexSettings, display_location, open_index
from dedup.index.stream import Deduplicator
from dedup.index.urls import url_passwords
from dedup.io import InputError

PASSWORD = "s3cr@t/pw"  # with the characters that end a URL's user part, to test the masking's bounds
QUOTED = "s3cr%40t%2Fpw"  # as written in a URL


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _redis_server(workdir: Path, password: str | None = None) -> Iterator[str]:
    """A redis-server on a free loopback port for the caller's tests: its URL (without the password)."""
    server = shutil.which("redis-server")
    if server is None:
        pytest.skip("redis-server is not installed (Debian package redis-server; .ci/run installs it)")
    try:
        import redis
    except ImportError:
        pytest.skip("the redis Python package is not installed (pip install 'dedup[redis]')")
    port = _free_port()
    auth = ["--requirepass", password] if password else []
    proc = subprocess.Popen(
        [
            server,
            "--port",
            str(port),
            "--bind",
            "127.0.0.1",
            "--save",
            "",
            "--appendonly",
            "no",
            "--dir",
            str(workdir),
            *auth,
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    client = redis.Redis(port=port, password=password)
    for _ in range(100):
        try:
            client.ping()
            break
        except redis.ConnectionError:
            time.sleep(0.05)
    else:
        proc.kill()
        pytest.skip("redis-server did not start")
    yield f"redis://127.0.0.1:{port}/0"
    proc.terminate()
    proc.wait(timeout=10)


@pytest.fixture(scope="module")
def redis_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    yield from _redis_server(tmp_path_factory.mktemp("redis"))


@pytest.fixture(scope="module")
def password_redis_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A server that requires :data:`PASSWORD`: its URL without the password."""
    yield from _redis_server(tmp_path_factory.mktemp("redis-auth"), PASSWORD)


def _with_password(url: str, password: str) -> str:
    return url.replace("redis://", f"redis://:{password}@")


# -- URLs, without a server -----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("redis://127.0.0.1:1/0?prefix=p&colour=blue", "unknown URL parameter 'colour'"),
        ("redis://127.0.0.1:1/0?socket_timeout=soon", "Invalid value for 'socket_timeout'"),
        ("redis://127.0.0.1:port/0", "Port could not be cast to integer"),
        ("redis://127.0.0.1:1/news", "the database after the host must be a number, not 'news'"),
        ("redis://[::1/0", "Invalid IPv6 URL"),
    ],
)
def test_bad_urls_are_one_line_errors(url: str, message: str) -> None:
    pytest.importorskip("redis")
    with pytest.raises(InputError, match=rf"^{re.escape(url)}: .*{re.escape(message)}"):
        open_index(url)
    result = run("index", "stats", "--index", url)
    assert result.exit_code == 2 and result.stdout == ""
    assert result.stderr.count("\n") == 1 and message in result.stderr and "Traceback" not in result.stderr


@pytest.mark.parametrize(
    ("url", "shown"),
    [
        (f"redis://:{QUOTED}@db.example:6379/0", "redis://:***@db.example:6379/0"),
        (f"rediss://app:{PASSWORD}@db.example/2?prefix=news", "rediss://app:***@db.example/2?prefix=news"),
        (f"redis://db.example/0?prefix=n&password={QUOTED}", "redis://db.example/0?prefix=n&password=***"),
        (f"unix://:{QUOTED}@/run/redis.sock?db=1", "unix://:***@/run/redis.sock?db=1"),
        ("redis://app@db.example/0", "redis://app@db.example/0"),  # a user name alone is no secret
        ("archive/news.sqlite", "archive/news.sqlite"),
    ],
)
def test_urls_are_shown_without_their_password(url: str, shown: str) -> None:
    assert display_location(url) == shown
    for secret in url_passwords(url):
        assert secret not in display_location(url)


def test_an_unreachable_server_is_named_without_the_password() -> None:
    pytest.importorskip("redis")
    url = f"redis://:{QUOTED}@127.0.0.1:{_free_port()}/0"
    result = run("filter", "--index", url, input=jsonl_text(corpus_records()))
    assert result.exit_code == 2 and result.stderr.count("\n") == 1
    assert "redis://:***@127.0.0.1:" in result.stderr and "s3cr" not in result.stderr


# -- URLs, with a server that wants a password ----------------------------------------------------------------------


def test_a_wrong_password_is_not_shown(password_redis_url: str) -> None:
    wrong = _with_password(password_redis_url, "not-the-pw")
    result = run("index", "stats", "--index", wrong)
    assert result.exit_code == 2 and result.stderr.count("\n") == 1
    assert "not-the-pw" not in result.stderr and "redis://:***@" in result.stderr
    assert "cannot use Redis" in result.stderr
    missing = run("index", "stats", "--index", password_redis_url)  # no password at all
    assert missing.exit_code == 2 and "cannot use Redis" in missing.stderr


def test_the_right_password_works_and_stays_hidden(password_redis_url: str) -> None:
    url = _with_password(password_redis_url, QUOTED) + "?prefix=auth"
    with open_index(url, IndexSettings()) as index:
        assert index.location == display_location(url) and "s3cr" not in index.location
        assert index.stats()["index"] == index.location
    stats = run("index", "stats", "--index", url, "--json")
    assert stats.exit_code == 0 and "s3cr" not in stats.stdout + stats.stderr


def test_index_add_summary_hides_the_password(password_redis_url: str, tmp_path: Path) -> None:
    url = _with_password(password_redis_url, QUOTED) + "?prefix=summary"
    corpus = write_jsonl(tmp_path / "c.jsonl", corpus_records())
    added = run("index", "add", str(corpus), "--index", url)
    assert added.exit_code == 0 and "added 7" in added.stderr
    assert "s3cr" not in added.stderr and ":***@" in added.stderr


# -- the index ------------------------------------------------------------------------------------------------------


def test_redis_index_basics(redis_url: str) -> None:
    url = redis_url + "?prefix=basics"
    with Deduplicator(url) as dedup:
        assert dedup.seen({"id": "ar-spa", "title": AR_TITLE, "text": AR_TEXT}) is None
        assert dedup.seen({"id": "ar-copy", "title": AR_COPY_TITLE, "text": AR_COPY_TEXT}).id == "ar-spa"
        assert dedup.seen({"id": "en", "text": EN_TEXT, "date": "2001-01-01"}) is None
        assert dedup.index.expire(time.time() - 86400) == 1
        assert dedup.index.remove(["ar-spa"]) == 1
        assert dedup.index.stats()["documents"] == 0
    with pytest.raises(InputError, match="ngram: index 3, this run 4"):
        open_index(url, IndexSettings(ngram=4))


def test_an_id_seen_again_on_redis(redis_url: str) -> None:
    with open_index(redis_url + "?prefix=again", IndexSettings()) as index:
        check_an_id_seen_again(index)
        # Nothing of an old version is left behind: its buckets, digest set and times went with it.
        client = index.r
        ids = {m for key in client.scan_iter("again:band:*") for m in client.smembers(key)}
        ids |= {m for key in client.scan_iter("again:digest:*") for m in client.smembers(key)}
        # The removed copies stay, filed under the document kept for them (a later document may join through them).
        assert ids == set(client.zrange("again:ts", 0, -1)) == {b"a", b"b", b"c", b"a-copy", b"en-copy"}
        assert client.smembers("again:removed") == {b"a-copy", b"en-copy"}


def test_items_without_text_on_redis(redis_url: str) -> None:
    from dedup.io import RecordError

    with Deduplicator(redis_url + "?prefix=notext") as dedup, pytest.raises(RecordError, match="'body'"):
        dedup.seen({"id": "a", "body": EN_TEXT})
    check_filter_passes_records_without_text_through(redis_url + "?prefix=notext-filter")


def test_the_window_on_redis_ends_at_the_newest_date(redis_url: str) -> None:
    url = redis_url + "?prefix=window"
    with Deduplicator(url, max_age_days=30) as dedup:
        assert dedup.seen({"id": "jan", "text": EN_TEXT, "date": "2001-01-01"}) is None
        assert dedup.seen({"id": "apr", "text": AR_TEXT, "date": "2001-04-01"}) is None
        assert dedup.seen({"id": "typo", "text": AR_OTHER_TEXT, "date": "2901-01-01"}) is None
        assert dedup.seen({"id": "jan-copy", "text": EN_TEXT, "date": "2001-04-02"}) is None
    with Deduplicator(url, max_age_days=30) as dedup:  # expired on opening, before 2001-04-02
        assert sorted(m.decode() for m in dedup.index.r.zrange("window:ts", 0, -1)) == ["apr", "jan-copy", "typo"]


def test_redis_cli_stats_and_filter(redis_url: str) -> None:
    url = redis_url + "?prefix=cli"
    assert run("filter", "--index", url, "-q", input=jsonl_text(corpus_records())).stdout.count("\n") == 5
    stats = json.loads(run("index", "stats", "--index", url, "--json").stdout)
    assert stats["backend"] == "redis" and stats["documents"] == 5


def test_concurrent_redis_filters_let_exactly_one_copy_through(redis_url: str, tmp_path: Path) -> None:
    records = stories(60)
    passed = _concurrent_filters(redis_url + "?prefix=race", records, 3, tmp_path)
    assert passed == Counter({r["id"]: 1 for r in records})


class _Payload:
    """Unpickling this runs ``touch MARKER``: what an attacker with write access to Redis would plant."""

    def __init__(self, marker: Path) -> None:
        self.marker = marker

    def __reduce__(self):
        return (os.system, (f"touch {self.marker}",))


def test_poisoned_redis_keys_never_execute(redis_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import redis

    marker = tmp_path / "pwned"
    payload = pickle.dumps(_Payload(marker))
    proof = tmp_path / "proof"
    subprocess.run(
        [sys.executable, "-c", "import pickle, sys; pickle.loads(sys.stdin.buffer.read())"],
        input=pickle.dumps(_Payload(proof)),
        check=True,
    )
    assert proof.exists()  # the payload is live: unpickling it anywhere would run the command

    url = redis_url + "?prefix=poison"
    index = open_index(url, IndexSettings())
    dedup = Deduplicator(index)
    assert dedup.seen({"id": "victim", "text": EN_TEXT}) is None
    client = redis.Redis.from_url(redis_url)
    for key in client.scan_iter("poison:*"):
        kind = client.type(key)
        if kind == b"hash" and key != b"poison:meta":
            client.hset(key, mapping={field: payload for field in client.hkeys(key)})
        elif kind == b"set":
            client.sadd(key, payload)
        elif kind == b"zset":
            client.zadd(key, {payload: 0})
    client.hset("poison:doc:" + payload.decode("latin-1"), mapping={"sh": payload, "ts": payload, "txt": payload})

    def refuse(*_a: object, **_k: object):
        raise AssertionError("pickle used")

    monkeypatch.setattr(pickle, "loads", refuse)
    monkeypatch.setattr(pickle, "load", refuse)
    monkeypatch.setattr(pickle, "Unpickler", refuse)
    assert dedup.check({"id": "probe", "text": EN_TEXT}) == []  # the damaged entry is ignored, not decoded
    assert dedup.seen({"id": "probe", "text": EN_TEXT}) is None
    index.stats()
    index.expire(time.time() + 1)
    assert not marker.exists()
    client.hset("poison:meta", "ngram", payload)
    with pytest.raises(InputError, match="settings record is damaged"):
        open_index(url, IndexSettings())
    assert not marker.exists()
