"""Worker processes change how fast a scan runs, never what it finds."""

import gc
import json
import os
import resource
from pathlib import Path

import numpy as np
import pytest

from dedup.document import Document
from dedup.fingerprint import Fingerprinter, token_hashes
from dedup.parallel import batched, keep_freed_memory, ordered_map, paused_gc, small_pages
from dedup.pipeline import Pipeline, ShingleStore, TextStore
from dedup.settings import Settings

STORY = (
    "وصلت الطائرة الإغاثية الرابعة إلى مطار عدن الدولي تحمل عشرين طنا من المساعدات الطبية والغذائية "
    "وقال مسؤول في الهلال الأحمر إن الشحنة تضم أدوية وأجهزة لغسيل الكلى ومستلزمات للمستشفيات الميدانية"
)
OTHER = (
    "The port strike entered its third day on Monday as talks between unions and operators stalled again, "
    "with dozens of container ships waiting offshore and exporters warning of losses"
)


def _corpus(tmp_path):
    rows = []
    for i in range(60):
        src = f"site{i % 3}.example"
        # Copies that differ in wording only (a changed figure would make them template siblings, never merged).
        if i % 5 == 0:
            text = STORY + (" وأضاف أن الرحلة التالية ستصل غدا" if i % 10 else " وأكد استمرار الجسر الجوي")
        elif i % 5 == 1:
            text = OTHER + (". The union said it would meet again." if i % 10 == 1 else ". Talks resume tomorrow.")
        else:
            text = f"Unrelated article {i} " + " ".join(f"word{i}x{k}" for k in range(60))
        rows.append(
            {"id": f"d{i:03d}", "source": src, "title": f"Headline {i}", "text": text + f"\nFollow {src} on Twitter"}
        )
    path = tmp_path / "corpus.jsonl"
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")
    return str(path)


def _summary(result):
    return (
        [(d.id, d.words, d.digest, d.title) for d in result.documents],
        [(c.keep, c.members, c.siblings) for c in result.clusters],
        result.links,
        result.learned,
    )


@pytest.mark.parametrize("site_boilerplate", [True, False])
def test_scan_is_identical_for_any_number_of_workers(tmp_path, site_boilerplate):
    path = _corpus(tmp_path)
    settings = Settings(site_boilerplate=site_boilerplate)
    one = Pipeline(settings, workers=1, batch_size=7).scan([path])
    two = Pipeline(settings, workers=2, batch_size=7).scan([path])
    three = Pipeline(settings, workers=3, batch_size=64).scan([path])
    assert one.clusters, "the corpus has duplicates"
    assert _summary(one) == _summary(two) == _summary(three)


def test_scan_documents_in_memory_matches_scan_of_files(tmp_path):
    path = _corpus(tmp_path)
    rows = [json.loads(line) for line in open(path, encoding="utf-8")]
    docs = [Document(id=r["id"], text=r["text"], title=r["title"], source=r["source"]) for r in rows]
    from_files = Pipeline(Settings(), workers=2).scan([path])
    in_memory = Pipeline(Settings(), workers=1).scan_documents(docs)
    assert [(c.keep, c.members) for c in from_files.clusters] == [(c.keep, c.members) for c in in_memory.clusters]


def _offset_sum(state, batch):
    return state + sum(batch)


def test_ordered_map_keeps_input_order_across_processes():
    batches = list(batched(range(100), 7))
    expected = [1000 + sum(b) for b in batches]
    assert list(ordered_map(_offset_sum, batches, workers=2, state=1000)) == expected
    assert list(ordered_map(_offset_sum, batches, workers=1, state=1000)) == expected


def _collects(state, batch):
    return gc.isenabled()


def test_workers_forked_while_collection_is_paused_still_collect():
    """The scan pauses the main process's garbage collection while it clusters, and forks the template test's
    workers meanwhile: they must not inherit the pause (they would never free a reference cycle)."""
    with paused_gc():
        assert not gc.isenabled()
        in_workers = list(ordered_map(_collects, [[1], [2], [3]], workers=2))
    assert in_workers == [True, True, True]
    assert gc.isenabled()


def _faults_of_reused_buffers(state, sizes):
    """Minor page faults while this process fills and frees a buffer of each of ``sizes`` bytes, after the first
    (a worker's ranges: texts of some megabytes, one after the other)."""
    first = bytearray(sizes[0])
    first[::4096] = b"\1" * len(first[::4096])
    del first
    before = resource.getrusage(resource.RUSAGE_SELF).ru_minflt
    for size in sizes[1:]:
        buffer = bytearray(size)
        buffer[::4096] = b"\1" * len(buffer[::4096])
        del buffer
    return resource.getrusage(resource.RUSAGE_SELF).ru_minflt - before


@pytest.mark.skipif(
    not (os.confstr("CS_GNU_LIBC_VERSION") if hasattr(os, "confstr") else "").startswith("glibc"),
    reason="glibc's allocator only",
)
def test_workers_reuse_the_memory_they_free_instead_of_faulting_it_in_again():
    """Each of a worker's ranges allocates buffers of some megabytes and frees them: by default glibc hands them
    back to the kernel and every page faults in again for the next range (system time); workers keep them."""
    sizes = [20 << 20, 10 << 20, 20 << 20, 10 << 20, 20 << 20]  # 5,000 or 2,500 pages each
    (in_worker,) = ordered_map(_faults_of_reused_buffers, [sizes], workers=2)
    assert in_worker < 2_000  # a page table's pages, the interpreter's own, not the buffers'
    assert keep_freed_memory()  # what the workers ran, here too (a pytest process: nothing else depends on it)


def _huge_page_advice(array: np.ndarray) -> bool:
    """Whether the kernel may back ``array`` with huge pages (its mapping's ``THPeligible`` in /proc/self/smaps)."""
    address = array.__array_interface__["data"][0] + array.nbytes // 2  # numpy advises from the next page on
    with open("/proc/self/smaps") as fh:
        inside = False
        for line in fh:
            head = line.split()[0]
            if "-" in head and not head.endswith(":"):
                start, end = (int(x, 16) for x in head.split("-"))
                inside = start <= address < end
            elif inside and head == "THPeligible:":
                return line.split()[1] == "1"
    return False


def _transparent_huge_pages() -> str:
    try:
        with open("/sys/kernel/mm/transparent_hugepage/enabled") as fh:
            return fh.read()
    except OSError:
        return ""


@pytest.mark.skipif("[madvise]" not in _transparent_huge_pages(), reason="huge pages only where numpy advises them")
def test_the_site_sketch_tables_are_made_on_small_pages():
    """The site pass's two 64 MB tables are touched here and there by the main process while the workers wait:
    made inside small_pages(), the kernel never stops to compact memory for a huge page when one is touched."""
    advised = np.zeros(64 << 20, dtype=np.uint8)
    with small_pages():
        table = np.zeros(64 << 20, dtype=np.uint8)
    after = np.zeros(64 << 20, dtype=np.uint8)
    assert _huge_page_advice(advised) and _huge_page_advice(after)  # numpy's own advice, back after the block
    assert not _huge_page_advice(table)


def test_text_shingles_equal_token_list_shingles():
    fp = Fingerprinter(ngram=3)
    text = "a b c a b c d e f"
    assert np.array_equal(fp.text_shingles(text), fp.shingles(text.split()))
    assert token_hashes("").size == 0
    assert token_hashes("x").size == 1


def test_stores_give_back_what_was_written():
    sets = [np.array([1, 5, 9], dtype=np.uint32), np.array([], dtype=np.uint32), np.array([2], dtype=np.uint32)]
    with ShingleStore() as store, TextStore() as texts:
        store.append(np.concatenate(sets), np.array([3, 0, 1]))
        store.append(np.array([7, 8], dtype=np.uint32), np.array([2]))
        texts.extend(["الف باء", "", "x y z"])
        assert len(store) == 4
        for i, s in enumerate([*sets, np.array([7, 8])]):
            assert store[i].tolist() == s.tolist()
        assert texts.words(0) == ["الف", "باء"] and texts.words(1) == [] and texts.words(2) == ["x", "y", "z"]


def test_stores_read_what_other_processes_wrote_to_their_own_files(tmp_path):
    # A worker appends its batches to a file of its own; the store learns only where each batch lies.
    worker = tmp_path / "123.shingles"
    first, second = np.array([4, 8, 15], dtype=np.uint32), np.array([16, 23, 42, 99], dtype=np.uint32)
    worker.write_bytes(first.tobytes() + second.tobytes())
    texts_file = tmp_path / "123.texts"
    texts_file.write_bytes("خبر عاجل".encode() + b"port strike")
    with ShingleStore() as store, TextStore() as texts:
        store.append(np.array([1, 2], dtype=np.uint32), np.array([2]))
        store.append_stored(str(worker), 12, np.array([1, 3]))  # the second batch: two documents
        store.append_stored(str(worker), 0, np.array([3]))
        texts.extend(["first text"])
        texts.append_stored(str(texts_file), 0, np.array([len("خبر عاجل".encode()), 11]))
        worker.unlink()  # opened when appended: still readable (as once the run's folder is removed)
        assert [store[i].tolist() for i in range(len(store))] == [[1, 2], [16], [23, 42, 99], [4, 8, 15]]
        assert texts.words(1) == ["خبر", "عاجل"] and texts.words(2) == ["port", "strike"]
        assert texts.words(0) == ["first", "text"]


def test_a_scan_keeps_its_documents_as_columns_that_read_back_as_records():
    from dedup.document import DocInfo
    from dedup.pipeline.table import DocColumns, DocTable

    infos = [
        DocInfo("sabq-1", "أمطار غزيرة على جدة", "sabq.org", "2015-07-01", "a.jsonl:1", "a.jsonl", ".", 120, "0f" * 16),
        DocInfo("x", "", None, None, "b.txt", None, None, 0, "a0" * 16),
        DocInfo("odd\ud800", "t", "sabq.org", None, "a.jsonl:3", "a.jsonl", ".", 5, "11" * 16),  # a lone surrogate
    ]
    table = DocTable()
    table.extend(DocColumns.of(infos[:2]))
    table.extend_infos(infos[2:])
    assert list(table) == infos and table == infos and table[1:] == infos[1:]
    assert table.words().tolist() == [120, 0, 5] and table.titles[0] == "أمطار غزيرة على جدة"
    rows = table.rows()
    assert [(r.words, r.digest, r.date, r.source) for r in (rows[0], rows[1])] == [
        (120, "0f" * 16, "2015-07-01", "sabq.org"),
        (0, "a0" * 16, None, None),
    ]
    at = [2, 0, 2, 1]  # the order and repeats a report asks in
    for name in ("id", "title", "date", "origin", "source", "path", "root"):
        assert table.field(name, at) == [getattr(infos[i], name) for i in at]


def test_a_table_hands_out_each_record_it_made_recently_and_forgets_none_it_should_not():
    from dedup.document import DocInfo
    from dedup.pipeline.table import RECENT, DocColumns, DocTable

    infos = [
        DocInfo(
            f"okaz-{i}", f"خبر رقم {i}", "okaz.com.sa", "2015-07-02", f"m.jsonl:{i}", "m.jsonl", ".", i, f"{i:032x}"
        )
        for i in range(RECENT + 10)
    ]
    table = DocTable()
    table.extend(DocColumns.of(infos[:3]))
    assert table[0] is table[0] and table[-3] is table[0] and table[2] == infos[2]
    with pytest.raises(IndexError):
        table[3]
    with pytest.raises(IndexError):
        table[-4]
    table.extend(DocColumns.of(infos[3:]))  # the records made before still read the same
    assert [table[i] for i in (0, 2, 3, -1)] == [infos[0], infos[2], infos[3], infos[-1]]
    assert list(table) == infos  # more records than the table keeps: made again when asked for
    assert table[5] == infos[5] and table[RECENT + 9] == infos[RECENT + 9]


def test_bands_shared_among_workers_give_the_same_candidate_pairs():
    from dedup.lsh import candidate_pairs

    fp = Fingerprinter(num_perm=128)
    words = STORY.split() + OTHER.split()
    rng = np.random.default_rng(7)
    texts = [" ".join(rng.permutation(words)[:30]) for _ in range(200)]
    texts += [t + " وقال مسؤول" for t in texts[:50]]  # edited copies
    sigs = fp.signatures([fp.text_shingles(t) for t in texts])
    groups = np.arange(len(texts)) % 240
    alone = candidate_pairs(sigs, 64, 2, min_shared=4, groups=groups)
    shared = candidate_pairs(sigs, 64, 2, min_shared=4, groups=groups, workers=2)
    assert len(alone) >= 50 and np.array_equal(alone, shared)


def test_the_csv_report_reads_a_scans_columns_as_it_reads_records():
    import csv
    import dataclasses
    import io

    from dedup.pipeline import scan
    from dedup.pipeline.table import DocTable
    from dedup.report.text import render_csv

    result = scan([str(Path(__file__).resolve().parent.parent / "fixtures")])
    assert isinstance(result.documents, DocTable) and result.clusters
    as_records = dataclasses.replace(result, documents=list(result.documents))
    text = render_csv(result)
    assert text == render_csv(as_records)
    rows = list(csv.reader(io.StringIO(text)))[1:]
    assert len(rows) == sum(len(c.members) for c in result.clusters)
    assert {r[2] for r in rows} == {result.documents[m].id for c in result.clusters for m, _ in c.members}
