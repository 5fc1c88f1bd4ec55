"""Telling staff what changed: e-mail digests, anomaly alerts by e-mail and webhook."""
