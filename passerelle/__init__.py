"""Passerelle: a French assistant for job seekers on the France Travail website."""
