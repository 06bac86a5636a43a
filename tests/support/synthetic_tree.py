"""Build a synthetic national Sirekap object-store tree for all 545 Pilkada 2024 races.

The tree mirrors the KPU object store's own path layout (paths relative to the host
root, e.g. ``pilkada/hhcw/pkwkp/64.json``), so it can be served by
:class:`tests.support.sirekap_server.SirekapServer` or read as an archive.

What is real and what is synthetic:

* ``pilkada/paslon/pkwkp.json`` / ``pkwkk.json`` are byte-for-byte copies of the real
  KPU candidate masters (all 37 governor and 508 regent/mayor races).
* ``wilayah/pilkada/pkwkp/0.json`` is a byte-for-byte copy of the real province list.
* Kab/kota lists use real names and ids for Kalimantan Tengah, Timur and Utara
  (62, 64, 65); every other name (``SINTETIS 1101``, ``KOTA SINTETIS 1171``) and every
  kecamatan (``KECAMATAN SINTETIS 640101``) is invented.
* All tallies (``pilkada/hhcw/...``) are SYNTHETIC: plausible, deterministic numbers
  in the exact shape of the real files (see ``data/sirekap/FORMAT.md``).

Exactly one kab/kota row in the whole tree reports no TPS (``status_progress`` false
and no candidate keys, as real files do): see :data:`ZERO_PROGRESS_ROW`.
"""

from __future__ import annotations

import json
import random
import re
from collections.abc import Iterable, Iterator, Mapping, Sequence
from datetime import datetime
from pathlib import Path
from typing import Any

__all__ = [
    "DEFAULT_TS",
    "DKI_KABKOTA",
    "ZERO_PROGRESS_ROW",
    "build_tree",
    "dump_json",
    "iter_tree",
]

DEFAULT_TS = "2024-11-28 10:15:04"
"""Default ``ts`` of every synthetic tally (the real interim snapshot's timestamp)."""

SAMPLE_SUBDIR = Path("data") / "sirekap"
"""Where the real KPU sample files sit inside the ``shared`` folder."""

PASLON_SAMPLES = {
    "pkwkp": "pilkada2024_paslon_pkwkp.json",
    "pkwkk": "pilkada2024_paslon_pkwkk.json",
}
PROVINCE_LIST_SAMPLE = "pilkada2024_wilayah_pkwkp_0.json"
REAL_KABKOTA_PROVINCES = ("62", "64", "65")
"""Provinces whose real kab/kota list (names, ids) is in the samples."""

DKI_PROVINCE = "31"
DKI_KABKOTA = ("3101", "3171", "3172", "3173", "3174", "3175")
"""Invented kab/kota codes for DKI Jakarta (governor race, no regent/mayor races)."""

ZERO_PROGRESS_ROW = ("pkwkp", "94", "9402")
"""(race type, province, kab/kota) of the single row with ``status_progress`` false.

Row ``9402`` (Puncak Jaya) of ``pilkada/hhcw/pkwkp/94.json``, mirroring the real
saved data in which Puncak Jaya had reported no governor TPS.
"""

KOLOM_KOSONG_PREFIX = "KOLOM KOSONG"
PSU = "Reguler"
MODE = "hhcw"


def dump_json(obj: Any) -> bytes:
    """Serialise ``obj`` as compact UTF-8 JSON, the way the object store serves it."""
    return json.dumps(obj, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


class _TreeWriter:
    """Writes files below one root and counts them."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.files = 0
        self._made: set[Path] = set()

    def write_bytes(self, rel: str, data: bytes) -> None:
        """Write ``data`` to ``root/rel``, creating folders as needed."""
        target = self.root / rel
        if target.parent not in self._made:
            target.parent.mkdir(parents=True, exist_ok=True)
            self._made.add(target.parent)
        target.write_bytes(data)
        self.files += 1


# --------------------------------------------------------------------------- regions


def _is_city(code: str) -> bool:
    """A kab/kota code whose third digit is 7 is a city (kota)."""
    return len(code) == 4 and code[2] == "7"


def _kabkota_codes(pkwkk_master: Mapping[str, Any], governor_provinces: Iterable[str]) -> dict[str, list[str]]:
    """Map each province code to its sorted kab/kota codes.

    Codes come from the regent/mayor master; DKI Jakarta gets :data:`DKI_KABKOTA`.
    """
    by_province: dict[str, list[str]] = {}
    for code in pkwkk_master:
        by_province.setdefault(code[:2], []).append(code)
    for province in governor_provinces:
        by_province.setdefault(province, [])
    if DKI_PROVINCE in by_province and not by_province[DKI_PROVINCE]:
        by_province[DKI_PROVINCE] = list(DKI_KABKOTA)
    return {p: sorted(codes) for p, codes in sorted(by_province.items())}


def _real_kabkota_entries(sample_dir: Path) -> dict[str, tuple[str, int]]:
    """Real (nama, id) of kab/kota codes that appear in the saved wilayah samples."""
    known: dict[str, tuple[str, int]] = {}
    for province in REAL_KABKOTA_PROVINCES:
        path = sample_dir / f"pilkada2024_wilayah_pkwkp_{province}.json"
        if not path.is_file():
            continue
        for entry in json.loads(path.read_text(encoding="utf-8")):
            known[str(entry["kode"])] = (str(entry["nama"]), int(entry["id"]))
    return known


def _kabkota_list(codes: Sequence[str], real: Mapping[str, tuple[str, int]]) -> list[dict[str, Any]]:
    """Build a tingkat-2 wilayah list for ``codes``, sorted by ``nama`` like the real one."""
    entries = []
    for code in codes:
        if code in real:
            nama, ident = real[code]
        else:
            nama = f"KOTA SINTETIS {code}" if _is_city(code) else f"SINTETIS {code}"
            ident = 700_000 + int(code)
        entries.append({"nama": nama, "id": ident, "kode": code, "tingkat": 2})
    entries.sort(key=lambda e: (e["nama"], e["kode"]))
    return entries


def _kecamatan_codes(kabkota: str, count: int) -> list[str]:
    """The synthetic kecamatan codes of a kab/kota: ``{k}01``, ``{k}02``, ..."""
    return [f"{kabkota}{i:02d}" for i in range(1, count + 1)]


def _kecamatan_list(kabkota: str, count: int) -> list[dict[str, Any]]:
    """A tingkat-3 wilayah list of synthetic kecamatan."""
    return [
        {"nama": f"KECAMATAN SINTETIS {code}", "id": 1_000_000 + int(code), "kode": code, "tingkat": 3}
        for code in _kecamatan_codes(kabkota, count)
    ]


def _kecamatan_tps(seed: int, kabkota: str, count: int) -> dict[str, int]:
    """TPS totals (20..200) per kecamatan; shared by every race run in that kab/kota."""
    rng = random.Random(f"{seed}:wilayah:{kabkota}")
    return {code: rng.randint(20, 200) for code in _kecamatan_codes(kabkota, count)}


# --------------------------------------------------------------------------- votes


def _race_weights(rng: random.Random, names: Sequence[str]) -> list[float]:
    """Base vote weights for one race: mostly one clear leader, sometimes a close race.

    ``names`` are the candidates' ``nama`` strings in master order; a "KOLOM KOSONG"
    entry gets votes like any other candidate but usually trails the single pair.
    """
    n = len(names)
    empty = [name.startswith(KOLOM_KOSONG_PREFIX) for name in names]
    close = rng.random() < 0.2
    if n == 2 and any(empty):
        pair = empty.index(False)
        weights = [1.0, 1.0]
        if close:
            weights[1 - pair] = rng.uniform(0.88, 1.08)
        else:
            weights[pair] = rng.uniform(2.5, 8.0)
        return weights
    weights = [rng.uniform(0.3, 1.0) for _ in range(n)]
    if close:
        first, second = rng.sample(range(n), 2)
        top = max(weights) * rng.uniform(1.3, 1.8)
        weights[first] = top
        weights[second] = top * rng.uniform(0.93, 1.0)
    else:
        leader = rng.randrange(n)
        weights[leader] = max(weights) * rng.uniform(1.3, 2.4)
    return weights


def _split_votes(rng: random.Random, valid: int, weights: Sequence[float]) -> list[int]:
    """Split ``valid`` votes by ``weights`` with per-row noise (largest remainder)."""
    noisy = [w * rng.uniform(0.85, 1.15) for w in weights]
    scale = sum(noisy)
    quotas = [valid * w / scale for w in noisy]
    votes = [int(q) for q in quotas]
    order = sorted(range(len(quotas)), key=lambda i: (-(quotas[i] - votes[i]), i))
    for i in order[: valid - sum(votes)]:
        votes[i] += 1
    return votes


def _progres(total: int, progres: int) -> dict[str, Any]:
    """A ``progres`` object as in chart and table rows (key order total, persen, progres)."""
    persen = round(progres / total * 100, 2) if total else 0.0
    return {"total": total, "persen": float(persen), "progres": progres}


def _row(cand_ids: Sequence[str], votes: Sequence[int] | None, total: int, progres: int) -> dict[str, Any]:
    """One table row; ``votes`` None means "no TPS reported" (no candidate keys)."""
    row: dict[str, Any] = {"psu": PSU}
    if votes is not None:
        row.update(zip(cand_ids, votes, strict=True))
    row["progres"] = _progres(total, progres if votes is not None else 0)
    row["status_progress"] = votes is not None
    return row


def _tally(cand_ids: Sequence[str], table: Mapping[str, dict[str, Any]], ts: str) -> dict[str, Any]:
    """Wrap table rows into a full hhcw file whose chart is the exact sum of the rows.

    With ``cand_ids`` empty (province-level pkwkk collection) the chart holds only
    ``progres``; candidate totals are also omitted when no row has any.
    """
    total = sum(row["progres"]["total"] for row in table.values())
    progres = sum(row["progres"]["progres"] for row in table.values())
    chart: dict[str, Any] = {}
    if any(cid in row for row in table.values() for cid in cand_ids):
        for cid in cand_ids:
            chart[cid] = sum(int(row.get(cid, 0)) for row in table.values())
    chart["progres"] = _progres(total, progres)
    return {
        "mode": MODE,
        "tungsura": {"chart": chart, "table": dict(table)},
        "psu": PSU,
        "progres": {"total": total, "progres": progres},
        "ts": ts,
    }


def _race_rows(
    rng: random.Random,
    cand_ids: Sequence[str],
    weights: Sequence[float],
    tps_by_child: Mapping[str, int],
    zero_child: str | None = None,
) -> dict[str, dict[str, Any]]:
    """Synthesise one row per child region (sorted by code) for one race."""
    rows: dict[str, dict[str, Any]] = {}
    for child in sorted(tps_by_child):
        total = tps_by_child[child]
        if child == zero_child:
            rows[child] = _row(cand_ids, None, total, 0)
            continue
        progres = max(1, total - rng.randint(0, total // 10))
        valid = rng.randint(150 * progres, 450 * progres)  # ~150-450 valid votes per TPS
        rows[child] = _row(cand_ids, _split_votes(rng, valid, weights), total, progres)
    return rows


# --------------------------------------------------------------------------- build


def _load_master(path: Path) -> tuple[bytes, dict[str, dict[str, Any]]]:
    """Read a paslon master: the raw bytes (to copy) and the parsed mapping."""
    raw = path.read_bytes()
    return raw, json.loads(raw.decode("utf-8"))


def iter_tree(
    shared_dir: Path,
    *,
    seed: int = 2024,
    kecamatan_per_race: int = 6,
    ts: str = DEFAULT_TS,
) -> Iterator[tuple[str, bytes]]:
    """Generate the synthetic tree in memory as ``(relative path, file bytes)`` pairs.

    Same arguments and output as :func:`build_tree`, without touching the disk
    (handy for serving from memory or comparing builds). Arguments are checked
    before the iterator is returned.

    Raises:
        FileNotFoundError: the KPU samples are missing under ``shared_dir``.
        ValueError: bad ``kecamatan_per_race`` or ``ts``.
    """
    shared_dir = Path(shared_dir)
    if not 1 <= kecamatan_per_race <= 99:
        raise ValueError(f"kecamatan_per_race must be 1..99, got {kecamatan_per_race}")
    datetime.strptime(ts, "%Y-%m-%d %H:%M:%S")  # raises ValueError on a bad format
    sample_dir = shared_dir / SAMPLE_SUBDIR
    needed = [sample_dir / name for name in (*PASLON_SAMPLES.values(), PROVINCE_LIST_SAMPLE)]
    missing = [str(p) for p in needed if not p.is_file()]
    if missing:
        raise FileNotFoundError(f"KPU sample files missing (is {shared_dir} the shared folder?): {', '.join(missing)}")
    return _generate(sample_dir, seed, kecamatan_per_race, ts)


def _generate(sample_dir: Path, seed: int, kecamatan_per_race: int, ts: str) -> Iterator[tuple[str, bytes]]:
    """Yield every file of the tree; see :func:`iter_tree`."""
    masters: dict[str, dict[str, dict[str, Any]]] = {}
    for race_type, name in PASLON_SAMPLES.items():
        raw, masters[race_type] = _load_master(sample_dir / name)
        yield f"pilkada/paslon/{race_type}.json", raw
    governor, regent = masters["pkwkp"], masters["pkwkk"]

    # Regions -----------------------------------------------------------------------
    yield "wilayah/pilkada/pkwkp/0.json", (sample_dir / PROVINCE_LIST_SAMPLE).read_bytes()
    kabkota = _kabkota_codes(regent, governor)
    real_names = _real_kabkota_entries(sample_dir)
    tps: dict[str, dict[str, int]] = {}
    for province, codes in kabkota.items():
        listing = dump_json(_kabkota_list(codes, real_names))
        for race_type in ("pkwkp", "pkwkk"):
            yield f"wilayah/pilkada/{race_type}/{province}.json", listing
        for code in codes:
            kecamatan = dump_json(_kecamatan_list(code, kecamatan_per_race))
            for race_type in ("pkwkp", "pkwkk"):
                yield f"wilayah/pilkada/{race_type}/{province}/{code}.json", kecamatan
            tps[code] = _kecamatan_tps(seed, code, kecamatan_per_race)

    # Governor races: province file, table by kab/kota -------------------------------
    for province, candidates in governor.items():
        rng = random.Random(f"{seed}:pkwkp:{province}")
        cand_ids = list(candidates)
        weights = _race_weights(rng, [c["nama"] for c in candidates.values()])
        kab_tps = {code: sum(tps[code].values()) for code in kabkota[province]}
        zero = ZERO_PROGRESS_ROW[2] if ("pkwkp", province) == ZERO_PROGRESS_ROW[:2] else None
        rows = _race_rows(rng, cand_ids, weights, kab_tps, zero_child=zero)
        yield f"pilkada/hhcw/pkwkp/{province}.json", dump_json(_tally(cand_ids, rows, ts))

    # Regent/mayor races: kab/kota file, table by kecamatan ---------------------------
    charts: dict[str, tuple[list[str], dict[str, Any]]] = {}
    for code, candidates in regent.items():
        rng = random.Random(f"{seed}:pkwkk:{code}")
        cand_ids = list(candidates)
        weights = _race_weights(rng, [c["nama"] for c in candidates.values()])
        rows = _race_rows(rng, cand_ids, weights, tps[code])
        tally = _tally(cand_ids, rows, ts)
        charts[code] = (cand_ids, tally["tungsura"]["chart"])
        yield f"pilkada/hhcw/pkwkk/{code[:2]}/{code}.json", dump_json(tally)

    # Province-level pkwkk collections: one row per kab/kota race ----------------------
    for province, codes in kabkota.items():
        races = [code for code in codes if code in charts]
        if not races:
            continue
        table: dict[str, dict[str, Any]] = {}
        for code in races:
            cand_ids, chart = charts[code]
            row: dict[str, Any] = {"psu": PSU}
            row.update((cid, chart[cid]) for cid in cand_ids if cid in chart)
            row["progres"] = dict(chart["progres"])
            row["status_progress"] = chart["progres"]["progres"] > 0
            table[code] = row
        yield f"pilkada/hhcw/pkwkk/{province}.json", dump_json(_tally([], table, ts))


_GOVERNOR_RACE = re.compile(r"pilkada/hhcw/pkwkp/\d{2}\.json")
_REGENT_RACE = re.compile(r"pilkada/hhcw/pkwkk/\d{2}/\d{4}\.json")


def build_tree(
    shared_dir: Path,
    out_dir: Path,
    *,
    seed: int = 2024,
    kecamatan_per_race: int = 6,
    ts: str = DEFAULT_TS,
) -> dict[str, int]:
    """Write a synthetic national Sirekap object-store tree into ``out_dir``.

    Args:
        shared_dir: the project's ``shared`` folder (holds ``data/sirekap/`` samples).
        out_dir: destination root; files are written below it in the object store's
            path layout (existing files are overwritten, others left alone).
        seed: seed of every random choice; the same arguments give identical bytes.
        kecamatan_per_race: number of kecamatan per kab/kota (1..99).
        ts: the ``ts`` string of every tally, ``YYYY-MM-DD HH:MM:SS`` (local, no zone).

    Returns:
        ``{"races": 545, "files": N, "governor": 37, "regent_mayor": 508}``.

    Raises:
        FileNotFoundError: the KPU samples are missing under ``shared_dir``.
        ValueError: bad ``kecamatan_per_race`` or ``ts``.
    """
    files = iter_tree(shared_dir, seed=seed, kecamatan_per_race=kecamatan_per_race, ts=ts)
    writer = _TreeWriter(Path(out_dir))
    governor = regent = 0
    for rel, data in files:
        writer.write_bytes(rel, data)
        governor += bool(_GOVERNOR_RACE.fullmatch(rel))
        regent += bool(_REGENT_RACE.fullmatch(rel))
    return {
        "races": governor + regent,
        "files": writer.files,
        "governor": governor,
        "regent_mayor": regent,
    }
