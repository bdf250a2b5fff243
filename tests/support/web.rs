//! HTTP and browser helpers for the web workspace's tests and benchmarks: a one-request
//! HTTP/1.1 client on std, and a ChromeDriver session (W3C WebDriver) on headless Chromium.
#![allow(dead_code)]

use serde_json::{Value, json};
use std::io::{Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// One HTTP/1.1 request; (status, body).
pub fn http(addr: &str, method: &str, path: &str, body: &[u8]) -> (u16, Vec<u8>) {
    let mut s = TcpStream::connect(addr).expect("connect");
    s.set_read_timeout(Some(Duration::from_secs(120))).ok();
    let head = format!(
        "{method} {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n",
        body.len()
    );
    s.write_all(head.as_bytes()).expect("send");
    let _ = s.write_all(body);
    // Read the head, then as many bytes as Content-Length says (some servers keep the
    // connection open), or to the end.
    let mut raw = Vec::new();
    let mut buf = [0u8; 65536];
    let split = loop {
        if let Some(p) = raw.windows(4).position(|w| w == b"\r\n\r\n") {
            break p;
        }
        let n = s.read(&mut buf).expect("read the answer");
        assert!(n > 0, "the connection closed before an HTTP answer");
        raw.extend_from_slice(&buf[..n]);
    };
    let head = String::from_utf8_lossy(&raw[..split]).to_lowercase();
    let status = head.split_whitespace().nth(1).and_then(|c| c.parse().ok()).expect("status");
    let length: Option<usize> =
        head.lines().find_map(|l| l.strip_prefix("content-length:")).and_then(|v| v.trim().parse().ok());
    let mut rest = raw[split + 4..].to_vec();
    match length {
        Some(n) => {
            while rest.len() < n {
                let got = s.read(&mut buf).expect("read the body");
                if got == 0 {
                    break;
                }
                rest.extend_from_slice(&buf[..got]);
            }
        }
        None => {
            let _ = s.read_to_end(&mut rest);
        }
    }
    if head.contains("transfer-encoding: chunked") {
        let mut out = Vec::new();
        let mut i = 0;
        while let Some(end) = rest[i..].windows(2).position(|w| w == b"\r\n") {
            let size = usize::from_str_radix(String::from_utf8_lossy(&rest[i..i + end]).trim(), 16).unwrap_or(0);
            if size == 0 {
                break;
            }
            out.extend_from_slice(&rest[i + end + 2..i + end + 2 + size]);
            i += end + 2 + size + 2;
        }
        rest = out;
    }
    (status, rest)
}

pub fn post(addr: &str, path: &str, body: &Value) -> (u16, Value) {
    let (status, bytes) = http(addr, "POST", path, body.to_string().as_bytes());
    (status, serde_json::from_slice(&bytes).unwrap_or_else(|_| Value::String(String::from_utf8_lossy(&bytes).into())))
}

/// A ChromeDriver session, ended when dropped.
pub struct Browser {
    driver: Child,
    addr: String,
    session: String,
}

impl Drop for Browser {
    fn drop(&mut self) {
        let _ = http(&self.addr, "DELETE", &format!("/session/{}", self.session), b"");
        let _ = self.driver.kill();
        let _ = self.driver.wait();
    }
}

impl Browser {
    pub fn start() -> Option<Browser> {
        let (chromium, driver) = (Path::new("/usr/bin/chromium"), Path::new("/usr/bin/chromedriver"));
        if !chromium.exists() || !driver.exists() {
            assert!(std::env::var_os("CI").is_none(), "CI needs chromium and chromium-driver (see .ci/run)");
            eprintln!("skipped: no /usr/bin/chromium and /usr/bin/chromedriver (apt install chromium chromium-driver)");
            return None;
        }
        let port =
            std::net::TcpListener::bind("127.0.0.1:0").and_then(|l| l.local_addr()).map(|a| a.port()).expect("port");
        let child = Command::new(driver)
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("start chromedriver");
        let addr = format!("127.0.0.1:{port}");
        let started = Instant::now();
        while TcpStream::connect(&addr).is_err() {
            assert!(started.elapsed() < Duration::from_secs(20), "chromedriver did not start");
            std::thread::sleep(Duration::from_millis(100));
        }
        let caps = json!({ "capabilities": { "alwaysMatch": { "browserName": "chrome", "goog:chromeOptions": {
            "binary": chromium, "args": ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--window-size=1400,1300"]
        } } } });
        let (status, answer) = post(&addr, "/session", &caps);
        assert_eq!(status, 200, "new session: {answer}");
        let session = answer["value"]["sessionId"].as_str().expect("session id").to_owned();
        Some(Browser { driver: child, addr, session })
    }

    pub fn call(&self, path: &str, body: Value) -> Value {
        let (status, answer) = post(&self.addr, &format!("/session/{}{path}", self.session), &body);
        assert_eq!(status, 200, "{path}: {answer}");
        answer["value"].clone()
    }

    pub fn script(&self, script: &str) -> Value {
        self.call("/execute/sync", json!({ "script": script, "args": [] }))
    }

    /// Waits until `script` returns true.
    pub fn until(&self, what: &str, script: &str) {
        let started = Instant::now();
        while self.script(script) != Value::Bool(true) {
            assert!(started.elapsed() < Duration::from_secs(60), "waited 60 s for {what}");
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    /// The WebDriver id of the element at `css`.
    fn element(&self, css: &str) -> String {
        let found = self.call("/element", json!({ "using": "css selector", "value": css }));
        found.as_object().and_then(|o| o.values().next()).and_then(Value::as_str).expect("element").to_owned()
    }

    pub fn click(&self, css: &str) {
        let id = self.element(css);
        self.call(&format!("/element/{id}/click"), json!({}));
    }

    /// Sends keys (WebDriver codes, e.g. "\u{E007}" for Enter) to the element at `css`.
    pub fn keys(&self, css: &str, text: &str) {
        let id = self.element(css);
        self.call(&format!("/element/{id}/value"), json!({ "text": text }));
    }

    /// Audits the page as it is now with axe-core (web/node_modules, from web/package-lock.json
    /// by `scripts/web-vendor.sh`) against WCAG 2.0 and 2.1, levels A and AA; returns the
    /// violations, one line each: rule, help and up to five offending elements. `None` when
    /// axe-core is not installed outside CI.
    pub fn audit(&self) -> Option<Vec<String>> {
        let axe = Path::new(env!("CARGO_MANIFEST_DIR")).join("web/node_modules/axe-core/axe.min.js");
        let Ok(source) = std::fs::read_to_string(&axe) else {
            assert!(std::env::var_os("CI").is_none(), "CI needs {} (scripts/web-vendor.sh)", axe.display());
            eprintln!("audit skipped: no {} (run scripts/web-vendor.sh)", axe.display());
            return None;
        };
        if self.script("return typeof window.axe") != json!("object") {
            self.script(&format!("{source}\n;return true;"));
        }
        let found = self.call(
            "/execute/async",
            json!({ "script": r#"const done = arguments[arguments.length - 1];
axe.run(document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] } })
  .then((r) => done(r.violations.map((v) => v.id + ': ' + v.help + ' [' + v.nodes.slice(0, 5).map((n) => n.target.join(' ')).join(', ') + ']')))
  .catch((e) => done(['axe failed: ' + e]));"#, "args": [] }),
        );
        Some(
            found
                .as_array()
                .expect("a list of violations")
                .iter()
                .map(|v| v.as_str().unwrap_or("?").to_owned())
                .collect(),
        )
    }

    pub fn screenshot(&self, name: &str) -> PathBuf {
        let (status, answer) = http(&self.addr, "GET", &format!("/session/{}/screenshot", self.session), b"");
        assert_eq!(status, 200);
        let answer: Value = serde_json::from_slice(&answer).expect("json");
        let png = base64(answer["value"].as_str().expect("base64 png"));
        assert!(png.starts_with(b"\x89PNG"), "a PNG");
        let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("screenshots");
        std::fs::create_dir_all(&dir).expect("screenshot folder");
        let path = dir.join(name);
        std::fs::write(&path, png).expect("write screenshot");
        path
    }
}

fn base64(text: &str) -> Vec<u8> {
    let value = |c: u8| match c {
        b'A'..=b'Z' => c - b'A',
        b'a'..=b'z' => c - b'a' + 26,
        b'0'..=b'9' => c - b'0' + 52,
        b'+' => 62,
        _ => 63,
    };
    let clean: Vec<u8> = text.bytes().filter(|&c| c != b'=' && !c.is_ascii_whitespace()).collect();
    let mut out = Vec::with_capacity(clean.len() * 3 / 4);
    for chunk in clean.chunks(4) {
        let mut n = 0u32;
        for (i, &c) in chunk.iter().enumerate() {
            n |= u32::from(value(c)) << (18 - 6 * i);
        }
        out.extend_from_slice(&n.to_be_bytes()[1..chunk.len()]);
    }
    out
}
