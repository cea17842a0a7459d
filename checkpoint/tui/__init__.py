"""The screening screens (Textual): a thin shell over the desk, the reader and the store."""
