//! The node binary end to end: flags, /bootstrap.json, identity that survives a restart, and
//! stopping on a signal.

use std::{
    io::{BufRead, BufReader, Read, Write},
    net::TcpStream,
    path::Path,
    process::{Child, Command, Stdio},
    sync::mpsc,
    thread,
    time::{Duration, Instant},
};

const BIN: &str = env!("CARGO_BIN_EXE_peerkeeper-node");

struct RunningNode {
    child: Child,
    http: String,
    peer_id: String,
    /// Whatever the node prints after its addresses.
    lines: mpsc::Receiver<String>,
}

impl Drop for RunningNode {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Starts the node on free loopback ports and waits until all four listeners are up.
fn start(data_dir: &Path) -> RunningNode {
    let mut child = Command::new(BIN)
        .args(["--listen-ip", "127.0.0.1", "--http-port", "0", "--webrtc-port", "0"])
        .args(["--ws-port", "0", "--tcp-port", "0", "--webtransport-port", "0"])
        .args(["--dist", "/nonexistent"])
        .arg("--data-dir")
        .arg(data_dir)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("node starts");
    let stdout = child.stdout.take().unwrap();
    let (tx, rx) = mpsc::channel();
    thread::spawn(move || {
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            if tx.send(line).is_err() {
                break;
            }
        }
    });
    let (mut http, mut peer_id, mut listeners) = (None, None, 0);
    while http.is_none() || peer_id.is_none() || listeners < 4 {
        let line = rx.recv_timeout(Duration::from_secs(20)).expect("node prints its addresses");
        if let Some(url) = line.strip_prefix("page:") {
            http = Some(url.trim().trim_start_matches("http://").trim_end_matches('/').to_string());
        } else if let Some(id) = line.strip_prefix("peer id:") {
            peer_id = Some(id.trim().to_string());
        } else if line.starts_with("listening:") {
            listeners += 1;
        }
    }
    RunningNode { child, http: http.unwrap(), peer_id: peer_id.unwrap(), lines: rx }
}

fn get(host: &str, path: &str) -> (String, String) {
    let mut stream = TcpStream::connect(host).unwrap();
    write!(stream, "GET {path} HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n").unwrap();
    let mut response = String::new();
    stream.read_to_string(&mut response).unwrap();
    let (head, body) = response.split_once("\r\n\r\n").unwrap();
    (head.lines().next().unwrap().to_string(), body.to_string())
}

fn bootstrap(node: &RunningNode) -> serde_json::Value {
    let (status, body) = get(&node.http, "/bootstrap.json");
    assert_eq!(status, "HTTP/1.1 200 OK");
    serde_json::from_str(&body).unwrap()
}

/// The `/certhash/` components of the node's `transport` address, in order.
fn certhashes(boot: &serde_json::Value, transport: &str) -> Vec<String> {
    let addr = boot["addrs"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["transport"] == transport)
        .unwrap_or_else(|| panic!("a {transport} address"))["multiaddr"]
        .as_str()
        .unwrap()
        .to_string();
    addr.split("/certhash/").skip(1).map(|h| h.split('/').next().unwrap().to_string()).collect()
}

#[test]
fn bootstrap_json_lists_every_listener_with_the_peer_id() {
    let dir = tempdir("listeners");
    let node = start(&dir);
    let boot = bootstrap(&node);
    assert_eq!(boot["peer_id"], node.peer_id.as_str());
    let mut transports: Vec<&str> = boot["addrs"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["transport"].as_str().unwrap())
        .collect();
    transports.sort();
    assert_eq!(transports, ["tcp", "webrtc-direct", "websocket", "webtransport"]);
    // The serving WebTransport certificate and the next one, as browsers need.
    assert_eq!(certhashes(&boot, "webtransport").len(), 2);
    for a in boot["addrs"].as_array().unwrap() {
        let addr = a["multiaddr"].as_str().unwrap();
        assert!(addr.starts_with("/ip4/127.0.0.1/"), "{addr}");
        assert!(addr.ends_with(&format!("/p2p/{}", node.peer_id)), "{addr}");
    }
    drop(node);
    std::fs::remove_dir_all(dir).unwrap();
}

#[test]
fn peer_id_and_certhashes_survive_a_restart_with_the_same_data_dir() {
    let dir = tempdir("restart");
    let first = start(&dir);
    let boot = bootstrap(&first);
    let id = first.peer_id.clone();
    let (rtc, wt) = (certhashes(&boot, "webrtc-direct"), certhashes(&boot, "webtransport"));
    drop(first);
    let second = start(&dir);
    assert_eq!(second.peer_id, id);
    let boot = bootstrap(&second);
    assert_eq!(certhashes(&boot, "webrtc-direct"), rtc);
    assert_eq!(certhashes(&boot, "webtransport"), wt);
    drop(second);
    std::fs::remove_dir_all(dir).unwrap();
}

#[test]
fn sigint_and_sigterm_stop_a_busy_node_within_seconds() {
    for signal in ["INT", "TERM", "INT"] {
        let dir = tempdir(&format!("signal-{signal}"));
        let mut node = start(&dir);
        // Sent while the demo swarm's peers are still connecting: the loop is busy between
        // turns, where a signal used to be lost.
        let sent = Command::new("kill")
            .arg(format!("-{signal}"))
            .arg(node.child.id().to_string())
            .status()
            .unwrap();
        assert!(sent.success());
        let deadline = Instant::now() + Duration::from_secs(10);
        let status = loop {
            if let Some(status) = node.child.try_wait().unwrap() {
                break status;
            }
            assert!(Instant::now() < deadline, "SIG{signal} did not stop the node in 10 s");
            thread::sleep(Duration::from_millis(20));
        };
        assert!(status.success(), "SIG{signal}: {status}");
        let said: Vec<String> = node.lines.try_iter().collect();
        assert!(said.contains(&format!("shutting down on SIG{signal}")), "{said:?}");
        drop(node);
        std::fs::remove_dir_all(dir).unwrap();
    }
}

#[test]
fn help_names_every_flag() {
    let out = Command::new(BIN).arg("--help").output().unwrap();
    let help = String::from_utf8(out.stdout).unwrap();
    for flag in [
        "--listen-ip",
        "--webrtc-port",
        "--webtransport-port",
        "--ws-port",
        "--tcp-port",
        "--http-port",
        "--data-dir",
        "--dist",
    ] {
        assert!(help.contains(flag), "--help lacks {flag}:\n{help}");
    }
}

fn tempdir(name: &str) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("peerkeeper-node-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    dir
}
