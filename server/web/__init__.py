"""First-party web pages: server-rendered HTML, small plain scripts, the public API only."""
