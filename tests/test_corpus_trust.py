"""What a corpus folder may decide (#19 item 3): it confirms the caller's choices, never makes them.

A folder downloaded from elsewhere must not make ``nlp-iom search`` load Qdrant local-mode data
(pickles) from a place it names, nor send the user's ``$QDRANT_API_KEY`` to a server it names; an
API key never travels over plain http except to localhost.
"""

from __future__ import annotations

import http.server
import sqlite3
import threading
from pathlib import Path

import pytest
from typer.testing import CliRunner

from nlp_iom.cli import app
from nlp_iom.corpus import Corpus
from nlp_iom.corpus.settings import CorpusSettings, key_may_travel
from nlp_iom.errors import ConfigError, CorpusRefusedError, NlpIomError

runner = CliRunner()


def _folder_claiming(tmp_path: Path, **meta: str) -> Path:
    """An embedded-looking corpus folder whose meta table records ``meta`` (as a hostile folder would)."""
    folder = tmp_path / "downloaded"
    Corpus.open(folder).close()
    with sqlite3.connect(folder / "corpus.sqlite") as conn:
        conn.executemany("INSERT OR REPLACE INTO meta VALUES (?, ?)", list(meta.items()))
    return folder


def test_a_folder_cannot_choose_qdrant_local_mode(tmp_path: Path) -> None:
    elsewhere = tmp_path / "pickles"
    elsewhere.mkdir()
    folder = _folder_claiming(tmp_path, backend="qdrant", qdrant_location=str(elsewhere))
    with pytest.raises(CorpusRefusedError, match="only the caller may choose"):
        Corpus.open(folder)
    # the caller asks for Qdrant but not for that place: still refused, the place is named
    with pytest.raises(CorpusRefusedError, match=str(elsewhere)):
        Corpus.open(folder, backend="qdrant")
    assert not any(elsewhere.iterdir())  # nothing was created or read there


def test_the_cli_refuses_such_a_folder_with_a_typed_error(tmp_path: Path) -> None:
    folder = _folder_claiming(tmp_path, backend="qdrant", qdrant_url="http://203.0.113.9:6333")
    result = runner.invoke(app, ["search", "peran IOM", "--corpus", str(folder)])
    assert result.exit_code != 0
    assert "refused" in result.output and "Traceback" not in result.output
    assert isinstance(result.exception, SystemExit)  # reported, not a crash


def test_the_user_confirms_a_qdrant_folder_through_the_environment(tmp_path: Path,
                                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    pytest.importorskip("qdrant_client")
    data = tmp_path / "qdrant_data"
    folder = tmp_path / "mine"
    Corpus.open(folder, backend="qdrant", qdrant_location=str(data)).close()
    with pytest.raises(CorpusRefusedError):
        Corpus.open(folder)
    monkeypatch.setenv("NLP_IOM_QDRANT_LOCATION", str(data))  # the user's own choice
    with Corpus.open(folder) as corpus:
        assert type(corpus).__name__ == "QdrantCorpus" and len(corpus) == 0


def test_an_api_key_travels_only_over_https_or_to_localhost(monkeypatch: pytest.MonkeyPatch) -> None:
    assert key_may_travel("https://q.example.org:6333") and key_may_travel("http://localhost:6333")
    assert key_may_travel("http://127.0.0.1:6333") and not key_may_travel("http://q.example.org:6333")
    with pytest.raises(ConfigError, match="https"):
        CorpusSettings(backend="qdrant", qdrant_url="http://q.example.org:6333", qdrant_api_key="secret")
    monkeypatch.setenv("QDRANT_API_KEY", "from-env")
    assert CorpusSettings(backend="qdrant", qdrant_url="http://q.example.org:6333").api_key is None
    assert CorpusSettings(backend="qdrant", qdrant_url="https://q.example.org:6333").api_key == "from-env"
    assert CorpusSettings(backend="qdrant", qdrant_url="http://localhost:6333").api_key == "from-env"


class _Recorder(http.server.BaseHTTPRequestHandler):
    """A plain-http server that records every request's headers and answers 500."""

    seen: list[dict[str, str]] = []

    def _answer(self) -> None:
        _Recorder.seen.append({k.lower(): v for k, v in self.headers.items()})
        self.send_response(500)
        self.end_headers()

    do_GET = do_POST = do_PUT = _answer

    def log_message(self, *args: object) -> None:
        pass


def test_the_env_key_is_not_sent_over_http_to_another_host(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A real http server on 127.0.0.2 (not 'localhost' by name or address) never sees the key."""
    pytest.importorskip("qdrant_client")
    try:
        server = http.server.HTTPServer(("127.0.0.2", 0), _Recorder)
    except OSError:
        pytest.skip("127.0.0.2 cannot be bound here")
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    _Recorder.seen = []
    monkeypatch.setenv("QDRANT_API_KEY", "do-not-leak")
    try:
        with pytest.raises(Exception) as info:  # the fake server cannot answer like Qdrant
            Corpus.open(tmp_path / "c", backend="qdrant", qdrant_url=f"http://127.0.0.2:{server.server_port}")
        assert not isinstance(info.value, NlpIomError) or "refused" not in str(info.value)
    finally:
        server.shutdown()
    assert _Recorder.seen, "the client never reached the server"
    assert not any("do-not-leak" in value for headers in _Recorder.seen for value in headers.values())


def test_index_add_skips_links_inside_a_folder_unless_followed(tmp_path: Path) -> None:
    from conftest import SEED_PAPER

    inputs, outside = tmp_path / "in", tmp_path / "elsewhere"
    inputs.mkdir()
    outside.mkdir()
    (outside / "private.txt").write_bytes(SEED_PAPER.read_bytes())
    (inputs / "private.txt").symlink_to(outside / "private.txt")
    with Corpus.open(tmp_path / "corpus") as corpus:
        report = corpus.add(inputs)
        assert not report.added and "symbolic link" in report.failed[str(inputs / "private.txt")]
        assert corpus.add(inputs, follow_links=True).added == [str(inputs / "private.txt")]
