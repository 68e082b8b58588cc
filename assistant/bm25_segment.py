"""One BM25 segment: an immutable folder of postings, per-row filter columns and vectors.

Postings are in term order (`ptr` into `rows` and `weights`), each weight the Lucene BM25
term-frequency part, tf / (tf + k1 (1 - b + b len / avglen)); the idf is applied at query
time from all segments' document frequencies (`bm25.KeywordIndex`). Arrays are saved as
`.npy` and memory-mapped on load.
"""

from __future__ import annotations

import json
import shutil
import uuid
from array import array
from collections import Counter
from collections.abc import Iterable
from pathlib import Path

import numpy as np

from assistant.text import terms

K1 = 1.5
B = 0.75
#: What a segment's terms are made of; an index of another format is rebuilt by the next ingest.
#: t2: a chunk's terms are its article's headline, its text and its publication year.
#: t3: irregular past forms are terms of their verb ("spoke": "speak").
TERMS_FORMAT = "t3"
#: Postings put into term order per pass (see `_sort_postings`).
SORT_BLOCK = 1 << 23

Row = tuple[str, str, dict, np.ndarray]  # chunk id, text, metadata, vector


class Segment:
    """One immutable folder: postings in term order, per-row columns and vectors."""

    def __init__(self, folder: Path):
        self.folder = folder
        self.name = folder.name
        meta = json.loads((folder / "meta.json").read_text())
        self.terms: list[str] = meta["terms"]
        self.outlets: list[str] = meta["outlets"]
        self.dim: int = meta["dim"]
        self.avgdl: float = meta["avgdl"]
        self.vocab = {t: i for i, t in enumerate(self.terms)}
        load = lambda f: _load(folder / f)  # noqa: E731
        self.ptr, self.rows, self.weights = load("ptr.npy"), load("rows.npy"), load("weights.npy")
        self.doc_len, self.date_keys = load("doc_len.npy"), load("date_keys.npy")
        self.outlet_codes = load("outlet_codes.npy")
        ids = np.load(folder / "ids.npz")
        self.ids, self.article_ids = ids["ids"], ids["article_ids"]
        self.df = np.diff(self.ptr)
        self.vectors = _vectors(folder / "vectors.f32", len(self.ids), self.dim)

    def __len__(self) -> int:
        return len(self.ids)

    @staticmethod
    def write(root: Path, rows: Iterable[Row], avgdl: float | None = None) -> "Segment | None":
        """Tokenize and index rows into a new segment folder; None when there are none.

        `avgdl`: the index's average length, so a small segment's weights match the rest; a
        whole build uses its own."""
        vocab: dict[str, int] = {}
        outlets: dict[str, int] = {}
        ids, article_ids, outlet_codes, date_keys = [], [], [], []
        # Postings as compact C arrays: a million chunks hold about a hundred million of them.
        term_ids, tfs, counts, doc_len = array("i"), array("H"), array("i"), array("i")
        folder = root / f"s-{uuid.uuid4().hex[:12]}.tmp"
        folder.mkdir(parents=True)
        vectors = _VectorWriter(folder / "vectors.f32")
        for chunk_id, text, md, vector in rows:
            vectors.add(vector)
            ids.append(chunk_id)
            article_ids.append(md["article_id"])
            outlet_codes.append(outlets.setdefault((md.get("outlet") or "").lower(), len(outlets)))
            date_keys.append(int(md.get("published_key", -1)))
            toks = terms(f"{md.get('title', '')} {text}") + _date_terms(md)
            doc_len.append(len(toks))
            tf = Counter(vocab.setdefault(t, len(vocab)) for t in toks)
            term_ids.extend(tf.keys())
            tfs.extend(tf.values())
            counts.append(len(tf))
        vectors.close()
        if not ids:
            shutil.rmtree(folder)
            return None
        doc_len_a = np.frombuffer(doc_len, dtype=np.int32)
        avgdl = avgdl or float(doc_len_a.mean()) or 1.0
        # Each posting's row and weight are made only as `_sort_postings` writes it
        # (`_Postings.at`): whole, they would cost ~700 MB at a million chunks (~90M postings).
        postings = _Postings(
            np.frombuffer(term_ids, dtype=np.int32), np.frombuffer(tfs, dtype=np.uint16),
            np.cumsum(np.frombuffer(counts, dtype=np.int32), dtype=np.int64),
            (K1 * (1 - B + B * doc_len_a / avgdl)).astype(np.float32),
        )
        return Segment._save(
            folder, list(vocab), postings, doc_len_a, avgdl,
            np.array(ids), np.array(article_ids), np.array(outlet_codes, dtype=np.int32),
            np.array(date_keys, dtype=np.int32), list(outlets), vectors.dim,
        )

    @staticmethod
    def merge(root: Path, parts: list[tuple["Segment", np.ndarray]]) -> "Segment | None":
        """One segment holding the live rows of several, from their postings alone."""
        vocab: dict[str, int] = {}
        outlets: dict[str, int] = {}
        terms_l, rows_l, weights_l, lens, ids, aids, codes, dates = [], [], [], [], [], [], [], []
        folder = root / f"s-{uuid.uuid4().hex[:12]}.tmp"
        folder.mkdir(parents=True)
        vectors = _VectorWriter(folder / "vectors.f32")
        offset, total_len = 0, 0.0
        for seg, deleted in parts:
            alive = np.ones(len(seg), dtype=bool)
            alive[deleted] = False
            new_row = np.cumsum(alive, dtype=np.int64) - 1 + offset
            term_map = np.array([vocab.setdefault(t, len(vocab)) for t in seg.terms], dtype=np.int32)
            outlet_map = np.array([outlets.setdefault(o, len(outlets)) for o in seg.outlets], dtype=np.int32)
            post_terms = np.repeat(term_map, seg.df)
            keep = alive[seg.rows]
            terms_l.append(post_terms[keep])
            rows_l.append(new_row[seg.rows[keep]].astype(np.int32))
            weights_l.append(np.asarray(seg.weights)[keep])
            lens.append(np.asarray(seg.doc_len)[alive])
            ids.append(seg.ids[alive])
            aids.append(seg.article_ids[alive])
            codes.append(outlet_map[np.asarray(seg.outlet_codes)[alive]])
            dates.append(np.asarray(seg.date_keys)[alive])
            if seg.vectors is not None:
                for start in range(0, len(seg), 65536):
                    block = alive[start : start + 65536]
                    vectors.add_block(np.asarray(seg.vectors[start : start + 65536])[block], seg.dim)
            total_len += seg.avgdl * int(alive.sum())
            offset += int(alive.sum())
        vectors.close()
        if offset == 0:
            shutil.rmtree(folder)
            return None
        postings = _Postings.whole(np.concatenate(terms_l), np.concatenate(rows_l), np.concatenate(weights_l))
        return Segment._save(
            folder, list(vocab), postings, np.concatenate(lens), total_len / offset, np.concatenate(ids), np.concatenate(aids),
            np.concatenate(codes), np.concatenate(dates), list(outlets), vectors.dim,
        )

    @staticmethod
    def _save(folder, vocab_terms, postings: "_Postings", doc_len, avgdl, ids, article_ids,
              outlet_codes, date_keys, outlets, dim) -> "Segment":
        ptr = np.zeros(len(vocab_terms) + 1, dtype=np.int64)
        np.cumsum(np.bincount(postings.terms, minlength=len(vocab_terms)), out=ptr[1:])
        _sort_postings(folder, postings, ptr)
        for name, arr in {"ptr.npy": ptr, "doc_len.npy": doc_len, "date_keys.npy": date_keys, "outlet_codes.npy": outlet_codes}.items():
            np.save(folder / name, arr)
        np.savez(folder / "ids.npz", ids=ids, article_ids=article_ids)
        meta = {"terms": vocab_terms, "outlets": outlets, "dim": dim, "avgdl": avgdl}
        (folder / "meta.json").write_text(json.dumps(meta))
        final = folder.with_name(folder.name.removesuffix(".tmp"))
        folder.rename(final)
        return Segment(final)


class _Postings:
    """Postings in row order: their term ids whole, their rows and weights made on demand.

    From a tokenized build, a posting's row comes from the rows' running posting counts
    (`ends`) and its weight from its term frequency and its row's length norm; from a merge,
    both are already whole arrays."""

    def __init__(self, terms: np.ndarray, tfs: np.ndarray | None = None, ends: np.ndarray | None = None,
                 norms: np.ndarray | None = None, rows: np.ndarray | None = None, weights: np.ndarray | None = None):
        self.terms, self.tfs, self.ends, self.norms = terms, tfs, ends, norms
        self.rows, self.weights = rows, weights

    @classmethod
    def whole(cls, terms: np.ndarray, rows: np.ndarray, weights: np.ndarray) -> "_Postings":
        return cls(terms, rows=rows, weights=weights)

    def __len__(self) -> int:
        return len(self.terms)

    def at(self, positions: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Rows (int32) and weights (float32) of the postings at these positions."""
        if self.rows is not None:
            return self.rows[positions], self.weights[positions]
        rows = np.searchsorted(self.ends, positions, side="right").astype(np.int32)
        tf = self.tfs[positions].astype(np.float32)
        return rows, tf / (tf + self.norms[rows])


def _sort_postings(folder: Path, postings: _Postings, ptr: np.ndarray) -> None:
    """rows.npy and weights.npy in term order, rows ascending within a term, written front to
    back one range of terms (about `SORT_BLOCK` postings) at a time.

    Each range costs a scan of the term ids, and only its own postings are ever sorted or held:
    a whole-length permutation and sorted copies cost ~1.4 GB at a million chunks (~90M
    postings), and scattered writes into memory-mapped files kept as much in dirty pages.
    """
    n, n_terms = len(postings), len(ptr) - 1
    with open(folder / "rows.npy", "wb") as rows_f, open(folder / "weights.npy", "wb") as weights_f:
        np.lib.format.write_array_header_1_0(rows_f, {"descr": "<i4", "fortran_order": False, "shape": (n,)})
        np.lib.format.write_array_header_1_0(weights_f, {"descr": "<f4", "fortran_order": False, "shape": (n,)})
        lo = 0
        while lo < n_terms:
            hi = max(int(np.searchsorted(ptr, ptr[lo] + SORT_BLOCK, side="right")) - 1, lo + 1)
            positions = np.flatnonzero((postings.terms >= lo) & (postings.terms < hi))
            positions = positions[np.argsort(postings.terms[positions], kind="stable")]
            rows, weights = postings.at(positions)
            rows_f.write(rows.astype("<i4", copy=False).tobytes())
            weights_f.write(weights.astype("<f4", copy=False).tobytes())
            lo = hi


def _date_terms(md: dict) -> list[str]:
    """The publication year as a term, so "what happened in 2020?" finds 2020's articles
    even where their text never says the year."""
    key = int(md.get("published_key", -1))
    return [str(key // 10000)] if key > 0 else []


def _load(path: Path) -> np.ndarray:
    try:
        return np.load(path, mmap_mode="r")
    except ValueError:  # an empty array cannot be memory-mapped
        return np.load(path)


class _VectorWriter:
    """Rows of float32 vectors streamed to a raw file, so a million of them never sit in memory."""

    def __init__(self, path: Path):
        self.path = path
        self.file = open(path, "wb")
        self.rows = 0
        self.dim = 0

    def add(self, vector: np.ndarray) -> None:
        self.dim = self.dim or len(vector)
        self.file.write(np.asarray(vector, dtype=np.float32).tobytes())
        self.rows += 1

    def add_block(self, block: np.ndarray, dim: int) -> None:
        self.dim = self.dim or dim
        self.file.write(np.ascontiguousarray(block, dtype=np.float32).tobytes())
        self.rows += len(block)

    def close(self) -> None:
        self.file.close()


def _vectors(path: Path, rows: int, dim: int) -> np.ndarray | None:
    if not dim or not path.is_file() or path.stat().st_size != rows * dim * 4:
        return None
    return np.memmap(path, dtype=np.float32, mode="r", shape=(rows, dim))
