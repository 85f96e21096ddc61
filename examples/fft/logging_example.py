"""Logging: INFO names each plan and its timing, DEBUG adds the layout and the pointers.

Run: python examples/fft/logging_example.py
"""

import logging

import cupy as cp

import nvmath

logging.basicConfig(level=logging.DEBUG, format="%(asctime)s %(levelname)-5s %(name)s: %(message)s")

x = cp.ones((6, 5, 12), cp.complex64)
nvmath.fft.fft(x, axes=(0, 2))  # logs through the "nvmath" logger

mine = logging.getLogger("my_app.fft")
mine.setLevel(logging.INFO)
nvmath.fft.fft(x, axes=(-1,), options={"logger": mine})  # or through your own logger
print("logging_example: OK")
