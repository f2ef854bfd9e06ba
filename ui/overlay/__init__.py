"""The earlier chart over today's photos: alignment, manual correction, compare (issue 5)."""
