"""tsunagi (つなぎ): case coordination for hikikomori support and self-reliance agencies."""

__version__ = "0.1.0"
