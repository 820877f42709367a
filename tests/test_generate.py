"""The benchmark's synthetic data passes our shapes as written, checked by the reference path
(owlrl + pyshacl on the Turtle files), not only after pyoxigraph has normalised its literals."""

from kg.pipeline.build import build
from synthetic import generate


def test_generated_data_conforms_as_written(tmp_path):
    generate(tmp_path / "data", 2000, seed=1)
    result = build(output=None, data_dir=tmp_path / "data", sources_dir=tmp_path / "data")
    assert result.conforms, result.report.describe()
    assert result.entity_counts()["Arrest"] > 0
