"""Guided capture without Qt: the protocol walk, camera frame sources and the fake camera."""
