"""The web chat: the Gradio app (``app``), its escaped HTML (``render``) and its CSS/JavaScript (``static/``)."""
