"""Download official tables from their publishers, with a cache and checksums.

Only the network step lives here: a downloaded file goes through exactly the same path as a file
the user brings (:meth:`socint.store.Store.ingest_file`, i.e. recognition, validation, provenance).

The catalogue holds tables whose layout socint reads. Census 2011 tables come from the Nomis API
"bulk CSV" endpoint (Office for National Statistics, Open Government Licence v3.0), e.g.
``https://www.nomisweb.co.uk/api/v01/dataset/NM_608_1.bulk.csv?geography=TYPE464&…`` for
QS201EW (ethnic group) by local authority; the file it returns has the headers
``date, geography, geography code, Rural Urban, Ethnic Group: …; measures: Value``.
"""

from __future__ import annotations

import hashlib
import urllib.parse
import urllib.request
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType
from typing import IO

from platformdirs import user_cache_dir

from socint.errors import SocintError
from socint.io import atomic_path
from socint.store import sha256_file

NOMIS_API = "https://www.nomisweb.co.uk/api/v01/dataset"

#: Nomis geography types of the 2011 Census geographies (Nomis "TYPE" codes).
NOMIS_GEOGRAPHY_TYPES = MappingProxyType({
    "oa": "TYPE299",     # 2011 output areas
    "lsoa": "TYPE298",   # 2011 super output areas - lower layer
    "msoa": "TYPE297",   # 2011 super output areas - middle layer
    "lad": "TYPE464",    # local authorities: district / unitary (prior to April 2015)
})


@dataclass(frozen=True)
class NomisTable:
    """A Census table on the Nomis API, downloadable as a bulk CSV for one geography level."""

    name: str
    nomis_id: str
    level: str
    description: str
    params: Mapping[str, str] = field(default_factory=dict)
    publisher: str = "Office for National Statistics (Nomis)"
    licence: str = "Open Government Licence v3.0"

    def url(self, base: str = NOMIS_API) -> str:
        """The bulk-CSV URL of this table (``base`` is overridable for tests and mirrors)."""
        query = {"date": "latest", "geography": NOMIS_GEOGRAPHY_TYPES[self.level],
                 **dict(self.params)}
        return f"{base.rstrip('/')}/{self.nomis_id}.bulk.csv?{urllib.parse.urlencode(query)}"


def _qs201(level: str) -> NomisTable:
    return NomisTable(
        name=f"qs201ew_{level}", nomis_id="NM_608_1", level=level,
        description=f"Census 2011 QS201EW ethnic group (18 categories) by {level.upper()}",
        params={"rural_urban": "0", "measures": "20100"},
    )


#: What ``socint fetch`` can download, by name.
CATALOGUE: Mapping[str, NomisTable] = MappingProxyType(
    {t.name: t for t in (_qs201("lad"), _qs201("msoa"), _qs201("lsoa"), _qs201("oa"))}
)

Opener = Callable[[str], IO[bytes]]


def default_cache_dir() -> Path:
    """Where downloads are cached (the platform's user cache folder)."""
    return Path(user_cache_dir("socint", appauthor=False)) / "downloads"


def _open_url(url: str) -> IO[bytes]:
    request = urllib.request.Request(url, headers={"User-Agent": "socint (+open data)"})
    response: IO[bytes] = urllib.request.urlopen(request, timeout=120)
    return response


def fetch(
    name: str,
    *,
    cache_dir: str | Path | None = None,
    base_url: str = NOMIS_API,
    expected_sha256: str | None = None,
    force: bool = False,
    opener: Opener = _open_url,
) -> Path:
    """Download a catalogued table (or return the cached copy) and verify its checksum.

    Parameters
    ----------
    name
        A key of :data:`CATALOGUE`.
    cache_dir
        Cache folder (default :func:`default_cache_dir`). Files are named by table and URL hash,
        so a different URL never reuses a stale file.
    expected_sha256
        If given, a download (or cached file) with another checksum is rejected and not kept.
    force
        Download again even when a cached copy exists.
    """
    if name not in CATALOGUE:
        raise SocintError(f"`name` was {name!r} but is expected to be one of "
                          f"{sorted(CATALOGUE)}", hint="see `socint fetch --list`")
    url = CATALOGUE[name].url(base_url)
    folder = Path(cache_dir) if cache_dir is not None else default_cache_dir()
    target = folder / f"{name}-{hashlib.sha1(url.encode()).hexdigest()[:10]}.csv"
    if target.exists() and not force:
        _check_sha(target, expected_sha256, url)
        return target
    try:
        with atomic_path(target) as tmp:
            with opener(url) as response, open(tmp, "wb") as out:
                while chunk := response.read(1 << 20):
                    out.write(chunk)
            _check_sha(tmp, expected_sha256, url)
    except OSError as exc:
        raise SocintError(f"download of {name} from {url} failed: {exc}",
                          hint="check the network connection, or download the file by hand "
                               "and run `socint ingest FILE`") from exc
    return target


def _check_sha(path: Path, expected: str | None, url: str) -> None:
    if expected is None:
        return
    actual = sha256_file(path)
    if actual != expected.lower():
        raise SocintError(f"checksum mismatch for {url}: expected sha256 {expected}, got {actual}",
                          file=path, hint="the publisher may have revised the file; check and "
                                          "pass the new checksum, or use --force")


__all__ = ["CATALOGUE", "NOMIS_API", "NOMIS_GEOGRAPHY_TYPES", "NomisTable", "default_cache_dir",
           "fetch"]
