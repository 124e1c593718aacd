"""The page's limits on what a browser may upload (no Panel here: tab states check them too)."""
MAX_UPLOAD_BYTES = 25_000_000    # "25 MB" in all per upload, counted as the browser's upload widget counts it
CHUNK_BYTES = 4_000_000          # per websocket message, far below Bokeh's 20 MB message limit
