#!/usr/bin/python3
"""Reads a Prometheus text exposition with prometheus_client's own parser (the
one Prometheus' Python tooling uses) and prints what it found as JSON:
{"families": {name: type}, "samples": {"name{k=v,...}": value}}. A text the
parser refuses makes it exit non-zero with the parser's message."""
import json
import sys

from prometheus_client.parser import text_string_to_metric_families

text = open(sys.argv[1], encoding="utf-8").read()
families = {}
samples = {}
for family in text_string_to_metric_families(text):
    families[family.name] = family.type
    for sample in family.samples:
        labels = ",".join(f"{k}={v}" for k, v in sorted(sample.labels.items()))
        samples[f"{sample.name}{{{labels}}}"] = sample.value
json.dump({"families": families, "samples": samples}, sys.stdout, indent=1, sort_keys=True)
