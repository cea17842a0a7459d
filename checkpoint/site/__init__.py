"""The site laptop: the checkpoint's tally of all its lanes, with no network to the township.

One laptop of the checkpoint (the shift leader's) keeps a hub database beside its log
(`site-hub.db`) and serves it on the site's LAN (`checkpoint site serve`): the other lanes sync
to it with the ordinary client, or hand over a USB bundle (`checkpoint site import`). Its shift
and daily reports then carry a site section: every lane, the total, and when each other lane
last handed in (`tally.py`). Nothing here imports Textual.
"""
