"""The scoring engines: the kernel of formulas, and the drivers that run it.

- :mod:`~mgrlead.engines.ops`: the operations namespaces (Python, numpy,
  narwhals, traced source) the formulas are written over;
- :mod:`~mgrlead.engines.kernel`: every formula, once;
- :mod:`~mgrlead.engines.checks`: which cells are answers;
- :mod:`~mgrlead.engines.batch`: many respondents as numpy arrays;
- :mod:`~mgrlead.engines.single`: one respondent, as generated Python;
- :mod:`~mgrlead.engines.lazy`: lazy frames, as narwhals expressions;
- :mod:`~mgrlead.engines.partitions`: Dask and PySpark frames, partition by partition;
- :mod:`~mgrlead.engines.frames`: eager frames in and out of the batch engine;
- :mod:`~mgrlead.engines.assemble`: result objects from the kernel's numbers;
- :mod:`~mgrlead.engines.scorer`: a compiled plan with its engines.
"""
