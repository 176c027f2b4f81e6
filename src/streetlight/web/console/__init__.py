"""The control room: the live console of engagements, alerts and chats, and officer status
actions (suspend, reinstate, end a duty)."""
