"""Results of groups of people: 360-degree feedback and team summaries.

See :mod:`~mgrlead.groups.multirater` and :mod:`~mgrlead.groups.teams`.
"""
