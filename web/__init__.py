"""Web chat widget of Passerelle: the page, its files and its Rasa socket.io channel."""
