"""`kg serve --store DIR` for the benchmark: the same app and waitress set-up as
kg.server.run.serve, with the per-client flood limits off (every benchmark request comes from
127.0.0.1, which a deployment would see as many clients behind a proxy) and the result cache
budget from the command line (0: off, so that evaluation is what is measured).

Run: python benchmarks/serve_kg.py STORE_DIR PORT WORKERS CACHE_BYTES
"""

import sys

import waitress

from kg.server.app import create_app


def main() -> None:
    store, port, workers, cache_bytes = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
    app = create_app({"STORE": store, "DATASET_PATH": "", "WORKERS": workers, "ROW_LIMIT": 100000,
                      "CLIENT_MAX_REQUESTS": None, "CLIENT_MAX_QUERIES": None,
                      "RESULT_CACHE_BYTES": cache_bytes})
    waitress.serve(app, host="127.0.0.1", port=port, threads=max(4, 2 * workers + 2), _quiet=True)


if __name__ == "__main__":
    main()
