"""Where the database comes from, and the pinned download (served locally: tests never use the network)."""

from __future__ import annotations

import hashlib
import http.server
import threading

import pytest

from lime_reasoning.cli import main
from lime_reasoning.errors import LimeError
from lime_reasoning.metamath import source
from lime_reasoning.metamath.source import Download, cached_path, fetch, resolve_database

PAYLOAD = b"$( a tiny database $)\n$c wff $.\n"


@pytest.fixture
def server(tmp_path):
    """A local HTTP server for tmp_path/www; yields its base URL."""
    root = tmp_path / "www"
    root.mkdir()
    (root / "set.mm").write_bytes(PAYLOAD)

    class Quiet(http.server.SimpleHTTPRequestHandler):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, directory=str(root), **kwargs)

        def log_message(self, *args):
            pass

    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Quiet)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()
    httpd.server_close()


@pytest.fixture
def cache(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    monkeypatch.delenv("LIME_SETMM", raising=False)
    return tmp_path / "cache"


def item(url: str, payload: bytes = PAYLOAD) -> Download:
    return Download("set.mm", url, hashlib.sha256(payload).hexdigest(), len(payload))


def test_download_is_checked_and_lands_in_the_cache(server, cache):
    path = fetch(item(f"{server}/set.mm"), quiet=True)
    assert path == cache / "lime-reasoning" / "metamath" / "set.mm"
    assert path.read_bytes() == PAYLOAD
    assert [p.name for p in path.parent.iterdir()] == ["set.mm"]
    # A verified copy is not fetched again (the server no longer has the file).
    assert fetch(item(f"{server}/missing.mm"), quiet=True) == path


def test_a_wrong_checksum_writes_nothing(server, cache):
    with pytest.raises(LimeError, match="differs from the pinned"):
        fetch(item(f"{server}/set.mm", b"something else"), quiet=True)
    assert not (cache / "lime-reasoning" / "metamath" / "set.mm").exists()
    assert list((cache / "lime-reasoning" / "metamath").iterdir()) == []


def test_offline_gives_a_clear_message(cache):
    with pytest.raises(LimeError, match=r"cannot download http://127\.0\.0\.1:9/set\.mm: .*offline\?"):
        fetch(item("http://127.0.0.1:9/set.mm"), quiet=True)


def test_download_command_reports_offline_in_one_line(cache, monkeypatch, capsys):
    monkeypatch.setitem(source.DOWNLOADS, "set.mm", item("http://127.0.0.1:9/set.mm"))
    assert main(["data", "download", "set.mm", "--quiet"]) == 2
    (line,) = capsys.readouterr().err.splitlines()
    assert line.startswith("lime: error: cannot download http://127.0.0.1:9/set.mm")


def test_download_command(server, cache, monkeypatch, capsys):
    monkeypatch.setitem(source.DOWNLOADS, "set.mm", item(f"{server}/set.mm"))
    assert main(["data", "download", "set.mm", "--quiet"]) == 0
    assert capsys.readouterr().out.startswith(str(cache / "lime-reasoning" / "metamath" / "set.mm"))


def test_the_pinned_download_is_debians_set_mm():
    debian = source.DEBIAN_SETMM
    if not debian.is_file():
        pytest.skip("Debian's metamath-databases is not installed")
    assert debian.stat().st_size == source.SETMM.size
    assert source.file_sha256(debian) == source.SETMM.sha256


def test_resolution_order(tmp_path, cache, monkeypatch):
    given = tmp_path / "given.mm"
    given.write_bytes(PAYLOAD)
    from_environment = tmp_path / "environment.mm"
    from_environment.write_bytes(PAYLOAD)
    debian = tmp_path / "debian" / "set.mm"
    monkeypatch.setattr(source, "DEBIAN_SETMM", debian)

    with pytest.raises(LimeError, match="set.mm not found: pass --mm PATH, set \\$LIME_SETMM"):
        resolve_database()
    cached = cached_path(source.SETMM)
    cached.parent.mkdir(parents=True)
    cached.write_bytes(PAYLOAD)
    assert resolve_database() == cached
    debian.parent.mkdir()
    debian.write_bytes(PAYLOAD)
    assert resolve_database() == debian
    monkeypatch.setenv("LIME_SETMM", str(from_environment))
    assert resolve_database() == from_environment
    assert resolve_database(given) == given
    with pytest.raises(LimeError, match="nosuch.mm: no such file"):
        resolve_database(tmp_path / "nosuch.mm")
    monkeypatch.setenv("LIME_SETMM", str(tmp_path / "gone.mm"))
    with pytest.raises(LimeError, match=r"gone.mm: no such file \(named by \$LIME_SETMM\)"):
        resolve_database()
