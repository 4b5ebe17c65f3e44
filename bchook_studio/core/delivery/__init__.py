"""Build and send one webhook with httpx, and describe what happened."""
