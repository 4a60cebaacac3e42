"""French NLU for Passerelle: text folding (`normalize`, no Rasa import) and the Rasa
graph components (`components`, referenced from `config.yml`)."""
