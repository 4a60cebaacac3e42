"""Passerelle's custom Rasa actions, one module per concern.

The action server (`rasa run actions --actions actions`) imports every module of this
package and registers the `Action` subclasses it finds.
"""
