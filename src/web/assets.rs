//! Static files embedded in the binary, so it deploys alone. Each is served under a URL that contains
//! a hash of its content (`/static/<hash>/<name>`) with a year-long immutable cache lifetime: a new
//! release changes the URL, never a cached copy.

use std::collections::HashMap;
use std::sync::LazyLock;

use axum::extract::Path;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use sha2::{Digest, Sha256};

struct Asset {
    bytes: &'static [u8],
    content_type: &'static str,
    hash: String,
}

macro_rules! embed {
    ($($name:literal => $type:literal),* $(,)?) => {
        [$(($name, include_bytes!(concat!("../../static/", $name)).as_slice(), $type)),*]
    };
}

static ASSETS: LazyLock<HashMap<&'static str, Asset>> = LazyLock::new(|| {
    embed! {
        "app.css" => "text/css; charset=utf-8",
        "app.js" => "text/javascript; charset=utf-8",
        "print.css" => "text/css; charset=utf-8",
        "favicon.svg" => "image/svg+xml",
        "vendor/htmx/htmx.min.js" => "text/javascript; charset=utf-8",
        "vendor/pico/pico.min.css" => "text/css; charset=utf-8",
        "vendor/chartjs/chart.umd.min.js" => "text/javascript; charset=utf-8",
    }
    .into_iter()
    .map(|(name, bytes, content_type)| {
        let hash = crate::auth::domain::hex(&Sha256::digest(bytes)[..6]);
        (
            name,
            Asset {
                bytes,
                content_type,
                hash,
            },
        )
    })
    .collect()
});

/// The URL of an embedded file, for templates.
pub fn url(name: &str) -> String {
    match ASSETS.get(name) {
        Some(a) => format!("/static/{}/{name}", a.hash),
        None => {
            tracing::error!(name, "template names an asset that is not embedded");
            format!("/static/missing/{name}")
        }
    }
}

pub async fn serve(Path((hash, name)): Path<(String, String)>) -> Response {
    let Some(asset) = ASSETS.get(name.as_str()) else {
        return StatusCode::NOT_FOUND.into_response();
    };
    let cache = if hash == asset.hash {
        "public, max-age=31536000, immutable"
    } else {
        // An old hash after a deploy: serve the current file, but do not let it be cached for long.
        "public, max-age=300"
    };
    (
        [
            (
                header::CONTENT_TYPE,
                HeaderValue::from_static(asset.content_type),
            ),
            (header::CACHE_CONTROL, HeaderValue::from_static(cache)),
        ],
        asset.bytes,
    )
        .into_response()
}
