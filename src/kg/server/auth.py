"""Who may write: the update tokens, each with a name that the change log records.

UPDATE_TOKEN is a plain token ("s3cret", whose name is "curator"), or "NAME=TOKEN", or a
list of either (`kg serve --update-token alice=s3cret --update-token bob=t0ken`). A string
is read as NAME=TOKEN only if NAME is a word ([A-Za-z0-9_.-]) and TOKEN does not begin with
"=" (so base64 padding such as "abc==" stays a plain token).
"""

import base64
import binascii
import hmac
import re

from flask import current_app, request

from kg.server.errors import ApiError
from kg.server.security import public_base

DEFAULT_NAME = "curator"
OPEN_NAME = "anonymous (open update)"
_NAMED = re.compile(r"^([A-Za-z0-9_.\-]+)=([^=].*)$", re.S)


def update_tokens(setting) -> dict[str, str]:
    """{token: name} from the UPDATE_TOKEN setting."""
    if not setting:
        return {}
    if isinstance(setting, dict):
        return {token: name for name, token in setting.items()}
    if isinstance(setting, str):
        setting = [setting]
    tokens = {}
    for entry in setting:
        named = _NAMED.match(entry)
        name, token = (named.group(1), named.group(2)) if named else (DEFAULT_NAME, entry)
        tokens[token] = name
    return tokens


def authorize_write() -> str:
    """The name of the writer, or an ApiError: 403 read-only, 401 no token, 403 wrong token."""
    config = current_app.config
    if config["OPEN_UPDATE"]:
        refuse_cross_site()
        return OPEN_NAME
    tokens = update_tokens(config["UPDATE_TOKEN"])
    if not tokens:
        raise ApiError(403, "this endpoint is read-only: updates are disabled")
    authorization = request.headers.get("Authorization", "")
    if not authorization.strip().lower().startswith("bearer "):
        refuse_cross_site()  # a browser may send Basic credentials it remembers by itself
    given = presented_token(authorization)
    if not given:
        raise ApiError(401, "updates need an Authorization: Bearer <token> header (or HTTP Basic "
                            "credentials with the token as the password)",
                       {"WWW-Authenticate": 'Bearer realm="kg"'})
    given = given.encode()
    found = None
    for token, name in tokens.items():  # compare with every token, in constant time each
        if hmac.compare_digest(given, token.encode()):
            found = name
    if found is None:
        raise ApiError(403, "the token does not allow updates")
    return found


def refuse_cross_site() -> None:
    """Refuse a write a browser sends on behalf of another site's page.

    A form or multipart POST needs no CORS preflight, so any page the curator visits could
    send one to an open or Basic-authenticated endpoint. Browsers say where a request comes
    from (Sec-Fetch-Site; Origin on every cross-origin POST); a write from another origin
    must carry a bearer token, which no page can send without a preflight and the token.
    Clients that are not browsers (curl, SPARQLWrapper, rdflib) send neither header."""
    site = request.headers.get("Sec-Fetch-Site", "").strip().lower()
    if site and site not in ("same-origin", "none"):
        raise ApiError(403, f"a write from another site's page is refused (Sec-Fetch-Site: {site}); "
                            "send the update token as Authorization: Bearer")
    origin = request.headers.get("Origin", "").strip()
    if origin and origin.lower() not in same_origins():
        raise ApiError(403, f"a write from the origin {origin!r} is refused; writes come from this "
                            "server's own pages, or carry the update token as Authorization: Bearer")


def same_origins() -> set[str]:
    """This server's origins: the request's own, and the public base URL's."""
    own = {request.host_url.rstrip("/").lower(), public_base().rstrip("/").lower()}
    return {origin.split("/", 3)[0] + "//" + origin.split("/", 3)[2] for origin in own}


def presented_token(header: str) -> str:
    """The token of an Authorization header: `Bearer <token>`, or `Basic` credentials whose
    password is the token (what rdflib's SPARQLUpdateStore and most HTTP clients send when
    given a user name and password; the user name is not checked). "" if none."""
    scheme, _, credentials = header.strip().partition(" ")
    credentials = credentials.strip()
    if scheme.lower() == "bearer":
        return credentials
    if scheme.lower() == "basic" and credentials:
        try:
            decoded = base64.b64decode(credentials, validate=True).decode("utf-8")
        except (binascii.Error, UnicodeDecodeError):
            return ""
        return decoded.partition(":")[2]
    return ""
