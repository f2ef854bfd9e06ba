"""Canvas tools: small press/move/release state machines, one per tool."""
