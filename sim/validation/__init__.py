"""Verification and validation: analytic benchmark cases, stylized facts from the
marketing texts, and the generator of ``docs/validation.md``.

The reference implementation used for docking is :mod:`sim.reference`; model
calibration to observed retention is :mod:`sim.calibration`.
"""
