"""The public check of an officer (`/verify`, `POST /api/v1/verify`), its batches, and the
public side of the chat with the control room that a verified check opens."""
