"""The calculation core: pure Python stdlib + numpy, no Django.

Entry points: :func:`carbonpeak.core.dispatch.run_case` (a case dict -> result dict), the CLI
``carbonpeak.core.cli_calc`` (``carbonpeak calc``), :func:`carbonpeak.core.factors.load_builtin` /
:meth:`carbonpeak.core.factors.FactorSet.from_rows`, and the array API :func:`carbonpeak.core.inventory.compute_batch`.
Nothing is imported here, so that ``carbonpeak calc`` starts fast.
"""
