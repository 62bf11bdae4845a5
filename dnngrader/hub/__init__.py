"""The course on a JupyterHub: the hub itself (``server``, ``hubconfig``), its users from the class
roster (``roster``), who may see what (``access``) and an exchange no student can snoop on
(``exchange``).  The administrators' page is docs/administrators/hub.md."""
