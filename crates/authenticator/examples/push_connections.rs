//! Benchmark (issue 6): the memory of one node holding 10,000 connected authenticators —
//! each an open `/authenticator/events` server-sent-event stream of its own activated
//! device — as resident-set growth of the server process, per connection; against a
//! baseline of the same number of idle keep-alive HTTP connections (one `GET /healthz`
//! each, then held open) to a fresh server, measured by the same program.
//!
//! ```text
//! ulimit -n 20000
//! cargo run --release -p portcullis-authenticator --example push_connections -- sse 10000
//! cargo run --release -p portcullis-authenticator --example push_connections -- idle 10000
//! ```
//!
//! The server runs in this process (SQLite, temporary data directory); the clients run
//! in a child process (this program again, role `clients-sse` / `clients-idle`), so their
//! memory is not counted. Devices are activated over HTTP, five per user (the per-user
//! limit), before the first measurement.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod bench;

use std::io::{BufRead, BufReader, Write as _};
use std::process::{Command, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use p256::ecdsa::SigningKey;
use portcullis_authenticator::client::Client;
use portcullis_authenticator::device::UnlockedDevice;
use portcullis_authenticator::keyfile::{DeviceIdentity, KeyFile};
use portcullis_core::{CredentialId, UserId};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::sync::Semaphore;

const DEVICES_PER_USER: usize = 5;

#[tokio::main(flavor = "multi_thread")]
async fn main() {
    let args: Vec<String> = std::env::args().collect();
    let role = args.get(1).map(String::as_str).unwrap_or("sse");
    let count: usize = args.get(2).and_then(|n| n.parse().ok()).unwrap_or(10_000);
    match role {
        "clients-sse" => clients_sse(&args[3]).await,
        "clients-idle" => clients_idle(&args[3], count).await,
        "sse" | "idle" => measure(role, count).await,
        other => panic!("unknown role {other}: sse | idle"),
    }
}

async fn measure(role: &str, count: usize) {
    let server = bench::start().await;
    let keys = server.data.path().join("devices.txt");
    if role == "sse" {
        let lines = activate_devices(&server, count).await;
        std::fs::write(&keys, lines.join("\n")).unwrap();
    }
    tokio::time::sleep(Duration::from_secs(2)).await;
    let before = bench::rss_kib();
    let exe = std::env::current_exe().unwrap();
    let mut child = Command::new(exe)
        .args([
            format!("clients-{role}"),
            count.to_string(),
            match role {
                "sse" => keys.display().to_string(),
                _ => server.url.clone(),
            },
        ])
        .env("BENCH_SERVER", &server.url)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let stdout = child.stdout.take().unwrap();
    let connected = tokio::task::spawn_blocking(move || {
        let mut line = String::new();
        BufReader::new(stdout).read_line(&mut line).unwrap();
        line
    })
    .await
    .unwrap();
    tokio::time::sleep(Duration::from_secs(3)).await;
    let after = bench::rss_kib();
    let listeners = server.services.push().listeners();
    println!(
        "role: {role}, connections: {count}, client says: {}",
        connected.trim()
    );
    println!("push hub listeners on the node: {listeners}");
    println!("server RSS before: {before} KiB, with the connections: {after} KiB");
    println!(
        "growth: {} KiB, per connection: {:.2} KiB",
        after.saturating_sub(before),
        after.saturating_sub(before) as f64 / count as f64
    );
    if let Some(mut stdin) = child.stdin.take() {
        let _ = stdin.write_all(b"done\n");
    }
    let _ = child.kill();
    let _ = child.wait();
}

/// Activates `count` devices, five per user, a few at a time; one line per device:
/// `device_id user_id key_hex`.
async fn activate_devices(server: &bench::Server, count: usize) -> Vec<String> {
    let gate = Arc::new(Semaphore::new(16));
    let mut tasks = Vec::new();
    for user_index in 0..count.div_ceil(DEVICES_PER_USER) {
        let upn = format!("conn{user_index}@example.org");
        let user = bench::create_user(&server.services, &upn).await;
        for _ in 0..DEVICES_PER_USER.min(count - user_index * DEVICES_PER_USER) {
            let permit = Arc::clone(&gate).acquire_owned().await.unwrap();
            let (services, url) = (server.services.clone(), server.url.clone());
            let (user, upn) = (user.clone(), upn.clone());
            tasks.push(tokio::spawn(async move {
                let (device, key) = bench::activate(&services, &url, &user, &upn).await;
                drop(permit);
                format!(
                    "{} {} {}",
                    device.file.device_id,
                    device.file.user_id,
                    hex::encode(key.to_bytes())
                )
            }));
        }
    }
    let mut lines = Vec::with_capacity(count);
    for task in tasks {
        lines.push(task.await.unwrap());
    }
    lines
}

/// Opens one event stream per device in `keys` and reports when all are accepted.
async fn clients_sse(keys: &str) {
    let text = std::fs::read_to_string(keys).unwrap();
    let connected = Arc::new(AtomicUsize::new(0));
    let total = text.lines().count();
    let gate = Arc::new(Semaphore::new(256));
    let server_url = std::env::var("BENCH_SERVER").expect("BENCH_SERVER names the server");
    for line in text.lines() {
        let mut parts = line.split_whitespace();
        let (Some(device_id), Some(user_id), Some(key)) =
            (parts.next(), parts.next(), parts.next())
        else {
            continue;
        };
        let key = SigningKey::from_slice(&hex::decode(key).unwrap()).unwrap();
        let file = KeyFile::seal(
            DeviceIdentity {
                server: server_url.clone(),
                device_id: CredentialId::parse(device_id).unwrap(),
                user_id: UserId::parse(user_id).unwrap(),
                user_principal_name: String::new(),
                display_name: String::new(),
            },
            &key,
            None,
        )
        .unwrap();
        let device = UnlockedDevice::new(file, key);
        let client = Client::new(&server_url).unwrap();
        let connected = Arc::clone(&connected);
        let permit = Arc::clone(&gate).acquire_owned().await.unwrap();
        tokio::spawn(async move {
            let mut permit = Some(permit);
            let result = client
                .stream_events(
                    &device,
                    || {
                        connected.fetch_add(1, Ordering::SeqCst);
                        permit.take();
                    },
                    |_| {},
                )
                .await;
            if let Err(error) = result {
                eprintln!("stream ended: {error}");
            }
        });
    }
    while connected.load(Ordering::SeqCst) < total {
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    println!("connected {total}");
    hold().await;
}

/// Opens `count` keep-alive connections, each after one `GET /healthz`, and holds them.
async fn clients_idle(server: &str, count: usize) {
    let address = server.trim_start_matches("http://").to_owned();
    let mut held = Vec::with_capacity(count);
    for _ in 0..count {
        let mut stream = tokio::net::TcpStream::connect(&address).await.unwrap();
        stream
            .write_all(b"GET /healthz HTTP/1.1\r\nHost: localhost\r\n\r\n")
            .await
            .unwrap();
        let mut buffer = [0u8; 1024];
        let read = stream.read(&mut buffer).await.unwrap();
        assert!(buffer[..read].starts_with(b"HTTP/1.1 200"));
        held.push(stream);
    }
    println!("connected {count}");
    hold().await;
    drop(held);
}

/// Waits until the parent writes to (or closes) stdin.
async fn hold() {
    let _ = std::io::stdout().flush();
    let _ = tokio::task::spawn_blocking(|| {
        let mut line = String::new();
        let _ = std::io::stdin().read_line(&mut line);
    })
    .await;
}
