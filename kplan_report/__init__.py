"""kplan-report: the annual progress report of a municipal community welfare plan (地域福祉計画), from its data.

Flow, one direction only::

    source/*.yaml --loading--> models --progress--> report (view model) --> pdf / docx writers
"""

__version__ = "0.1.0"
