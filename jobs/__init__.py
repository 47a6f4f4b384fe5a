"""Background work run by ``playroll worker``: jobs claim their work through the database."""
