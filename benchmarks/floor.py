"""The fetch floor: what fetching a national run's files costs at the least, as a whole process.

One aiohttp ``ClientSession``, at most 16 requests in flight (a semaphore), a GET
of every path listed in PATHS (one per line, in the order newsgen asked for them)
and ``json.loads`` of every body. Nothing else: no retries, no cache, no files.

    python benchmarks/floor.py BASE_URL PATHS                   # cold: every file whole
    python benchmarks/floor.py BASE_URL PATHS --etags FILE      # conditional: If-None-Match from FILE
    python benchmarks/floor.py BASE_URL PATHS --save-etags FILE # cold, and keep the ETags (untimed setup)

Prints one line of JSON: responses by HTTP status. ``bench.py`` times this process
(wall and CPU, imports included) against ``newsgen`` and checks the statuses.
Kept to the standard library and aiohttp, so its start-up is the floor's too.
"""

import asyncio
import json
import sys

import aiohttp

CONCURRENCY = 16


async def fetch_all(base: str, paths: list, etags: dict | None, keep: dict | None) -> dict:
    semaphore = asyncio.Semaphore(CONCURRENCY)
    statuses: dict = {}

    async with aiohttp.ClientSession() as session:

        async def one(path: str) -> None:
            headers = {"If-None-Match": etags[path]} if etags is not None else None
            async with semaphore, session.get(base + path, headers=headers) as response:
                body = await response.read()
                if response.status == 200:
                    json.loads(body)
                if keep is not None:
                    keep[path] = response.headers.get("ETag")
            statuses[response.status] = statuses.get(response.status, 0) + 1

        await asyncio.gather(*(one(path) for path in paths))
    return statuses


def main(argv: list) -> int:
    base, paths_file, options = argv[0].rstrip("/"), argv[1], argv[2:]
    with open(paths_file, encoding="utf-8") as handle:
        paths = [line.strip() for line in handle if line.strip()]
    etags = keep = None
    if options[:1] == ["--etags"]:
        with open(options[1], encoding="utf-8") as handle:
            etags = json.load(handle)
    elif options[:1] == ["--save-etags"]:
        keep = {}
    elif options:
        print(f"floor.py: unknown options {options}", file=sys.stderr)
        return 2
    statuses = asyncio.run(fetch_all(base, paths, etags, keep))
    if keep is not None:
        with open(options[1], "w", encoding="utf-8") as handle:
            json.dump(keep, handle)
    print(json.dumps({str(status): count for status, count in sorted(statuses.items())}))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
