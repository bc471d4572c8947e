"""Views of the citizen channels: the progress query (``query``: ``/q/…`` on a phone, also inside
the kiosk), the kiosk itself (``kiosk``: report, receipt, complaint), and the enrolment of kiosks
with the staff page that manages them (``manage``). ``common`` holds the signed cookies, the kiosk
device check and the two modes of the query flow; the verified page's cache is
``shoulian.citizen.page_cache``.

Z7: the query code and the mobile travel only in POST bodies; the pages after them are reached by
redirects whose state sits in short-lived signed cookies (the challenge, then the verified view),
never in a URL. Every mismatch gives the same page."""
