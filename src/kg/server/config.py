"""The app's configuration keys, with their defaults, in one place."""

DEFAULTS = {
    # The built N-Quads dataset; None means kg.paths.BUILT_DATASET (built if missing).
    # A false value other than None (e.g. "") starts without a dataset file.
    "DATASET_PATH": None,
    # Extra graphs: (graph IRI, RDF file) pairs, from `kg serve --named-graph IRI=FILE`.
    "NAMED_GRAPHS": (),
    # None: load DATASET_PATH and NAMED_GRAPHS in memory. A directory (`kg serve --store`):
    # an on-disk store there, filled from them when empty, keeps updates across restarts.
    # A pyoxigraph.Store object is served as given.
    "STORE": None,
    # Updates need `Authorization: Bearer <UPDATE_TOKEN>`; None: read-only...
    "UPDATE_TOKEN": None,
    # ...unless OPEN_UPDATE (serve() allows it only on a loopback address).
    "OPEN_UPDATE": False,
    # The public base URL every absolute URL is made from (Location, VoID, the service
    # description, the reconciliation manifest, server-made graph names): `kg serve --base-url`.
    # None: the request's own Host (fine on loopback; set it behind a proxy or in public).
    "BASE_URL": None,
    # Host names served (`kg serve --allowed-host`, repeatable); any other Host is refused 400.
    # Empty: any Host, except with OPEN_UPDATE, which serves only the loopback names (and the
    # base URL's host), so that a page rebound to 127.0.0.1 by its DNS reaches nothing.
    "ALLOWED_HOSTS": (),
    # Seconds a query or update may run before its worker is killed (answer: 503).
    "QUERY_TIMEOUT": 30.0,
    # SELECT rows / CONSTRUCT triples kept; the response says when it cut.
    "ROW_LIMIT": 10000,
    # Bytes of one result body at most: the worker stops producing rows past it, and the
    # response says so (X-KG-Truncated: bytes); the server never holds more than this.
    "RESULT_MAX_BYTES": 64 * 1024 * 1024,
    # Largest request body (and query string) accepted, in bytes (answer: 413 / 414).
    "MAX_REQUEST_BYTES": 1024 * 1024,
    # A directory written by `kg export --tables` (or a release) to serve at /tables/; None:
    # the tables of the served data, generated once per dataset version.
    "TABLES_DIR": None,
    # Where `kg release` writes releases, served at /releases/ (None: kg.paths.RELEASES_DIR,
    # which KG_RELEASES_DIR overrides); the newest gives schema:version on / and /dataset.
    "RELEASES_DIR": None,
    # The base of the dataset's IRIs; /id/..., /ontology ... under it are served locally.
    "BASE_IRI": "https://w3id.org/civic-protest/",
    # Seconds the generation of one download (/dumps/) may take in its worker (503 past it).
    "DUMP_SECONDS": 300.0,
    # Forked query worker processes.
    "WORKERS": 2,
    # Bytes a worker may allocate beyond its copy-on-write snapshot (None: no limit);
    # a query past it ends its worker (503), not the server or the machine.
    "WORKER_MEMORY_BYTES": 4 * 1024 ** 3,
    # Flood limits per client address (kg.server.limits; answer 429 + Retry-After; None: off;
    # /-/health is exempt): requests in flight at once, queries running at once
    # (`kg serve --client-queries N`; as the Wikidata Query Service, 5; more wait in the fair
    # queue of kg.server.scheduler up to CLIENT_QUEUE_SECONDS, then get 429; "auto": WORKERS
    # - 1), and a token bucket of CLIENT_RATE requests per second holding up to CLIENT_BURST.
    "CLIENT_MAX_REQUESTS": 8,
    "CLIENT_MAX_QUERIES": 5,
    "CLIENT_QUEUE_SECONDS": 5.0,
    # A query that has run this long is stopped (503) when a client with fewer running
    # queries waits for a worker (kg.server.scheduler): no client keeps the others out.
    "PREEMPT_SECONDS": 0.3,
    "CLIENT_RATE": None,
    "CLIENT_BURST": None,
    # Connections (kg.server.front): open at once per client address and in all per server
    # process, and the deadlines of a request's headers and body and of an idle connection.
    "CLIENT_MAX_CONNECTIONS": 24,
    "MAX_CONNECTIONS": 1000,
    "HEADER_SECONDS": 10.0,
    "BODY_SECONDS": 30.0,
    "IDLE_SECONDS": 30.0,
    # Federation (kg.sparql.federation): SERVICE may name only these endpoints, exactly as
    # written here (`kg serve --federate URL`, repeatable). Empty by default, so a public
    # deployment federates only when its operator decides; the documented example entry is
    # the Wikidata Query Service, "https://query.wikidata.org/sparql". Each call sends our
    # User-Agent and gives up after FEDERATION_TIMEOUT seconds (the query's deadline still
    # bounds the whole).
    "FEDERATION_ALLOWLIST": (),
    "FEDERATION_TIMEOUT": 10.0,
    # An external SPARQL 1.1 store answering /sparql (`kg serve --backend URL`; kg.backend.remote):
    # None: the local engine. Our guard, deadline, row cap, formats and errors stay in front.
    # Updates go to BACKEND_UPDATE_URL (default BACKEND_URL) with BACKEND_AUTH ("user:password",
    # Basic or Digest) or BACKEND_TOKEN (bearer), and only when this endpoint allows updates.
    # BACKEND_GRAPHS: the graphs queries see there (None: the named graphs of the local dataset).
    "BACKEND_URL": None,
    "BACKEND_UPDATE_URL": None,
    "BACKEND_AUTH": None,
    "BACKEND_TOKEN": None,
    "BACKEND_GRAPHS": None,
    # Where the source documents' archived copies are (POST /curate/sheets checks quotes against
    # them, and keeps a new document's text there once its workbook is written); None: sources/.
    "SOURCES_DIR": None,
}
