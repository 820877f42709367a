"""What can go wrong while evaluating a query or an update, as the engine reports it."""

import re


class EngineError(Exception):
    """Base of the engine's errors."""


class QueryTimeout(EngineError):
    """The evaluation overran its deadline; its worker was killed."""

    def __init__(self, seconds: float, what: str = "query"):
        super().__init__(f"the {what} was stopped after its {seconds:g} s deadline")
        self.seconds = seconds


class WorkerCrashed(EngineError):
    """The worker process died while evaluating (e.g. SIGSEGV on deep nesting, abort on OOM)."""


class PoolBusy(EngineError):
    """No worker became free before the deadline."""


class Rejected(EngineError):
    """A check refused the request or job; `status` is the HTTP answer it deserves, `headers`
    any the answer must carry (e.g. Allow, Retry-After)."""

    status = 400

    def __init__(self, detail: str, status: int | None = None, headers: dict | None = None):
        super().__init__(detail)
        if status is not None:
            self.status = status
        self.headers = dict(headers or {})

    def __reduce__(self):  # picklable across the worker pipe, status included
        return (type(self), (str(self), self.status, self.headers))


class QuerySyntaxError(EngineError):
    """The SPARQL parser refused the text; carries its message and position."""

    _POSITION = re.compile(r"at (\d+):(\d+)")

    def __init__(self, message: str):
        super().__init__(message)
        found = self._POSITION.search(message)
        self.line = int(found.group(1)) if found else None
        self.column = int(found.group(2)) if found else None


class EvaluationError(EngineError):
    """The engine refused or failed the evaluation (e.g. a type error in an update)."""
