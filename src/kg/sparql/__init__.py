"""SPARQL text and protocol, below both the store's users and the server: the tokenizer, the
safety guard, conformance rewrites, dataset clauses, content negotiation, query preparation
(run inside the killable workers), federation, the service description, and Graph Store
writes with safe uploads. No Flask here."""
