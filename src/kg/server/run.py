"""`kg serve`: the endpoint under kg.server.front (never the Flask development server)."""

import ipaddress
import socket
import sys

from kg.server.app import create_app
from kg.server.processes import default_processes, listening_socket, serve_app, serve_processes


def is_loopback(host: str) -> bool:
    """True if every address `host` resolves to is a loopback address."""
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        pass
    try:
        addresses = {info[4][0] for info in socket.getaddrinfo(host, None)}
    except socket.gaierror:
        return False
    return bool(addresses) and all(ipaddress.ip_address(a.split("%")[0]).is_loopback
                                   for a in addresses)


def backend_config(backend) -> dict:
    """`backend`: None, a URL, or a dict of BACKEND_* settings (kg.server.config)."""
    if not backend:
        return {}
    if isinstance(backend, str):
        return {"BACKEND_URL": backend}
    return {key if key.startswith("BACKEND_") else f"BACKEND_{key.upper()}": value
            for key, value in backend.items()}


def serve(host="127.0.0.1", port=8000, named_graphs=(), update_token=None, open_update=False,
          store=None, query_timeout=30.0, row_limit=10000, workers=2, dataset_path=None,
          federate=(), backend=None, processes=None, client_queries=None, base_url=None,
          allowed_hosts=(), settings=None) -> None:
    """Serve the dataset (and named graphs) at http://host:port/sparql until interrupted.

    `settings`: further kg.server.config keys (limits, deadlines), over the defaults.

    `processes`: server processes sharing the port (kg.server.processes; with updates, one
    writer and readers following it, which needs `store`); None: one per core when
    read-only, else one."""
    if open_update and not is_loopback(host):
        raise SystemExit(f"error: --open-update lets anyone change the data, so it only runs on "
                         f"a loopback address; {host!r} is not one (use --update-token instead)")
    config = {
        "DATASET_PATH": dataset_path, "NAMED_GRAPHS": tuple(named_graphs), "STORE": store,
        "UPDATE_TOKEN": update_token, "OPEN_UPDATE": open_update,
        "QUERY_TIMEOUT": float(query_timeout), "ROW_LIMIT": int(row_limit), "WORKERS": int(workers),
        "FEDERATION_ALLOWLIST": tuple(federate),
        "BASE_URL": base_url, "ALLOWED_HOSTS": tuple(allowed_hosts),
        **({"CLIENT_MAX_QUERIES": int(client_queries)} if client_queries else {}),
        **backend_config(backend),
        **(settings or {}),
    }
    single = bool(update_token or open_update or config.get("BACKEND_URL"))
    processes = default_processes(single) if processes is None else int(processes)
    if processes > 1:
        mode = "read-only" if not single else "one writer, readers following it"
        print(f"kg: SPARQL endpoint at http://{host}:{port}/sparql ({mode}, "
              f"{processes} server processes)", file=sys.stderr, flush=True)
        serve_processes(config, host, port, processes)
        return
    app = create_app(config)
    print(f"kg: SPARQL endpoint at http://{host}:{port}/sparql "
          f"({'open updates' if open_update else 'token updates' if update_token else 'read-only'}"
          f"{', answered by ' + app.config['BACKEND_URL'] if app.config['BACKEND_URL'] else ''})",
          file=sys.stderr, flush=True)
    serve_app(app, [listening_socket(host, port)], host, port)
