"""What a volunteer does at the desk, as calls on the log (no screens)."""
