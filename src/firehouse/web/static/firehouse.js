// firehouse web UI: the little behaviour htmx does not cover. No build step; plain ES2017.
"use strict";
