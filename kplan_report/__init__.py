"""kplan-report: the annual progress report of 第3次気仙沼市地域福祉計画.

Flow, one direction only::

    source/*.yaml --loading--> models --progress--> report (view model) --> pdf / docx writers
"""

__version__ = "0.1.0"
