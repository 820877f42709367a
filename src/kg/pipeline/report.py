"""A validation report a curator can act on: each violation with its focus node, path,
message, value, shape and the files that assert the focus node."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Violation:
    focus_node: str
    path: str | None
    message: str
    value: str | None
    severity: str
    shape: str | None
    files: tuple[str, ...] = ()

    def describe(self) -> str:
        lines = [f"{self.severity}: {self.message}", f"  focus node: {self.focus_node}"]
        if self.path:
            lines.append(f"  path:       {self.path}")
        if self.value is not None:
            lines.append(f"  value:      {self.value}")
        if self.shape:
            lines.append(f"  shape:      {self.shape}")
        if self.files:
            lines.append(f"  file:       {', '.join(self.files)}")
        return "\n".join(lines)


@dataclass
class ValidationReport:
    conforms: bool
    violations: list[Violation] = field(default_factory=list)

    def describe(self) -> str:
        if self.conforms:
            return "Conforms: the data satisfies every shape."
        body = "\n\n".join(v.describe() for v in self.violations)
        return f"{len(self.violations)} violation(s):\n\n{body}"
