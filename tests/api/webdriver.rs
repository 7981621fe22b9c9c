//! A small WebDriver client (W3C protocol over HTTP) driving Debian's headless Chromium through
//! chromedriver: enough to sign in, fill forms, click, read text and take screenshots.

use std::process::Stdio;
use std::time::{Duration, Instant};

use serde_json::{Value, json};

const ELEMENT: &str = "element-6066-11e4-a52e-4f735466cecf";

/// Accessibility findings accepted on purpose, each explained in docs/accessibility.md: "rule: target"
/// prefixes.
const JUSTIFIED: &[&str] = &[];

pub struct Browser {
    http: reqwest::Client,
    session: String,
    driver: tokio::process::Child,
    _profile: TempDir,
}

struct TempDir(std::path::PathBuf);

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

#[derive(Clone)]
pub struct Element(String);

impl Browser {
    pub async fn start(width: u32, height: u32) -> Browser {
        Browser::launch(width, height, false).await
    }

    /// A phone with a touch screen: CSS sees `(pointer: coarse)`, as on the RMs' phones.
    pub async fn start_touch(width: u32, height: u32) -> Browser {
        Browser::launch(width, height, true).await
    }

    async fn launch(width: u32, height: u32, touch: bool) -> Browser {
        let chromedriver =
            std::env::var("CHROMEDRIVER").unwrap_or_else(|_| "/usr/bin/chromedriver".into());
        let chromium = std::env::var("CHROMIUM").unwrap_or_else(|_| "/usr/bin/chromium".into());
        assert!(
            std::path::Path::new(&chromedriver).exists()
                && std::path::Path::new(&chromium).exists(),
            "chromium and chromedriver are needed for the browser tests; scripts/test installs them"
        );
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let driver = tokio::process::Command::new(&chromedriver)
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .kill_on_drop(true)
            .spawn()
            .expect("start chromedriver");
        let base = format!("http://127.0.0.1:{port}");
        let http = reqwest::Client::new();
        let deadline = Instant::now() + Duration::from_secs(20);
        // chromedriver needs a moment to listen; ask until it answers.
        while http.get(format!("{base}/status")).send().await.is_err() {
            assert!(Instant::now() < deadline, "chromedriver did not start");
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        let profile =
            std::env::temp_dir().join(format!("relasi-chromium-{}", uuid::Uuid::new_v4().simple()));
        let mut caps = json!({"capabilities": {"alwaysMatch": {
            "browserName": "chrome",
            "goog:chromeOptions": {
                "binary": chromium,
                "args": [
                    "--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                    "--disable-background-networking", "--disable-component-update", "--disable-sync",
                    "--no-first-run", "--disable-quic", "--lang=id-ID",
                    format!("--user-data-dir={}", profile.display()),
                    format!("--window-size={width},{height}"),
                ],
                "prefs": {"intl.accept_languages": "id-ID,id"}
            }
        }}});
        if touch {
            caps["capabilities"]["alwaysMatch"]["goog:chromeOptions"]["mobileEmulation"] = json!({
                "deviceMetrics": {"width": width, "height": height, "pixelRatio": 2.0, "touch": true}
            });
        }
        let r = send(
            &http,
            reqwest::Method::POST,
            &format!("{base}/session"),
            Some(caps),
        )
        .await;
        let id = r["sessionId"]
            .as_str()
            .unwrap_or_else(|| panic!("no session: {r}"))
            .to_owned();
        let mut browser = Browser {
            http,
            session: format!("{base}/session/{id}"),
            driver,
            _profile: TempDir(profile),
        };
        if !touch {
            browser.set_viewport(width, height).await;
        }
        browser
    }

    async fn cmd(&self, method: reqwest::Method, path: &str, body: Option<Value>) -> Value {
        send(&self.http, method, &format!("{}{path}", self.session), body).await
    }

    /// Makes the page area (not the window) `width` × `height` CSS pixels.
    async fn set_viewport(&mut self, width: u32, height: u32) {
        let inner = self
            .execute("return [window.innerWidth, window.innerHeight]")
            .await;
        let (iw, ih) = (
            inner[0].as_u64().unwrap_or(width.into()),
            inner[1].as_u64().unwrap_or(height.into()),
        );
        let rect = self.cmd(reqwest::Method::GET, "/window/rect", None).await;
        let (ow, oh) = (
            rect["width"].as_u64().unwrap(),
            rect["height"].as_u64().unwrap(),
        );
        let w = ow + u64::from(width) - iw;
        let h = oh + u64::from(height) - ih;
        self.cmd(
            reqwest::Method::POST,
            "/window/rect",
            Some(json!({"width": w, "height": h})),
        )
        .await;
    }

    /// A command whose answer is a string (the address, the page source, an element's text).
    async fn get_string(&self, path: &str) -> String {
        self.cmd(reqwest::Method::GET, path, None)
            .await
            .as_str()
            .unwrap_or("")
            .to_owned()
    }

    pub async fn goto(&self, url: &str) {
        self.cmd(reqwest::Method::POST, "/url", Some(json!({"url": url})))
            .await;
    }

    pub async fn url(&self) -> String {
        self.get_string("/url").await
    }

    pub async fn source(&self) -> String {
        self.get_string("/source").await
    }

    /// The visible text of the page.
    pub async fn text(&self) -> String {
        self.execute("return document.body.innerText")
            .await
            .as_str()
            .unwrap_or("")
            .to_owned()
    }

    /// Waits (up to 10 s) until an element matches the CSS selector.
    pub async fn find(&self, css: &str) -> Element {
        let deadline = Instant::now() + Duration::from_secs(10);
        loop {
            let r = self
                .cmd(
                    reqwest::Method::POST,
                    "/element",
                    Some(json!({"using": "css selector", "value": css})),
                )
                .await;
            if let Some(id) = r.get(ELEMENT).and_then(Value::as_str) {
                return Element(id.to_owned());
            }
            assert!(
                Instant::now() < deadline,
                "no element matches {css:?} on {}",
                self.url().await
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    /// Waits (up to 10 s) until the address bar's path is `path`.
    pub async fn wait_for_path(&self, path: &str) {
        let deadline = Instant::now() + Duration::from_secs(10);
        loop {
            let url = self.url().await;
            let here = url
                .splitn(4, '/')
                .nth(3)
                .map(|p| format!("/{p}"))
                .unwrap_or_default();
            if here == path || here.starts_with(&format!("{path}?")) {
                return;
            }
            assert!(Instant::now() < deadline, "expected {path}, still at {url}");
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    /// Clicks like a person: fails when something else (a sticky bar, an overlay) would take the click.
    pub async fn click(&self, css: &str) {
        let e = self.find(css).await;
        // A person scrolls what they want to touch to the middle of the screen first; WebDriver
        // would leave it at the bottom edge, under a sticky bar.
        self.cmd(
            reqwest::Method::POST,
            "/execute/sync",
            Some(json!({
                "script": "arguments[0].scrollIntoView({block: 'center', inline: 'nearest'})",
                "args": [{ ELEMENT: e.0 }],
            })),
        )
        .await;
        let r = self
            .cmd(
                reqwest::Method::POST,
                &format!("/element/{}/click", e.0),
                Some(json!({})),
            )
            .await;
        assert!(
            r.get("error").is_none(),
            "clicking {css:?} failed: {}",
            r.get("message").and_then(Value::as_str).unwrap_or("")
        );
    }

    pub async fn fill(&self, css: &str, text: &str) {
        let e = self.find(css).await;
        self.cmd(
            reqwest::Method::POST,
            &format!("/element/{}/clear", e.0),
            Some(json!({})),
        )
        .await;
        self.cmd(
            reqwest::Method::POST,
            &format!("/element/{}/value", e.0),
            Some(json!({"text": text})),
        )
        .await;
    }

    /// Chooses a file in an `<input type=file>`.
    pub async fn attach(&self, css: &str, path: &str) {
        let e = self.find(css).await;
        self.cmd(
            reqwest::Method::POST,
            &format!("/element/{}/value", e.0),
            Some(json!({"text": path})),
        )
        .await;
    }

    pub async fn element_text(&self, css: &str) -> String {
        let e = self.find(css).await;
        self.get_string(&format!("/element/{}/text", e.0)).await
    }

    pub async fn execute(&self, script: &str) -> Value {
        self.cmd(
            reqwest::Method::POST,
            "/execute/sync",
            Some(json!({"script": script, "args": []})),
        )
        .await
    }

    /// Runs `script` as the body of an async function: it finishes by calling
    /// `arguments[arguments.length - 1]` with its answer.
    pub async fn execute_async(&self, script: &str) -> Value {
        self.cmd(
            reqwest::Method::POST,
            "/execute/async",
            Some(json!({"script": script, "args": []})),
        )
        .await
    }

    /// The page's WCAG 2.2 AA violations found by axe-core (tests/vendor/axe-core, injected here and
    /// never served), as "rule: target" lines, without the ones docs/accessibility.md names and
    /// justifies (`JUSTIFIED`).
    pub async fn accessibility_violations(&self) -> Vec<String> {
        const AXE: &str = include_str!("../vendor/axe-core/axe.min.js");
        // A form's sticky save bar sits over whatever scrolls beneath it; the target-size rule would
        // measure that moment, so the bar is laid out in place for the scan (docs/accessibility.md).
        let script = format!(
            "{AXE}\n;const done = arguments[arguments.length - 1];
             document.querySelectorAll('.sticky-actions').forEach(b => b.style.setProperty('position', 'static', 'important'));
             axe.run(document, {{runOnly: {{type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa']}}}})
               .then(r => done(r.violations.flatMap(v => v.nodes.map(n => v.id + ': ' + n.target.join(' ') + ' — ' + n.failureSummary.replace(/\\s+/g, ' ')))))
               .catch(e => done(['axe failed: ' + e]));"
        );
        let found = self.execute_async(&script).await;
        found
            .as_array()
            .unwrap_or_else(|| panic!("axe answered {found}"))
            .iter()
            .filter_map(|v| v.as_str())
            .filter(|v| !JUSTIFIED.iter().any(|j| v.starts_with(j)))
            .map(str::to_owned)
            .collect()
    }

    /// Saves a PNG under test-artifacts/ for a person to look at.
    pub async fn screenshot(&self, name: &str) {
        use std::io::Write;
        let b64 = self.cmd(reqwest::Method::GET, "/screenshot", None).await;
        let bytes = decode_base64(b64.as_str().unwrap_or(""));
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("test-artifacts");
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::File::create(dir.join(format!("{name}.png")))
            .unwrap()
            .write_all(&bytes)
            .unwrap();
    }

    /// True when nothing is wider than the viewport (no sideways scrolling on a phone).
    pub async fn fits_width(&self) -> bool {
        self.execute("return document.documentElement.scrollWidth <= window.innerWidth")
            .await
            == json!(true)
    }

    /// True when no table laid out as cards (`.card-table`) nor any of its cells scrolls sideways.
    pub async fn cards_fit(&self) -> bool {
        self.execute(
            "return [...document.querySelectorAll('.card-table, .card-table td')]
               .every(e => e.scrollWidth <= e.clientWidth + 1)",
        )
        .await
            == json!(true)
    }

    pub async fn quit(mut self) {
        let _ = self.http.delete(&self.session).send().await;
        let _ = self.driver.kill().await;
    }
}

async fn send(
    http: &reqwest::Client,
    method: reqwest::Method,
    url: &str,
    body: Option<Value>,
) -> Value {
    let mut req = http.request(method, url);
    if let Some(b) = body {
        req = req
            .header("content-type", "application/json")
            .body(b.to_string());
    }
    let text = req
        .send()
        .await
        .expect("webdriver request")
        .text()
        .await
        .unwrap_or_default();
    let v: Value = serde_json::from_str(&text).unwrap_or(Value::Null);
    v.get("value").cloned().unwrap_or(Value::Null)
}

fn decode_base64(s: &str) -> Vec<u8> {
    const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = Vec::with_capacity(s.len() * 3 / 4);
    let mut buf = 0u32;
    let mut bits = 0;
    for c in s.bytes().filter(|c| *c != b'=' && !c.is_ascii_whitespace()) {
        let Some(v) = ALPHABET.iter().position(|a| *a == c) else {
            continue;
        };
        buf = (buf << 6) | v as u32;
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push((buf >> bits) as u8);
        }
    }
    out
}
