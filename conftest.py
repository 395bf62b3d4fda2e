# The shared fixtures live in tests/fixtures.py; this makes them visible to every app's tests.
pytest_plugins = ["tests.fixtures", "tests.smtp", "tests.needs"]
