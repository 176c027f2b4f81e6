"""Everything the demo makes: the README's main job on the bundled sample (`pipeline`), a demo
force in the embedded database (`force`) and synthetic public reports for it (`reports`).

Demonstration only: none of it is imported by the rest of the library."""
