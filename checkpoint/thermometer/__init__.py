"""Infrared thermometers on a serial line: protocols, transport, reader and simulator."""
