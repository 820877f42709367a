"""The two selections of cases: the long one (scripts/attack_suite.py) and the CI subset."""

from attacks.cases import (Context, exhaustion_cases, fuzz_cases, fuzz_files, nesting_cases,
                              outbound_cases, web_cases)


def long_cases(ctx: Context):
    files = fuzz_files()
    return (outbound_cases(ctx) + exhaustion_cases(ctx) + nesting_cases()
            + fuzz_cases(files) + web_cases())


def ci_cases(ctx: Context):
    files = fuzz_files()[::12]
    return (outbound_cases(ctx) + exhaustion_cases(ctx, full=False)
            + nesting_cases((10, 1000, 20000), kinds=("{}", "!", "NOT EXISTS", "RDF-star",
                                                      "INSERT DATA blank nodes", "Turtle",
                                                      "JSON-LD", "RDF/XML"))
            + fuzz_cases(files) + web_cases())
