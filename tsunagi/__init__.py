"""tsunagi (つなぎ): case coordination for hikikomori support and self-reliance consultation agencies."""

__version__ = "0.1.0"
