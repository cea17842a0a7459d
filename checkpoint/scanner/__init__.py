"""Code scanners in serial mode (USB-CDC): each scan a line of text, delivered as an event."""
