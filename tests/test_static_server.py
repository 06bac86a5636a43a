"""The benchmark's lean server answers plain requests as the test server does."""

from __future__ import annotations

import os

import httpx
import pytest

from .support.sirekap_server import SirekapServer
from .support.static_server import StaticServer

COMPARED = ("content-type", "content-length", "etag", "last-modified")


@pytest.fixture
def tree(tmp_path):
    (tmp_path / "pilkada" / "hhcw" / "pkwkp").mkdir(parents=True)
    (tmp_path / "pilkada" / "hhcw" / "pkwkp" / "64.json").write_bytes(b'{"mode":"hhcw","tungsura":{}}')
    (tmp_path / "wilayah" / "pilkada" / "pkwkp").mkdir(parents=True)
    (tmp_path / "wilayah" / "pilkada" / "pkwkp" / "0.json").write_text('[{"nama":"KALIMANTAN TIMUR"}]')
    return tmp_path


def answers(url: str, path: str, **headers: str) -> tuple[int, dict[str, str], bytes]:
    with httpx.Client() as client:
        response = client.get(url + path, headers=headers)
    return response.status_code, {k: response.headers.get(k, "") for k in COMPARED}, response.content


@pytest.mark.parametrize("path", [
    "/pilkada/hhcw/pkwkp/64.json", "/wilayah/pilkada/pkwkp/0.json", "/pilkada/hhcw/pkwkp/99.json",
    "/pilkada/../secret.json", "/pilkada", "/pilkada/hhcw/pkwkp/64.json?x=1",
])
def test_the_same_answers_as_the_test_server(tree, path):
    with SirekapServer(tree) as reference, StaticServer(tree) as lean:
        assert answers(lean.url, path) == answers(reference.url, path)


def test_conditional_requests_and_changed_files(tree):
    path = "/pilkada/hhcw/pkwkp/64.json"
    with SirekapServer(tree) as reference, StaticServer(tree) as lean:
        _, first, _ = answers(lean.url, path)
        for url in (lean.url, reference.url):
            assert answers(url, path, **{"If-None-Match": first["etag"]})[0] == 304
            assert answers(url, path, **{"If-Modified-Since": first["last-modified"]})[0] == 304
        file = tree / path.lstrip("/")
        file.write_bytes(b'{"mode":"hhcw","tungsura":{"chart":{}}}')
        os.utime(file, (1_900_000_000, 1_900_000_000))
        changed = answers(lean.url, path, **{"If-None-Match": first["etag"]})
        assert changed[0] == 200 and changed[2].endswith(b'{"chart":{}}}')
        assert changed == answers(reference.url, path, **{"If-None-Match": first["etag"]})


def test_many_requests_on_one_connection(tree):
    with StaticServer(tree) as lean, httpx.Client() as client:
        for _ in range(50):
            assert client.get(lean.url + "/wilayah/pilkada/pkwkp/0.json").status_code == 200
