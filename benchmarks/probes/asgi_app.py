"""The baseline receiver's application: it reads the whole body, then responds."""


async def app(scope, receive, send) -> None:
    """Read an HTTP request's body, then respond 200 with an empty body."""
    if scope["type"] != "http":
        return
    more_body = True
    while more_body:
        message = await receive()
        more_body = message.get("more_body", False)
    await send(
        {
            "type": "http.response.start",
            "status": 200,
            "headers": [(b"content-length", b"0")],
        }
    )
    await send({"type": "http.response.body", "body": b""})
