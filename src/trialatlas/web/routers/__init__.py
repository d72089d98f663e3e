"""One router module per resource: pages, trials API, health, API docs."""
