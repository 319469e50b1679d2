"""Listening: sources (Scrapy spiders, X and Facebook listeners) and the privacy pipeline."""
