"""The sector systems' sub-commands, one module each (``units``, ``forest``, ``buildings``, ``waste``,
``transport``/``gas``), listed in ``carbonpeak.cli.COMMAND_MODULES``. Each module has ``add_parsers(sub)``; its
parsers set ``func``. The script contract is cli.py's: a JSON report on standard output (``accepted``,
``duplicates``, ``rejected`` with ``line``, ``field``, ``message``), exit 0 ok, 1 rows refused, 2 unreadable or
invalid input; messages in Chinese and English on standard error.
"""
