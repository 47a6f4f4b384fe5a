"""Outside systems: mail servers, SMS providers. Nothing here knows the domain or database."""
