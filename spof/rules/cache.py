"""Rules of this layer; see spof.rules for the registry."""
