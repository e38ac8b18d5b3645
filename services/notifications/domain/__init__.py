"""Pure rules of notifications: who hears of what, on which channel, and when."""
