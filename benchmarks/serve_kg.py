"""`kg serve --store DIR` for the benchmark: the same app and HTTP server (kg.server.front) as
kg.server.run.serve (several server processes sharing the port, kg.server.processes, as
`kg serve` runs a read-only store by default), with the per-client flood limits off (every
benchmark request comes from 127.0.0.1, which a deployment would see as many clients behind a
proxy) and the result cache budget from the command line (0: off, so that evaluation is what
is measured).

Run: python benchmarks/serve_kg.py STORE_DIR PORT WORKERS CACHE_BYTES [PROCESSES] [writes]
(PROCESSES: default one per core, as `kg serve`; 1 runs the single-process server; `writes`:
updates allowed with a token, so with several processes one writer and readers following it.)
"""

import sys

from kg.server.app import create_app
from kg.server.processes import default_processes, listening_socket, serve_app, serve_processes


def main() -> None:
    store, port, workers, cache_bytes = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
    processes = int(sys.argv[5]) if len(sys.argv) > 5 else default_processes(False)
    writes = len(sys.argv) > 6 and sys.argv[6] == "writes"
    config = {"STORE": store, "DATASET_PATH": "", "WORKERS": workers, "ROW_LIMIT": 100000,
              "CLIENT_MAX_REQUESTS": None, "CLIENT_MAX_QUERIES": None,
              "RESULT_CACHE_BYTES": cache_bytes, "UPDATE_TOKEN": "bench" if writes else None}
    if processes > 1:
        serve_processes(config, "127.0.0.1", port, processes)
        return
    app = create_app(config)
    serve_app(app, [listening_socket("127.0.0.1", port)], "127.0.0.1", port)


if __name__ == "__main__":
    main()
