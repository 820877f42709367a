"""The example SPARQL queries: one `.rq` file each in `kg/examples/`, titled by a first
`# title:` line and optionally described by a `# description:` line.

The query page offers them, tests run them, and Linked Data pages can reuse them.
"""

from dataclasses import dataclass
from pathlib import Path

EXAMPLES_DIR = Path(__file__).resolve().with_name("examples")


@dataclass(frozen=True)
class Example:
    name: str           # the file name without `.rq`, e.g. "06-sentenced-under-article-607"
    title: str
    description: str
    query: str


def read_example(path: Path) -> Example:
    query = path.read_text(encoding="utf-8")
    header = {}
    for line in query.splitlines():
        if not line.startswith("#"):
            break
        key, _, value = line.lstrip("# ").partition(":")
        header[key.strip().lower()] = value.strip()
    if "title" not in header:
        raise ValueError(f"{path} does not start with a '# title:' line")
    return Example(path.stem, header["title"], header.get("description", ""), query)


def load_examples(directory: Path = EXAMPLES_DIR) -> list[Example]:
    """All example queries, in the order of their file names."""
    return [read_example(path) for path in sorted(Path(directory).glob("*.rq"))]


def example(name: str) -> Example:
    return read_example(EXAMPLES_DIR / f"{name}.rq")
