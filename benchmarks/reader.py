"""The reading floor of an archive replay: import the package, read every JSON file of a recorded archive, parse it.

    python benchmarks/reader.py ARCHIVE

``bench.py`` times this process against ``newsgen generate --archive ARCHIVE``: what
newsgen spends beyond it is what the races cost after the fetch (see README.md).
Prints one line of JSON: files and bytes read.
"""

import json
import os
import sys

import generator  # noqa: F401 - the package's own import is part of both processes


def main(folder: str) -> int:
    files = size = 0
    for directory, _, names in sorted(os.walk(folder)):
        for name in sorted(names):
            if name.endswith(".json"):
                with open(os.path.join(directory, name), "rb") as handle:
                    data = handle.read()
                json.loads(data)
                files += 1
                size += len(data)
    print(json.dumps({"files": files, "bytes": size}))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
