"""`make run`: starts the whole assistant, restarts what dies, stops it all on Ctrl-C."""
