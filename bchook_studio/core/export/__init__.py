"""Deliveries and webhooks in other formats: cURL, PowerShell, HAR, text, JSON.

Each writer is its own module, imported on use: `curl`, `powershell`, `har`,
`text`, `definitions`; `curl_import` and `importing` read webhooks back.
`requests.RequestRecord` is the request every writer takes.
"""
