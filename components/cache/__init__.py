"""Cached, shared objects: one module per page (named after it) and `shared` for what every page uses.

Shared by every visitor of the server: every array is made read-only (shared.freeze) before it
is handed out, so a page that wants to change something copies it first (training trains a copy).
Each cached function wraps a plain loader in models/, which is where the real work is tested.
"""
