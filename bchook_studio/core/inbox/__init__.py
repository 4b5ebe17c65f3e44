"""The Inbox's work on a received request, without Qt.

`display` turns one into text for the detail view (the body pretty-printed,
the raw request), `event_match` finds the topic whose event the body is, and
`exports` builds the cURL record and the request for a resend.
"""
