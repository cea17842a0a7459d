"""Sending the local log upward: the client, the background sync of the lane and the USB bundle.
The format on the wire is `checkpoint.wire`; the hub that receives it is `checkpoint.hub`."""
