"""MongoDB access: the client, collection names and indexes. Each concern has its own module."""
