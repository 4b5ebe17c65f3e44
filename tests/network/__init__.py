"""Delivery on real loopback networks: TLS, proxies, redirects and hostile responses."""
