"""The store: atomic commits, cross-process visibility, locking, backups, corruption."""

from __future__ import annotations

import os
import signal
import stat
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import orjson
import pytest
from tinydb import Query

from qualtui.core.errors import ProjectError, StoreCorrupt
from qualtui.store import storage
from qualtui.store.database import TinyDBRepository
from qualtui.store.project import (
    SCHEMA_VERSION,
    doctor,
    init_project,
    open_project,
    restore_newest_backup,
)

WORKER = textwrap.dedent(
    """
    import sys
    from pathlib import Path
    from qualtui.store.project import open_project
    root, coder, count = Path(sys.argv[1]), sys.argv[2], int(sys.argv[3])
    project = open_project(root, coder=coder)
    doc = project.documents.all()[0]
    code = project.codebook.find("Benefits/Transparency")
    for i in range(count):
        seg = project.coding.apply(doc.id, i % 50, i % 50 + 1 + (i // 50), code.id)
        print(seg.id, flush=True)
    if len(sys.argv) > 4:
        project.close()  # compacts the journal into project.json while others still write
    """
)


def _run_worker(root: Path, coder: str, count: int, close: bool = False) -> subprocess.Popen:
    extra = ["close"] if close else []
    return subprocess.Popen([sys.executable, "-c", WORKER, str(root), coder, str(count), *extra],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def _prepare(root: Path) -> None:
    project = open_project(root, coder="setup")
    project.documents.add("D1", "x" * 2000, fmt="txt", filename="d1.txt")
    project.codebook.add("Benefits/Transparency")
    project.close()


def test_files_are_private(project_dir: Path) -> None:
    for path in (project_dir / "project.json", project_dir / "qualtui.yaml"):
        assert stat.S_IMODE(path.stat().st_mode) == 0o600
    for path in (project_dir, project_dir / "sources", project_dir / "backups"):
        assert stat.S_IMODE(path.stat().st_mode) == 0o700


def test_group_project_modes_ignore_umask(tmp_path: Path) -> None:
    old = os.umask(0o077)
    try:
        root = init_project(tmp_path / "team", group=True)
        project = open_project(root, coder="a")
        project.documents.add("D1", "hello world", fmt="txt", filename="d.txt")
        project.close()
    finally:
        os.umask(old)
    assert stat.S_IMODE((root / "project.json").stat().st_mode) == 0o660
    assert stat.S_IMODE(root.stat().st_mode) == 0o2770
    sources = list((root / "sources").glob("*.txt"))
    assert sources and stat.S_IMODE(sources[0].stat().st_mode) == 0o660


def read_store(root: Path) -> dict:
    """What a fresh process reads: project.json with the journal replayed."""
    return TinyDBRepository(root).storage.cached()


def test_commit_goes_to_journal_and_close_compacts(coded_project) -> None:
    root = coded_project.root
    assert (root / "project.json.journal").stat().st_size > 100
    assert read_store(root)["documents"], "a fresh reader replays the journal"
    coded_project.close()
    raw = orjson.loads((root / "project.json").read_bytes())
    assert set(raw) >= {"meta", "documents", "codes", "log"}
    doc = next(iter(raw["documents"].values()))
    assert doc["name"] == "P99" and len(doc["id"]) == 36
    # a plain TinyDB opens the compacted file
    from tinydb import TinyDB

    with TinyDB(root / "project.json", access_mode="r") as plain:
        assert plain.table("documents").all()[0]["name"] == "P99"


def test_torn_journal_tail_is_ignored_and_repaired(coded_project) -> None:
    root = coded_project.root
    journal = root / "project.json.journal"
    torn = b'{"seq": 999, "changes": [["segments", "77", {"id"'
    with open(journal, "ab") as fh:
        fh.write(torn)  # killed mid-append
    other = open_project(root, coder="coder2")
    assert len(other.documents.all()) == 1
    doc = other.documents.all()[0]
    code = other.codebook.find("Benefits/Transparency")
    other.coding.apply(doc.id, 0, 4, code.id)  # truncates the torn tail, then appends
    assert len(read_store(root)["segments"]) == 1
    # the torn bytes themselves (a bare "999" can occur in a nonce or an id: 1 run in ~100)
    assert torn not in journal.read_bytes()
    assert all(orjson.loads(line) for line in journal.read_bytes().splitlines())
    other.close()


def test_incremental_reload_reads_only_new_lines(coded_project) -> None:
    other = open_project(coded_project.root, coder="coder2")
    other.documents.all()
    key_before = other.repo.storage._key
    doc = coded_project.documents.all()[0]
    code = coded_project.codebook.find("Benefits/Transparency")
    coded_project.coding.apply(doc.id, 0, 5, code.id)
    assert other.refresh()
    assert other.repo.storage._key == key_before  # project.json was not re-read
    assert len(other.coding.segments()) == 1
    other.close()


def test_second_repository_sees_changes(coded_project) -> None:
    other = open_project(coded_project.root, coder="coder2")
    before = len(other.coding.segments())
    assert not other.changed_on_disk()
    doc = coded_project.documents.all()[0]
    code = coded_project.codebook.find("Benefits/Transparency")
    coded_project.coding.apply(doc.id, 0, 5, code.id)
    assert other.changed_on_disk()
    assert other.refresh() is True
    assert len(other.coding.segments()) == before + 1
    assert not other.changed_on_disk()
    other.close()


def test_stale_cache_is_reloaded_inside_transaction(coded_project) -> None:
    """Two handles alternate writes: neither clobbers the other (no lost update)."""
    other = open_project(coded_project.root, coder="coder2")
    doc = coded_project.documents.all()[0]
    code = coded_project.codebook.find("Benefits/Transparency")
    for i in range(10):
        coded_project.coding.apply(doc.id, i, i + 3, code.id)
        other.coding.apply(doc.id, i, i + 4, code.id)
    fresh = open_project(coded_project.root, coder="x")
    assert len(fresh.coding.segments()) == 20
    other.close()
    fresh.close()


def test_tinydb_table_api_is_locked_and_reloads(project_dir: Path) -> None:
    """Plain TinyDB use through the store is also safe across two handles."""
    a = TinyDBRepository(project_dir)
    b = TinyDBRepository(project_dir)
    table_a, table_b = a.db.table("guidelines"), b.db.table("guidelines")
    ids = []
    for i in range(5):
        ids.append(table_a.insert({"n": i, "who": "a"}))
        ids.append(table_b.insert({"n": i, "who": "b"}))  # _next_id must not be stale
    assert len(set(ids)) == 10
    assert len(table_a.search(Query().who == "b")) == 5
    assert len(TinyDBRepository(project_dir).db.table("guidelines").all()) == 10


def test_failed_transaction_commits_nothing(coded_project) -> None:
    path = coded_project.root / "project.json"
    before = path.read_bytes()
    with pytest.raises(RuntimeError):
        with coded_project.repo.transaction():
            coded_project.repo.insert("segments", {"id": "x", "document_id": "d"})
            raise RuntimeError("boom")
    assert path.read_bytes() == before
    assert coded_project.repo.get("segments", "x") is None


def test_unparseable_file_is_refused_and_never_overwritten(coded_project) -> None:
    root = coded_project.root
    coded_project.repo.backups.take(root / "project.json")
    coded_project.close()
    path = root / "project.json"
    path.write_bytes(b'{"documents": {"1": {"id": "a"}}} trailing garbage')
    broken = path.read_bytes()
    with pytest.raises(StoreCorrupt) as info:
        open_project(root)
    message = str(info.value)
    assert "project.json" in message and "backups" in message and "doctor --restore" in message
    assert path.read_bytes() == broken
    findings = doctor(root)
    assert findings[0].level == "error"
    backup, kept = restore_newest_backup(root)
    assert kept is not None and kept.read_bytes() == broken
    project = open_project(root)
    assert project.documents.find("P99") is not None
    project.close()


@pytest.mark.parametrize("content", [b"", b"[1, 2]", b'{"documents": []}'])
def test_empty_or_wrong_shape_is_refused(project_dir: Path, content: bytes) -> None:
    (project_dir / "project.json").write_bytes(content)
    with pytest.raises(StoreCorrupt):
        open_project(project_dir)
    assert (project_dir / "project.json").read_bytes() == content


def _store_file(tmp_path: Path, payload: bytes) -> Path:
    path = tmp_path / "project.json"
    path.write_bytes(payload)
    return path


def _read(path: Path) -> dict:
    with open(path, "rb") as fh:
        return storage.read_store(fh, path, "")


def test_project_json_is_written_in_lines_and_read_back(tmp_path: Path) -> None:
    data = {
        "meta": {"1": {"key": "schema", "value": 1}},
        "empty": {},
        "segments": {str(i): {"id": f"s{i}", "memo": "line one\nline two }\n},", "n": i}
                     for i in range(1, 3001)},
        "log": {"1": {}, "2": {"summary": 'quote " and :{\n'}},
        "documents": {str(i): {"id": f"d{i}", "turns": list(range(30_000))} for i in range(1, 40)},
    }
    payload = storage.dumps(data)
    assert orjson.loads(payload) == data  # still ordinary TinyDB JSON
    lines = payload.split(b"\n")
    assert lines[0] == b"{" and len(lines) > 8  # the rows are split over lines
    assert max(len(line) for line in lines) < 2 * 256 * 1024
    assert _read(_store_file(tmp_path, payload)) == data


@pytest.mark.parametrize("layout", ["one line", "indented", "lines"])
def test_any_json_layout_is_read(tmp_path: Path, layout: str) -> None:
    """Files from older versions (one line) or other tools (indented) still open."""
    data = {"meta": {"1": {"key": "k", "value": [1, 2]}}, "codes": {"1": {"id": "c"}}}
    payload = {"one line": orjson.dumps(data),
               "indented": orjson.dumps(data, option=orjson.OPT_INDENT_2),
               "lines": storage.dumps(data)}[layout]
    assert _read(_store_file(tmp_path, payload)) == data


@pytest.mark.parametrize("cut", [3, 40, -3])
def test_a_cut_short_line_layout_file_is_refused(tmp_path: Path, cut: int) -> None:
    payload = storage.dumps({"codes": {str(i): {"id": f"c{i}"} for i in range(1, 200)},
                             "log": {"1": {"id": "l"}}})
    path = _store_file(tmp_path, payload[:cut])
    with pytest.raises(StoreCorrupt, match="project.json"):
        _read(path)


def test_backups_rotate_keep_last_and_daily(project_dir: Path) -> None:
    for i in range(15):
        repo = TinyDBRepository(project_dir, backup_interval=0)
        with repo.transaction():
            repo.set_meta("counter", i)
        repo.close()
    backups = repo.backups.list()
    assert 10 <= len(backups) <= 11  # newest 10 (+ the newest of the day if older)
    data = orjson.loads(backups[-1].read_bytes())
    assert any(m.get("key") == "counter" for m in data["meta"].values())


def test_newer_schema_refused_older_migrated(project_dir: Path) -> None:
    path = project_dir / "project.json"
    data = orjson.loads(path.read_bytes())
    for meta in data["meta"].values():
        if meta["key"] == "schema":
            meta["value"] = SCHEMA_VERSION + 1
    path.write_bytes(orjson.dumps(data))
    with pytest.raises(ProjectError, match="newer qualtui"):
        open_project(project_dir)
    # a pre-release store: no schema marker, segments without coder
    old = {"documents": {}, "codes": {"1": {"id": "c1", "name": "A", "parent_id": None}},
           "segments": {"1": {"id": "s1", "document_id": "d", "code_id": "c1", "start": 0,
                              "end": 1}}}
    path.write_bytes(orjson.dumps(old))
    project = open_project(project_dir)
    assert project.repo.get_meta("schema") == SCHEMA_VERSION
    assert project.repo.get("segments", "s1")["coder"] == "unknown"
    assert project.repo.backups.list(), "a backup is taken before migrating"
    project.close()


@pytest.mark.slow
def test_four_processes_apply_codes_concurrently(project_dir: Path) -> None:
    _prepare(project_dir)
    per_process = int(os.environ.get("QUALTUI_STRESS_N", "500"))
    workers = [_run_worker(project_dir, f"coder{i}", per_process, close=i % 2 == 0)
               for i in range(4)]
    acknowledged: set[str] = set()
    for worker in workers:
        out, err = worker.communicate(timeout=300)
        assert worker.returncode == 0, err
        acknowledged.update(out.split())
    assert len(acknowledged) == 4 * per_process
    data = read_store(project_dir)  # the workers exit without close: journal replayed
    stored = [s["id"] for s in data["segments"].values()]
    assert len(stored) == len(set(stored)) == 4 * per_process
    assert acknowledged == set(stored)
    log_seqs = [e["seq"] for e in data["log"].values()]
    assert len(log_seqs) == len(set(log_seqs)), "no two operations share a sequence number"
    # the last process to close compacts: project.json alone then holds every write
    final = open_project(project_dir, coder="check")
    final.coding.apply(final.documents.all()[0].id, 0, 1999, final.codebook.find(
        "Benefits/Transparency").id)
    final.close()
    compacted = orjson.loads((project_dir / "project.json").read_bytes())
    assert acknowledged <= {s["id"] for s in compacted["segments"].values()}


@pytest.mark.slow
def test_kill_9_never_loses_an_acknowledged_write(project_dir: Path) -> None:
    _prepare(project_dir)
    acknowledged: set[str] = set()
    killed_mid_stream = 0
    rounds = int(os.environ.get("QUALTUI_KILL_ROUNDS", "50"))
    for round_no in range(rounds):
        worker = _run_worker(project_dir, f"killed{round_no}", 100000)
        seen_before = len(acknowledged)
        assert worker.stdout is not None
        # wait for its first acknowledged commit, then kill it at a varying moment mid-stream
        first = worker.stdout.readline()
        if first:
            acknowledged.add(first.strip())
        time.sleep((round_no % 10) * 0.003)
        worker.send_signal(signal.SIGKILL)
        rest, err = worker.communicate()
        acknowledged.update(rest.split())
        assert worker.returncode == -signal.SIGKILL, err
        orjson.loads((project_dir / "project.json").read_bytes())  # always parses
        stored = {s["id"] for s in read_store(project_dir)["segments"].values()}
        assert acknowledged <= stored, f"round {round_no}: lost {acknowledged - stored}"
        killed_mid_stream += len(acknowledged) > seen_before
    assert killed_mid_stream >= rounds * 0.8, "most rounds must be killed while writing"
    leftovers = list(project_dir.glob(".project.json.*.tmp"))
    assert len(leftovers) <= rounds  # torn temp files are never the store itself
