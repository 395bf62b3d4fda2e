"""Models of this app arrive with their issue; the app is registered now so that
URLs, settings and tests already have a home for them."""
