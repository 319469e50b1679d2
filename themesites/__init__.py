"""Theme sites: the site portfolio, static builder, arrivals and call-back requests."""
