"""Scrapy spiders, one per web source type; see ``SPIDERS`` in ``listener.spiders.registry``."""
