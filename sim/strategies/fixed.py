"""The fixed strategy: keep the decisions the scenario file gives, every period."""

from __future__ import annotations

from .base import Strategy, register_strategy


@register_strategy("fixed")
class Fixed(Strategy):
    """Price, quality investment, relationship levels, promise and acquisition
    spending stay as the scenario set them."""

    def decide(self, firm, model) -> None:
        pass  # the firm starts with the scenario's decisions and keeps them
