"""Components of the shop: one ComponentResource per concern of the architecture."""
