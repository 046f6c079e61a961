"""Pages people read about a service's API: `/` links the API page, the OpenAPI
document, health, metrics and the events feed; `/docs` shows the OpenAPI document
with Swagger UI, whose files come from the swagger-ui-bundle package (no CDN)."""
from functools import lru_cache
from html import escape

from swagger_ui_bundle import swagger_ui_path
from werkzeug.wrappers import Response

from shared.errors import NotFound

HTML = "text/html; charset=utf-8"
# Swagger UI styles its widgets inline and draws icons from data: URLs; nothing else runs.
HEADERS = {"Content-Security-Policy": "default-src 'self'; img-src 'self' data:; "
           "style-src 'self' 'unsafe-inline'; frame-ancestors 'none'",
           "X-Content-Type-Options": "nosniff"}
ASSETS = {"swagger-ui.css": "text/css", "swagger-ui-bundle.js": "text/javascript",
          "swagger-ui-standalone-preset.js": "text/javascript", "favicon-32x32.png": "image/png"}
# Relative URLs, so that the pages work behind a proxy that adds a path prefix.
START = b"""window.onload = function () {
  window.ui = SwaggerUIBundle({url: "openapi.json", dom_id: "#swagger-ui", deepLinking: true,
    presets: [SwaggerUIBundle.presets.apis, SwaggerUIStandalonePreset],
    plugins: [SwaggerUIBundle.plugins.DownloadUrl], layout: "StandaloneLayout"});
};
"""
LINKS = (("docs", "接口说明 API reference", "Swagger UI"),
         ("openapi.json", "OpenAPI 文档", "OpenAPI 3 JSON"),
         ("health", "运行状态 health", "JSON"),
         ("metrics", "监控指标 metrics", "Prometheus"),
         ("events", "事件流 events feed", "CloudEvents JSON，需令牌 (bearer token)"))

INDEX = """<!doctype html><html lang="zh-CN"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1"><title>otg {name}</title>
<link rel="icon" href="docs/assets/favicon-32x32.png"></head>
<body style="font-family: sans-serif; max-width: 40rem; margin: 2rem auto; padding: 0 1rem">
<h1>otg {name}</h1><p>校外培训治理 · {name} 服务</p><ul>
{links}</ul></body></html>"""
PAGE = """<!doctype html><html lang="zh-CN"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1"><title>otg {name} · 接口说明</title>
<link rel="stylesheet" href="docs/assets/swagger-ui.css">
<link rel="icon" href="docs/assets/favicon-32x32.png"></head>
<body><nav style="font-family: sans-serif; margin: 0.5rem 1rem">{nav}</nav>
<div id="swagger-ui"></div>
<script src="docs/assets/swagger-ui-bundle.js"></script>
<script src="docs/assets/swagger-ui-standalone-preset.js"></script>
<script src="docs/assets/start.js"></script></body></html>"""


def index(service_name):
    links = "".join(f'<li><a href="{href}">{escape(label)}</a> <small>{escape(kind)}</small></li>\n'
                    for href, label, kind in LINKS)
    return Response(INDEX.format(name=escape(service_name), links=links), headers=HEADERS,
                    content_type=HTML)


def page(service_name):
    nav = " · ".join([f'<a href="./">otg {escape(service_name)}</a>'] +
                     [f'<a href="{href}">{escape(label)}</a>' for href, label, _ in LINKS[1:]])
    return Response(PAGE.format(name=escape(service_name), nav=nav), headers=HEADERS,
                    content_type=HTML)


def asset(name):
    content_type = "text/javascript" if name == "start.js" else ASSETS.get(name)
    if content_type is None:
        raise NotFound(f"no asset {name}")
    return Response(_read(name), content_type=content_type,
                    headers={**HEADERS, "Cache-Control": "public, max-age=86400"})


@lru_cache(maxsize=None)
def _read(name):
    return START if name == "start.js" else (swagger_ui_path / name).read_bytes()
