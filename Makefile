# Passerelle: one task runner for people and CI. `make help` lists the targets.
SHELL := /bin/bash
.DEFAULT_GOAL := help

VENV   := .venv
PY     := $(VENV)/bin/python
# Rasa's command line without its error reporting to Sentry (rasa_server/cli.py).
RASA   := $(PY) -m rasa_server.cli
STAMP  := $(VENV)/.installed-$(shell cat requirements.lock | sha1sum | cut -c1-12)
DEV_STAMP := $(VENV)/.dev-$(shell cat requirements.lock requirements-dev.lock | sha1sum | cut -c1-12)
MODEL  := models/passerelle.tar.gz
# What the trained model depends on: the data, the domain, the pipeline and its components.
TRAINING_INPUTS := config.yml domain.yml rasa_server/nlu.py passerelle/text.py passerelle/names.py \
	passerelle/spelling.py \
	$(shell find data -name '*.yml' 2>/dev/null | sort)

export PYTHONPATH := $(CURDIR)
# No usage statistics sent by any Rasa command (train, test, the server).
export RASA_TELEMETRY_ENABLED := false

# Local settings (see .env.example); passerelle/config.py reads them from the environment.
ifneq (,$(wildcard .env))
include .env
export $(shell sed -n 's/^\([A-Z_][A-Z0-9_]*\)=.*/\1/p' .env)
endif
export PYTHONDONTWRITEBYTECODE := 1

.PHONY: help venv dev-venv secrets system-deps model run run-scaled test lint format lock clean

help: ## Liste les commandes
	@grep -hE '^[a-zA-Z_-]+:.*## ' $(MAKEFILE_LIST) | awk 'BEGIN {FS = ":.*## "}; {printf "  make %-14s %s\n", $$1, $$2}'

venv: $(STAMP) ## Crée ou met à jour l'environnement Python (.venv, Python 3.10, dépendances d'exécution)

$(STAMP): requirements.lock
	@py=$$(scripts/find-python310) && { [ -x $(PY) ] || $$py -m venv $(VENV); }
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -r requirements.lock
	$(PY) -m pip check
	rm -f $(VENV)/.installed-* && touch $@

dev-venv: $(DEV_STAMP) ## Ajoute les outils de test et de développement (requirements-dev.lock)

$(DEV_STAMP): $(STAMP) requirements-dev.lock
	$(PY) -m pip install -q -r requirements.lock -r requirements-dev.lock
	$(PY) -m pip check
	rm -f $(VENV)/.dev-* && touch $@

secrets: venv ## Crée les secrets locaux s'ils manquent (.rasa_token, var/secret_key)
	@$(PY) -m supervisor --init

system-deps: ## Installe les paquets Debian nécessaires (voix Pico et espeak-ng, portaudio, nginx)
	@scripts/system-deps.sh run

model: $(MODEL) ## Entraîne le modèle Rasa si les données ont changé

$(MODEL): $(STAMP) $(TRAINING_INPUTS)
	$(RASA) train --fixed-model-name passerelle --out models
	@touch $@

run: venv system-deps secrets model ## Lance tout l'assistant (Rasa 5005, actions 5055, pages web). Ctrl-C arrête tout.
	$(PY) -m supervisor

run-scaled: ## Lance plusieurs processus Rasa derrière nginx (RASA_PROCESSES=2 ; il faut PostgreSQL et Redis, voir README)
	@$(MAKE) --no-print-directory run RASA_PROCESSES=$(or $(RASA_PROCESSES),2)

test: dev-venv secrets model ## Lance toutes les vérifications (lint, couches, tests, validation Rasa, histoires, NLU)
	@scripts/system-deps.sh test
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/lint-imports
	$(RASA) data validate --fail-on-warnings
	$(RASA) test core --model $(MODEL) --stories tests/stories --fail-on-prediction-errors --out results/core
	$(PY) -m pytest -q

lint: dev-venv ## Vérifie le style (ruff) et les couches (import-linter)
	$(VENV)/bin/ruff check . && $(VENV)/bin/ruff format --check . && $(VENV)/bin/lint-imports

format: dev-venv ## Met le code en forme (ruff)
	$(VENV)/bin/ruff format . && $(VENV)/bin/ruff check --fix .

lock: ## Régénère requirements.lock et requirements-dev.lock (une résolution chacun)
	@scripts/lock.sh

clean: ## Supprime le modèle entraîné et les résultats
	rm -rf models results

# --- Voix (borne) ---
.PHONY: voice-model run-kiosk
voice-model: venv ## Télécharge et vérifie le modèle vocal français (Vosk ; il faut Internet)
	$(PY) -m voice.models

run-kiosk: venv system-deps ## Lance la borne vocale (micro, haut-parleurs ; lancez d'abord make run)
	$(PY) -m kiosk

# --- Console conseillers ---
.PHONY: counsellor purge
counsellor: venv ## Crée un compte conseiller (make counsellor NOM=marie ; demande le mot de passe)
	@[ -n "$(NOM)" ] || { echo "Indiquez le nom : make counsellor NOM=marie" >&2; exit 2; }
	$(PY) -m console.cli add-counsellor "$(NOM)"

purge: venv ## Supprime les conversations de plus de RETENTION_DAYS jours (90 ; JOURS=N) et vide le cache des sons
	$(PY) -m console.cli purge $(if $(JOURS),--days $(JOURS),)
