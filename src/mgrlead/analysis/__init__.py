"""Analyses of scores: reliability and items, norms, change, comparability.

Reliability and item analysis are in :mod:`~mgrlead.analysis.psychometrics`,
norms in :mod:`~mgrlead.analysis.norms`, change between two profiles in
:mod:`~mgrlead.analysis.change` and comparability in
:mod:`~mgrlead.analysis.provenance`.
"""
